"""Taking a case off the agenda of a meeting still to come (BD Referrals to other MARACs: a victim who has moved away
for good is referred to their new MARAC, which a meeting still meaning to hear the case would stop). The coordinator
or chair confirms with a reason; the case leaves the agenda and case list, goes back to "Referred", and can then be
referred on. Refused, with nothing changed, once the meeting has started, the case has an outcome there, or agencies
have recorded anything for it."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from cases.models import CaseStatus
from cases.restriction_services import case_restrict
from meetings.models import CaseListRemoval, Listing, MeetingState, MeetingStatus, Outcome, Research
from meetings.tests.test_agenda_pages import _agenda_page, _meeting
from meetings.tests.test_case_list_changes import _list_at
from referrals.models import Transfer
from referrals.tests.test_accept_known_person import confirm_victim_held
from referrals.tests.test_decision_matching import submitted_referral
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

REASON = "Victim has moved permanently to another area"
TAKE_OFF = "Take off the agenda"
REFUSED = "cannot be taken off the agenda"


@pytest.fixture
def listing(client_for, referrer, coordinator):
    """A referral accepted through the decision page, and so listed at the next meeting."""
    referral = submitted_referral(client_for, referrer)
    client = client_for(coordinator)
    confirm_victim_held(client, referral)
    client.post(f"/referrals/{referral.pk}/decision/accept/")
    listing = Listing.objects.select_related("case", "meeting").get(case__referral=referral)
    assert listing.case.status == CaseStatus.LISTED
    return listing


def _url(listing):
    return f"/meetings/{listing.meeting_id}/listings/{listing.pk}/take-off/"


def _take_off(client, listing, reason=REASON):
    return client.post(_url(listing), {"reason": reason}, follow=True).content.decode()


def test_the_coordinator_takes_a_case_off_the_agenda_and_can_then_refer_it_on(
    client_for, coordinator, listing, other_marac
):
    client = client_for(coordinator)
    assert TAKE_OFF in _agenda_page(client, listing.meeting)
    transfer_url = f"/cases/{listing.case_id}/transfer/"
    assert 'name="reason"' not in client.get(transfer_url).content.decode()

    form = client.get(_url(listing)).content.decode()
    assert f"Take case {listing.case.reference} off the agenda" in form
    assert "govuk-warning-text" in form and 'name="reason"' in form

    page = _take_off(client, listing)

    assert f"Case {listing.case.reference} taken off the agenda" in page
    assert not Listing.objects.filter(pk=listing.pk).exists()
    assert CaseListRemoval.objects.filter(meeting=listing.meeting, case=listing.case).exists()
    listing.case.refresh_from_db()
    assert listing.case.status == CaseStatus.REFERRED
    summary = f"Case {listing.case_id} taken off the agenda of meeting {listing.meeting_id}"
    event = AuditEvent.objects.get(summary=summary)
    assert event.actor_id == coordinator.pk and event.changes["reason"] == REASON
    assert event.changes["status"] == {"from": "listed", "to": "referred"}

    refer = client.get(transfer_url).content.decode()
    assert 'name="reason"' in refer and "Hear it there" not in refer
    client.post(transfer_url, {"to_marac": other_marac.pk, "reason": REASON})
    assert Transfer.objects.filter(from_referral__case=listing.case).exists()


def test_the_chair_may_take_a_case_off_the_agenda(client_for, chair, listing):
    client = client_for(chair)
    assert TAKE_OFF in _agenda_page(client, listing.meeting)

    _take_off(client, listing)

    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_a_reason_is_required(client_for, coordinator, listing):
    page = _take_off(client_for(coordinator), listing, reason="")

    assert "There is a problem" in page and "Say why the case is taken off the agenda" in page
    assert Listing.objects.filter(pk=listing.pk).exists()


def _refused(client, listing):
    page = client.get(_url(listing)).content.decode()
    assert REFUSED in page and 'name="reason"' not in page
    posted = _take_off(client, listing)
    assert REFUSED in posted and "Nothing was changed" in posted
    assert Listing.objects.filter(pk=listing.pk).exists()
    assert not CaseListRemoval.objects.exists()
    listing.case.refresh_from_db()
    assert listing.case.status == CaseStatus.LISTED
    return posted


def test_it_refuses_once_the_meeting_has_started(client_for, coordinator, listing):
    MeetingState.objects.create(meeting=listing.meeting, status=MeetingStatus.IN_PROGRESS)
    client = client_for(coordinator)

    assert "This meeting has started" in _refused(client, listing)
    assert TAKE_OFF not in _agenda_page(client, listing.meeting)


def test_it_refuses_a_case_with_an_outcome(client_for, coordinator, listing):
    Listing.objects.filter(pk=listing.pk).update(outcome=Outcome.REVIEW)

    assert "already has an outcome" in _refused(client_for(coordinator), listing)


def test_it_refuses_a_case_researched_for_the_meeting(client_for, coordinator, police_rep, listing):
    Research.objects.create(listing=listing, agency=police_rep.agency, author=police_rep)

    assert "Agencies have recorded research" in _refused(client_for(coordinator), listing)


def test_representatives_and_outsiders_cannot_take_a_case_off(client_for, police_rep, outsider, listing):
    for user in (police_rep, outsider):
        client = client_for(user)
        assert client.get(_url(listing)).status_code == 404
        assert client.post(_url(listing), {"reason": REASON}).status_code == 404
    assert TAKE_OFF not in client_for(police_rep).get(f"/meetings/{listing.meeting_id}/").content.decode()
    assert Listing.objects.filter(pk=listing.pk).exists()


def test_a_restricted_case_is_not_offered_to_a_coordinator_not_named_on_it(
    client_for, marac, coordinator, police_rep, listing
):
    case_restrict(case=listing.case, named_users=[police_rep], by=coordinator)
    unnamed = grant(UserFactory(full_name="Cody Second", email="cody@example.invalid"), marac, Role.COORDINATOR)
    client = client_for(unnamed)

    assert listing.case.reference not in _agenda_page(client, listing.meeting)
    assert client.post(_url(listing), {"reason": REASON}).status_code == 404
    assert Listing.objects.filter(pk=listing.pk).exists()


def test_those_who_had_the_case_list_are_shown_as_needing_the_update(
    client_for, marac, coordinator, referrer, police_rep, django_capture_on_commit_callbacks
):
    emergency = _meeting(marac, days_ahead=2, emergency=True)
    listing = Listing.objects.get(meeting=emergency, case=_list_at(emergency, client_for, referrer, coordinator).case)
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/meetings/{emergency.pk}/case-list/release/")
    mail.outbox.clear()

    _take_off(client, listing)

    assert "1 case was taken off the list" in _agenda_page(client, emergency)


def test_a_case_listed_at_another_meeting_still_to_come_stays_listed(client_for, coordinator, listing):
    later = _meeting(listing.case.marac, days_ahead=60)
    Listing.objects.create(meeting=later, case=listing.case)

    _take_off(client_for(coordinator), listing)

    listing.case.refresh_from_db()
    assert listing.case.status == CaseStatus.LISTED
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_it_refuses_a_meeting_whose_time_has_come(client_for, coordinator, listing):
    type(listing.meeting).objects.filter(pk=listing.meeting_id).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    listing.meeting.refresh_from_db()

    assert "This meeting has started" in _refused(client_for(coordinator), listing)
