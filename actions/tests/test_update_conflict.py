"""Two people with the same action's form open: the second to save is shown the page again with what they typed
still in the form, and what the first recorded, and nothing of theirs is saved (tracking_views._form_after_conflict).
Before, they were sent back to the list and what they typed was lost."""

from datetime import timedelta

import pytest
from django.urls import reverse

from actions import tracking
from actions.models import ActionStatus
from actions.tests.tracking_data import action_for, case_at, meeting_at
from marac.models import MaracAgency
from meetings.models import Listing, MeetingState

pytestmark = pytest.mark.django_db

THEIRS = "Police e-mailed: flag added on Monday"
MINE = "Flagged on the system today, and the response team briefed"


@pytest.fixture
def police_action(marac, police_rep, coordinator):
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency)
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=7))
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0760"))
    return action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response")


def _assert_kept(response, *, typed, recorded, status):
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else updated this action while you were on this page" in page
    assert "Nothing has been saved" in page
    assert typed in page  # what they typed, in the form
    assert recorded in page  # what the other person recorded
    assert f'<dd class="govuk-summary-list__value">{status}</dd>' in page
    return page


def test_marking_done_after_someone_else_did_keeps_the_text_and_shows_theirs(
    client_for, coordinator, police_rep, police_action
):
    url = reverse("actions:done", args=[police_action.pk])
    client_for(coordinator).post(url, {"completion_note": THEIRS, "version": 1})

    response = client_for(police_rep).post(url, {"completion_note": MINE, "version": 1})

    page = _assert_kept(response, typed=MINE, recorded=THEIRS, status="Done")
    assert ">Mark done</button>" not in page  # sending it again could not be saved
    police_action.refresh_from_db()
    assert (police_action.status, police_action.completion_note) == (ActionStatus.DONE, THEIRS)


def test_saying_it_cannot_be_completed_after_someone_marked_it_done_keeps_the_text(
    client_for, coordinator, police_rep, police_action
):
    client_for(coordinator).post(reverse("actions:done", args=[police_action.pk]), {"completion_note": THEIRS,
                                                                                    "version": 1})  # fmt: skip
    url = reverse("actions:cannot", args=[police_action.pk])

    response = client_for(police_rep).post(url, {"completion_note": "The address is outside our force", "version": 1})

    _assert_kept(response, typed="The address is outside our force", recorded=THEIRS, status="Done")
    police_action.refresh_from_db()
    assert police_action.completion_note == THEIRS


def test_resolving_after_someone_else_resolved_keeps_the_text_and_shows_their_decision(
    client_for, coordinator, chair, police_rep, police_action
):
    tracking.action_cannot_complete(action=police_action, reason="Outside our force", based_on_version=1,
                                    by=police_rep)  # fmt: skip
    url = reverse("actions:resolve", args=[police_action.pk])
    client_for(chair).post(url, {"outcome": "close", "reason": "No other agency can do it", "version": 2})

    mine = "Agreed with the inspector to try again next month"
    response = client_for(coordinator).post(url, {"outcome": "close", "reason": mine, "version": 2})

    page = _assert_kept(response, typed=mine, recorded="No other agency can do it", status="Not completed")
    assert "Record the resolution</button>" not in page
    police_action.refresh_from_db()
    assert police_action.status == ActionStatus.NOT_COMPLETED
    assert [each.reason for each in police_action.resolutions.all()] == ["No other agency can do it"]


def test_reopening_after_someone_else_reopened_keeps_the_text(client_for, coordinator, police_rep, police_action):
    tracking.action_complete(action=police_action, note="Wrong one ticked", based_on_version=1, by=police_rep)
    tracking.action_reopen_done(action=police_action, reason="The police ticked the wrong action",
                                based_on_version=2, by=coordinator)  # fmt: skip

    url = reverse("actions:reopen_done", args=[police_action.pk])
    response = client_for(coordinator).post(url, {"reason": "Marked done by mistake", "version": 2})

    _assert_kept(response, typed="Marked done by mistake", recorded="The police ticked the wrong action", status="Open")
    assert police_action.resolutions.count() == 1


def test_opening_the_page_of_an_action_no_longer_open_still_goes_back_to_the_list(
    client_for, coordinator, police_rep, police_action
):
    tracking.action_complete(action=police_action, note=THEIRS, based_on_version=1, by=coordinator)

    response = client_for(police_rep).get(reverse("actions:done", args=[police_action.pk]))

    assert response.status_code == 302
