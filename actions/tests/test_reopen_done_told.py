"""Reopening an action marked done by mistake: the agency is told by e-mail, as when an action is passed on or
reopened with a new date (a count-free link, nothing about the case), and the reopened action is chased again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions import tracking
from actions.models import Action, ActionStatus
from actions.tasks import chase_overdue_actions
from actions.tests.tracking_data import action_for, case_at, meeting_at
from marac.models import MaracAgency
from meetings.models import Listing, MeetingState

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_overdue(marac, police_rep, coordinator):
    """An action due last week, chased, escalated, and then marked done by mistake."""
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, representative=police_rep)
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=7))
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0770"))
    action = action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response",
                        due_on=timezone.localdate() - timedelta(days=8))  # fmt: skip
    Action.objects.filter(pk=action.pk).update(
        chased_at=timezone.now() - timedelta(days=1), escalated_at=timezone.now()
    )
    return tracking.action_complete(action=action, note="Wrong one ticked", based_on_version=1, by=police_rep)


def test_the_agency_is_told_and_the_action_is_chased_again(
    client_for, coordinator, police_rep, done_overdue, django_capture_on_commit_callbacks
):
    url = reverse("actions:reopen_done", args=[done_overdue.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(url, {"reason": "The police marked the wrong action", "version": 2})

    assert response.status_code == 302
    (told,) = mail.outbox
    assert told.to == [police_rep.email]
    assert told.subject == "OpenMARAC: an action for your agency is open again"
    assert "reopened an action Northbrook Constabulary had marked done" in told.body
    assert reverse("actions:mine") in told.body
    for personal in ("NB-0770", "Fictionalia", "Flag the address", "wrong action", "Wrong one ticked"):
        assert personal not in told.subject + told.body

    done_overdue.refresh_from_db()
    assert (done_overdue.status, done_overdue.chased_at, done_overdue.escalated_at) == (ActionStatus.OPEN, None, None)
    mail.outbox.clear()
    assert chase_overdue_actions.call()["chased"] == 1  # chased again at once, not a week after the earlier chase
    assert [message.to for message in mail.outbox] == [[police_rep.email]]
