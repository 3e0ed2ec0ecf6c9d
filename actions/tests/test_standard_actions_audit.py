"""The standard actions a case gets when the chair opens it at the meeting are each recorded in the audit trail,
under their own number, as an action recorded by hand is: the trail finds every one of them, and hides them with the
rest of a restricted case's records from anyone not named on it. Before, one entry named the actions in a list cut at
40 characters, and a search for most of them found nothing."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from actions.models import Action
from cases.restriction_services import case_restrict
from marac.models import AgencyType, MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from testing.factories import AgencyFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(marac, chair):
    core = [
        ("Northbrook Police", AgencyType.POLICE),
        ("Northbrook IDVAs", AgencyType.IDVA_SERVICE),
        ("Northbrook Homes", AgencyType.HOUSING),
        ("Northbrook Probation", AgencyType.PROBATION),
    ]
    for name, kind in core:
        MaracAgency.objects.create(marac=marac, agency=AgencyFactory(name=name, agency_type=kind), is_core=True)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    confidentiality_sign(meeting=meeting, user=chair)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))


def _trail_of(client, action):
    response = client.get("/audit/", {"object_type": "actions.action", "object_id": str(action.pk), "action": "create"})
    return response.content.decode().split("<tbody")[1]


def test_each_standard_action_is_found_in_the_audit_trail(client_for, chair, coordinator, listing):
    client_for(chair).post(f"/meetings/{listing.meeting_id}/live/{listing.pk}/open/")

    standard = list(Action.objects.filter(listing=listing, is_standard=True).order_by("id"))
    assert len(standard) == 7  # flag and tag for each of the four core agencies, and three more
    for number, action in enumerate(standard, start=1):
        trail = _trail_of(client_for(coordinator), action)
        assert (
            f"Added standard action {number} of 7 for agency {action.owner_agency_id} on listing {listing.pk}" in trail
        )


def test_a_restricted_case_s_standard_actions_are_hidden_from_a_coordinator_not_named(
    client_for, chair, coordinator, marac, listing
):
    case_restrict(case=listing.case, named_users=[chair], by=coordinator)
    chair_client = client_for(chair)
    chair_client.post(f"/cases/{listing.case_id}/reason/", {"reason": "Chairing the meeting", "next": "/"})
    chair_client.post(f"/meetings/{listing.meeting_id}/live/{listing.pk}/open/")
    second = grant(UserFactory(full_name="Cody Second", email="cody@example.invalid"), marac, Role.COORDINATOR)

    trail = client_for(second).get("/audit/", {"object_type": "actions.action"}).content.decode()

    assert Action.objects.filter(listing=listing, is_standard=True).exists()
    assert "standard action" not in trail
    assert "standard action" in client_for(coordinator).get("/audit/").content.decode()
