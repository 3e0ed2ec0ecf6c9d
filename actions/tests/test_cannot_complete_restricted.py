"""An agency saying it cannot complete an action on a restricted case: only the coordinators and chairs named on
the case are told, as with the chase and the reopened action (tracking.emails_by_visible_count)."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from actions.tests.tracking_data import action_for, case_at, meeting_at
from cases.restriction_services import case_restrict
from meetings.models import Listing
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

REASON = "Checking the action the police cannot complete"


@pytest.fixture
def second_coordinator(marac):
    user = UserFactory(full_name="Cody Second", email="cody@example.invalid")
    return grant(user, marac, Role.COORDINATOR)


@pytest.fixture
def restricted_action(marac, coordinator, police_rep):
    listing = Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac, reference="NB-0730"))
    action = action_for(listing, police_rep.agency, coordinator, description="Check the firearms licence")
    case_restrict(case=listing.case, named_users=[police_rep], by=coordinator)
    return action


def _say_cannot_complete(client, action, capture):
    client.post(f"/cases/{action.case_id}/reason/", {"reason": REASON, "next": f"/cases/{action.case_id}/"})
    with capture(execute=True):
        response = client.post(
            reverse("actions:cannot", args=[action.pk]),
            {"completion_note": "The address is outside our force", "version": 1},
        )
    assert response.status_code == 302


def test_it_tells_only_the_coordinators_and_chairs_named_on_the_restricted_case(
    client_for,
    police_rep,
    coordinator,
    chair,
    second_coordinator,
    restricted_action,
    django_capture_on_commit_callbacks,
):
    _say_cannot_complete(client_for(police_rep), restricted_action, django_capture_on_commit_callbacks)

    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert mail.outbox[0].subject == "OpenMARAC: an agency cannot complete an action"


def test_a_chair_named_on_the_case_is_told_too(
    client_for,
    marac,
    police_rep,
    coordinator,
    chair,
    second_coordinator,
    restricted_action,
    django_capture_on_commit_callbacks,
):
    case_restrict(case=restricted_action.case, named_users=[police_rep, chair], by=coordinator)

    _say_cannot_complete(client_for(police_rep), restricted_action, django_capture_on_commit_callbacks)

    assert sorted(message.to for message in mail.outbox) == sorted([[coordinator.email], [chair.email]])
