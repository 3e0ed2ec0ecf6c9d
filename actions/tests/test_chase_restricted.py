"""The weekly chase and the escalation to the chair count for each person only the actions they can open, as their
pages list them: an action on a restricted case only for those named on it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from actions.tasks import chase_overdue_actions
from actions.tests.tracking_data import action_for, case_at, meeting_at
from cases.restriction_services import case_restrict
from meetings.models import Listing
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_officer(marac, police_rep):
    user = UserFactory(full_name="Percy Constable", email="percy@example.invalid", agency=police_rep.agency)
    return grant(user, marac, Role.AGENCY_REPRESENTATIVE)


@pytest.fixture
def overdue_on_both(marac, coordinator, police_rep):
    """Two overdue police actions: one on an open case, one on a case restricted to the coordinator and police_rep."""
    overdue = timezone.localdate() - timedelta(days=3)
    meeting = meeting_at(marac)
    open_case = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0720"))
    restricted = Listing.objects.create(meeting=meeting, case=case_at(marac, "Hiddenia", reference="NB-0721"))
    action_for(open_case, police_rep.agency, coordinator, description="Flag the address", due_on=overdue)
    action_for(restricted, police_rep.agency, coordinator, description="Check the firearms licence", due_on=overdue)
    case_restrict(case=restricted.case, named_users=[police_rep], by=coordinator)


def _told(user):
    (message,) = [message for message in mail.outbox if message.to == [user.email]]
    return message


def test_each_officer_is_chased_for_the_actions_their_page_lists(
    client_for, police_rep, second_officer, overdue_on_both
):
    assert chase_overdue_actions.call()["chased"] == 2

    assert "2 actions" in _told(police_rep).subject
    assert "1 action " in _told(second_officer).subject + " "
    assert "1 action for" in _told(second_officer).body
    # The same count as the page, where the action on the restricted case is not listed for them.
    page = client_for(second_officer).get(reverse("actions:mine")).content.decode()
    assert "Flag the address" in page and "Check the firearms licence" not in page


def test_nobody_is_written_to_about_actions_they_cannot_open(marac, coordinator, police_rep, second_officer):
    restricted = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac, reference="NB-0722"))
    action_for(restricted, police_rep.agency, coordinator, due_on=timezone.localdate() - timedelta(days=3))
    case_restrict(case=restricted.case, named_users=[police_rep], by=coordinator)

    chase_overdue_actions.call()

    assert [message.to for message in mail.outbox] == [[police_rep.email]]


def test_a_chair_not_named_is_not_counted_the_restricted_action(marac, chair, coordinator, police_rep, overdue_on_both):
    named_chair = grant(UserFactory(full_name="Chloe Chair", email="chloe@example.invalid"), marac, Role.CHAIR)
    restricted_case = Listing.objects.get(case__reference="NB-0721").case
    case_restrict(case=restricted_case, named_users=[police_rep, named_chair], by=coordinator)
    meeting_at(marac, timezone.now() - timedelta(hours=1))  # the next meeting has come: escalated

    assert chase_overdue_actions.call()["escalated"] == 2

    assert _told(named_chair).subject.startswith("OpenMARAC: 2 actions")
    assert _told(chair).subject.startswith("OpenMARAC: 1 action ")
