"""BD Completion of Actions: actions "not completed by the date of the next meeting" go to the chair. The next meeting
is the MARAC's next ordinary one: an emergency meeting held meanwhile for another case is not it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from actions.tasks import chase_overdue_actions
from actions.tests.tracking_data import action_for, case_at, meeting_at
from meetings.models import Listing, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(marac, police_rep, coordinator):
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac, reference="NB-0750"))
    return action_for(listing, police_rep.agency, coordinator, due_on=timezone.localdate() - timedelta(days=5))


def _to_chair(chair):
    return [message for message in mail.outbox if message.to == [chair.email]]


def test_an_emergency_meeting_is_not_the_next_meeting_the_chair_hears_of_open_actions_at(marac, chair, overdue):
    Meeting.objects.create(marac=marac, starts_at=timezone.now() - timedelta(hours=1), is_emergency=True)
    ordinary = meeting_at(marac, timezone.now() + timedelta(days=20))

    assert chase_overdue_actions.call()["escalated"] == 0
    overdue.refresh_from_db()
    assert overdue.escalated_at is None
    assert _to_chair(chair) == []

    # The ordinary meeting comes: now the chair hears of it.
    Meeting.objects.filter(pk=ordinary.pk).update(starts_at=timezone.now() - timedelta(minutes=30))
    assert chase_overdue_actions.call()["escalated"] == 1
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    assert len(_to_chair(chair)) == 1
