"""Closing a meeting that holds restricted cases the chair is not named on: what the chair is told (the cases not
heard, the cases heard with no outcome, how many) is only about the cases they may see, exactly as if the hidden ones
were not there, and the hidden ones never stop the close. A hidden case not heard follows the choice made for all
the cases not heard (held over when there was none), and is left unheard when it cannot be held over; one heard with
no outcome is kept open for review."""

from cases.models import CaseRestriction, CaseStatus
from meetings import live_rules
from meetings.live_services import listing_move_on, listing_open
from meetings.models import Listing, MeetingStatus, Outcome
from meetings.tests.test_live_close_and_dates import (
    _close,
    _later_meeting,
    _listed,
    _meeting,
    _running,
    _status,
    pages,
)

HIDDEN = "NB-2026-0699"


def _hidden(meeting, coordinator):
    """A case listed at the meeting, restricted to the coordinator only."""
    (listing,) = _listed(meeting, HIDDEN, restricted=True)
    CaseRestriction.objects.create(case=listing.case, user=coordinator, added_by=coordinator)
    return listing


def _confirm_page(client, meeting):
    return _close(client, meeting).content.decode()


@pages
def test_the_chair_is_told_only_of_the_cases_not_heard_they_may_see(client_for, chair, coordinator, marac):
    meeting = _meeting(marac)
    _later_meeting(meeting)
    _listed(meeting, "NB-2026-0602")
    _hidden(meeting, coordinator)
    _running(meeting, chair, coordinator)

    page = _confirm_page(client_for(chair), meeting)
    named = _confirm_page(client_for(coordinator), meeting)

    assert "1 case listed at this meeting has not been heard." in page
    assert HIDDEN not in page and "restricted" not in page.lower()
    assert "2 cases listed at this meeting have not been heard." in named and HIDDEN in named


@pages
def test_with_only_hidden_cases_not_heard_the_chair_is_asked_nothing_and_the_meeting_closes(
    client_for, chair, coordinator, marac
):
    meeting = _meeting(marac)
    later = _later_meeting(meeting)
    hidden = _hidden(meeting, coordinator)
    _running(meeting, chair)
    client = client_for(chair)

    page = _confirm_page(client, meeting)
    assert "Cases not heard" not in page
    assert "Why were they not heard?" not in page
    assert "restricted" not in page.lower()

    assert _close(client, meeting, {"confirmed": "yes"}).status_code == 302
    assert _status(meeting) == MeetingStatus.CLOSED
    hidden.refresh_from_db()
    assert hidden.outcome == Outcome.HELD_OVER
    held = Listing.objects.get(case=hidden.case, held_over_from=meeting)
    assert (held.meeting, held.held_over_reason) == (later, live_rules.CLOSED_BEFORE_HEARD)


@pages
def test_a_hidden_case_that_cannot_be_held_over_is_not_named_and_does_not_stop_the_close(
    client_for, chair, coordinator, marac
):
    meeting = _meeting(marac)
    later = _later_meeting(meeting)
    (seen,) = _listed(meeting, "NB-2026-0602")
    hidden = _hidden(meeting, coordinator)
    Listing.objects.create(meeting=later, case=hidden.case)  # already listed at the next meeting
    _running(meeting, chair)

    data = {"confirmed": "yes", "for_all": live_rules.HOLD_OVER, "reason": "Out of time"}
    response = _close(client_for(chair), meeting, data)

    assert response.status_code == 302
    assert HIDDEN not in response.content.decode()
    assert _status(meeting) == MeetingStatus.CLOSED
    seen.refresh_from_db()
    hidden.refresh_from_db()
    assert seen.outcome == Outcome.HELD_OVER
    assert hidden.decisions_minute == "Not heard at this meeting: Out of time"
    assert hidden.case.status == CaseStatus.LISTED  # still listed, at the next meeting


@pages
def test_the_chair_is_not_told_of_a_hidden_case_heard_with_no_outcome(client_for, chair, coordinator, marac):
    meeting = _meeting(marac)
    hidden = _hidden(meeting, coordinator)
    _running(meeting, chair, coordinator)
    listing_open(listing=hidden, by=coordinator)
    listing_move_on(listing=hidden, by=coordinator)
    client = client_for(chair)

    page = _confirm_page(client, meeting)
    assert "no outcome" not in page
    assert "restricted" not in page.lower()
    assert "Cases heard with no outcome" in _confirm_page(client_for(coordinator), meeting)

    assert _close(client, meeting, {"confirmed": "yes"}).status_code == 302
    assert Listing.objects.get(pk=hidden.pk).outcome == Outcome.REVIEW


@pages
def test_moving_on_skips_a_case_the_chair_may_not_see_and_leaves_it_unopened(client_for, chair, coordinator, marac):
    """The chair's "next case" is the next they may see: a restricted case is heard by those named on it, and
    opening it in the chair's name would start its clock and add its standard actions unseen."""
    meeting = _meeting(marac)
    (shown,) = _listed(meeting, "NB-2026-0602")
    hidden = _hidden(meeting, coordinator)
    _running(meeting, chair, coordinator)
    listing_open(listing=shown, by=chair)
    client = client_for(chair)

    response = client.post(f"/meetings/{meeting.pk}/live/{shown.pk}/next/", {"confirmed": "yes"}, follow=True)

    assert response.status_code == 200
    assert "Every case has been heard" in response.content.decode()
    hidden.refresh_from_db()
    assert hidden.started_at is None and not hidden.actions.exists()
    # The coordinator, named on it, is taken to it.
    listing_open(listing=hidden, by=coordinator)
    assert listing_move_on(listing=hidden, by=coordinator) is None
