"""BD MARAC List and Emergency MARAC: a case moved to an emergency MARAC after its meeting's case list went out is no
longer on that list, so the list the representatives hold is out of date. The meeting page says so, as it does for a
case held over, and the update goes to those who had the list: for a restricted case, only to those named on it."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from cases.restriction_services import case_restrict
from meetings.models import Listing
from meetings.tests.test_agenda_pages import _agenda_page, _meeting
from meetings.tests.test_case_list_changes import UPDATE_BUTTON, _list_at
from referrals.calendar import WorkingCalendar, is_working_day
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

TAKEN_OFF = (
    "1 case was taken off the list (held over, moved to an emergency MARAC or taken off the agenda) after the case "
    "list was sent"
)


@pytest.fixture
def first(marac):
    """The emergency MARAC the case is listed at first: its case list can go out at once."""
    return _meeting(marac, days_ahead=2, emergency=True)


@pytest.fixture
def listed(client_for, referrer, coordinator, chair, police_rep, idva, first):
    """A referral accepted and listed at the first emergency MARAC, with the four representatives in post."""
    return _list_at(first, client_for, referrer, coordinator)


def _release(client, meeting, capture):
    with capture(execute=True):
        client.post(f"/meetings/{meeting.pk}/case-list/release/")
    mail.outbox.clear()


def _move_to_another_emergency_marac(client, referral, first):
    """Listed at an emergency MARAC called for another working day, at 14:00, through the decision page."""
    ahead = [timezone.localdate() + datetime.timedelta(days=offset) for offset in range(1, 15)]
    day = next(day for day in ahead if is_working_day(day, WorkingCalendar()) and day != first.starts_at.date())
    response = client.post(f"/referrals/{referral.pk}/decision/emergency/", {"day": day.isoformat(), "at": "14:00"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.meeting_id != first.pk and referral.meeting.is_emergency
    assert not Listing.objects.filter(meeting=first, case=referral.case).exists()


def _send_update(client, meeting, capture):
    with capture(execute=True):
        return client.post(f"/meetings/{meeting.pk}/case-list/send-update/", follow=True).content.decode()


def test_a_case_moved_to_an_emergency_marac_is_shown_and_the_update_goes_to_those_who_had_the_list(
    client_for, coordinator, chair, police_rep, idva, first, listed, django_capture_on_commit_callbacks
):
    desk = client_for(coordinator)
    _release(desk, first, django_capture_on_commit_callbacks)
    _move_to_another_emergency_marac(desk, listed, first)

    page = _agenda_page(desk, first)
    assert TAKEN_OFF in page
    assert "4 representatives have not had the updated list." in page
    assert UPDATE_BUTTON in page

    text = _send_update(desk, first, django_capture_on_commit_callbacks)

    assert "The updated case list was sent to 4 representatives" in text
    had_it = [coordinator.email, chair.email, police_rep.email, idva.email]
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(had_it)
    for message in mail.outbox:
        assert "has changed since it was sent to you" in message.body
        assert listed.case.reference not in message.subject + message.body
    assert "taken off the list" not in text and UPDATE_BUTTON not in text


def test_a_case_moved_before_the_list_went_out_changes_nothing(
    client_for, coordinator, first, listed, django_capture_on_commit_callbacks
):
    desk = client_for(coordinator)
    _move_to_another_emergency_marac(desk, listed, first)
    _release(desk, first, django_capture_on_commit_callbacks)

    page = _agenda_page(desk, first)

    assert "taken off the list" not in page and UPDATE_BUTTON not in page


def test_a_restricted_case_moved_away_is_a_change_only_for_those_named_on_it(
    client_for, marac, coordinator, police_rep, first, listed, django_capture_on_commit_callbacks
):
    unnamed = grant(UserFactory(full_name="Cody Second", email="cody@example.invalid"), marac, Role.COORDINATOR)
    desk = client_for(coordinator)
    _release(desk, first, django_capture_on_commit_callbacks)
    _move_to_another_emergency_marac(desk, listed, first)
    # Restricted now, naming the police representative (and the coordinator, who restricts it).
    case_restrict(case=listed.case, named_users=[police_rep], by=coordinator)

    unnamed_page = _agenda_page(client_for(unnamed), first)
    assert "taken off the list" not in unnamed_page and UPDATE_BUTTON not in unnamed_page
    page = _agenda_page(desk, first)
    assert TAKEN_OFF in page
    assert "2 representatives have not had the updated list." in page

    text = _send_update(desk, first, django_capture_on_commit_callbacks)

    assert "The updated case list was sent to 2 representatives" in text
    assert sorted(to for message in mail.outbox for to in message.to) == sorted([coordinator.email, police_rep.email])


def test_a_listing_made_before_listing_times_were_kept_counts_too(
    client_for, coordinator, first, listed, django_capture_on_commit_callbacks
):
    # Listings older than meetings migration 0005 have no listed_at, but were on their case lists all the same.
    Listing.objects.filter(meeting=first, case=listed.case).update(listed_at=None)
    desk = client_for(coordinator)
    _release(desk, first, django_capture_on_commit_callbacks)
    _move_to_another_emergency_marac(desk, listed, first)

    assert TAKEN_OFF in _agenda_page(desk, first)
