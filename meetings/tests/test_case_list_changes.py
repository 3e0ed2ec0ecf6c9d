"""BD MARAC List: the case list is circulated to the representatives. A case added after it went out (here, a
referral listed at an emergency MARAC whose list was already sent) makes the list out of date: the meeting page says
so, and offers to send the updated list, in an email naming no case, to the representatives who had the earlier one.
Sending to nobody is never reported as a success."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from meetings.agenda_services import case_list_additions
from meetings.models import CaseListReceipt, Listing, MeetingState, MeetingStatus
from meetings.tests.test_agenda_pages import _agenda_page, _listed, _meeting
from referrals.calendar import LONDON
from referrals.tests.test_decision_matching import submitted_referral
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

UPDATE_BUTTON = "Send the updated case list to the representatives who had the earlier one"


@pytest.fixture
def emergency(marac):
    return _meeting(marac, days_ahead=2, emergency=True)


@pytest.fixture
def released(client_for, coordinator, chair, police_rep, idva, emergency, django_capture_on_commit_callbacks):
    """The emergency MARAC's list, with one case, sent to this MARAC's representatives."""
    _listed(emergency, reference="NM-2026-0101")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator).post(f"/meetings/{emergency.pk}/case-list/release/")
    mail.outbox.clear()
    return {coordinator.email, chair.email, police_rep.email, idva.email}


def _list_at(emergency, client_for, referrer, coordinator):
    """A referral accepted and then listed at the emergency MARAC through the decision page."""
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)
    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    local = timezone.localtime(emergency.starts_at, LONDON)
    response = desk.post(
        f"/referrals/{referral.pk}/decision/emergency/",
        {"day": local.date().isoformat(), "at": local.strftime("%H:%M")},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert Listing.objects.filter(meeting=emergency, case=referral.case).exists()
    return referral


def test_a_case_added_after_release_is_shown_and_the_update_goes_to_those_who_had_the_list(
    client_for, coordinator, referrer, emergency, released, django_capture_on_commit_callbacks
):
    sent_at = CaseListReceipt.objects.filter(meeting=emergency).earliest("sent_at").sent_at
    referral = _list_at(emergency, client_for, referrer, coordinator)
    desk = client_for(coordinator)

    page = _agenda_page(desk, emergency)
    when = timezone.localtime(sent_at).strftime("%A %-d %B %Y at %H:%M")
    assert f"1 case was added after the case list was sent on {when}." in page
    assert UPDATE_BUTTON in page

    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(f"/meetings/{emergency.pk}/case-list/send-update/", follow=True)

    text = response.content.decode()
    assert "The updated case list was sent to 4 representatives" in text
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(released)
    for message in mail.outbox:
        body = message.subject + message.body
        assert "has changed since it was sent to you" in body
        assert referral.case.reference not in body and "NM-2026-0101" not in body
        assert f"/meetings/{emergency.pk}/case-list/" in body
    assert "was added after the case list was sent" not in text and UPDATE_BUTTON not in text
    assert AuditEvent.objects.filter(summary="Sent the changed case list to 4 representatives").exists()


def test_a_representative_who_joined_after_the_addition_is_sent_only_the_list(
    client_for, coordinator, referrer, marac, emergency, released, django_capture_on_commit_callbacks
):
    _list_at(emergency, client_for, referrer, coordinator)
    newcomer = grant(UserFactory(full_name="Nova Newcomer"), marac, "agency_representative")
    desk = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"/meetings/{emergency.pk}/case-list/release/")
    assert [message.to for message in mail.outbox] == [[newcomer.email]]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"/meetings/{emergency.pk}/case-list/send-update/")

    assert sorted(to for message in mail.outbox for to in message.to) == sorted(released)


def test_sending_to_nobody_is_not_reported_as_a_success(client_for, coordinator, emergency, released):
    response = client_for(coordinator).post(f"/meetings/{emergency.pk}/case-list/release/", follow=True)

    text = response.content.decode()
    assert "There was nobody to send the case list to: every representative has had it." in text
    assert "sent to 0" not in text
    assert "govuk-notification-banner--success" not in text
    assert not mail.outbox


def test_the_page_says_nothing_when_the_list_has_not_changed(client_for, coordinator, emergency, released):
    page = _agenda_page(client_for(coordinator), emergency)

    assert "was added after the case list was sent" not in page
    assert UPDATE_BUTTON not in page
    assert case_list_additions(meeting=emergency) is None


def test_a_representative_does_not_see_the_offer(client_for, coordinator, referrer, police_rep, emergency, released):
    _list_at(emergency, client_for, referrer, coordinator)

    page = _agenda_page(client_for(police_rep), emergency)

    assert UPDATE_BUTTON not in page
    assert client_for(police_rep).post(f"/meetings/{emergency.pk}/case-list/send-update/").status_code in {403, 404}


def test_a_closed_meeting_s_list_is_not_sent_again(client_for, coordinator, referrer, emergency, released):
    _list_at(emergency, client_for, referrer, coordinator)
    MeetingState.objects.filter(meeting=emergency).update(status=MeetingStatus.CLOSED)

    page = _agenda_page(client_for(coordinator), emergency)
    response = client_for(coordinator).post(f"/meetings/{emergency.pk}/case-list/send-update/", follow=True)

    assert UPDATE_BUTTON not in page
    assert "This meeting has closed, so its case list can no longer be sent." in response.content.decode()
    assert not mail.outbox


def test_listings_made_before_the_field_existed_never_count_as_added(coordinator, emergency, released):
    earlier = _listed(emergency, reference="NM-2026-0102")
    Listing.objects.filter(pk=earlier.pk).update(listed_at=None)
    assert case_list_additions(meeting=emergency) is None
    Listing.objects.filter(pk=earlier.pk).update(listed_at=timezone.now() + datetime.timedelta(seconds=1))
    assert case_list_additions(meeting=emergency).cases == 1
