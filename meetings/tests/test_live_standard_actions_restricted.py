"""Opening a restricted case at the live meeting gives each core agency its standard actions, even one with no one
named on the case. Refusing them would be wrong, but that agency would never see them nor be chased for them
(actions/services.py agency_not_named_on_case), so the live case page warns the chair and coordinator."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from actions.models import Action
from cases.restriction_services import case_restrict
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from testing.factories import AgencyFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

WARNING = "no one from the agency given each of these standard actions is named on it"


@pytest.fixture
def listing(marac, chair, police_rep):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    confidentiality_sign(meeting=meeting, user=chair)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    return listing


@pytest.fixture
def housing(marac):
    return MaracAgency.objects.create(marac=marac, agency=AgencyFactory(name="Northbrook Housing"), is_core=True).agency


def _open_case(client, listing):
    client.post(f"/cases/{listing.case_id}/reason/", {"reason": "Chairing the meeting", "next": "/"})
    response = client.post(f"/meetings/{listing.meeting_id}/live/{listing.pk}/open/")
    assert response.status_code == 302
    return client.get(f"/meetings/{listing.meeting_id}/live/{listing.pk}/").content.decode()


def test_it_warns_of_standard_actions_for_an_agency_no_one_of_which_is_named_on_the_case(
    client_for, chair, police_rep, coordinator, listing, housing
):
    case_restrict(case=listing.case, named_users=[chair, police_rep], by=coordinator)

    page = _open_case(client_for(chair), listing)

    # Not refused: the standard action is made, and the page says whose it is and what to do.
    action = Action.objects.get(listing=listing, is_standard=True, owner_agency=housing)
    assert WARNING in page
    assert f"<li>Northbrook Housing: {escape(action.description)}</li>" in page
    assert "name someone from that agency on the" in page
    assert f'href="/cases/{listing.case_id}/restriction/"' in page
    assert "or pass the action to another agency" in page
    assert f"<li>{police_rep.agency.name}:" not in page  # someone from the police is named on the case


def test_it_stops_warning_once_someone_from_the_agency_is_named_on_the_case(
    client_for, chair, police_rep, coordinator, listing, housing
):
    case_restrict(case=listing.case, named_users=[chair, police_rep], by=coordinator)
    client = client_for(chair)
    assert WARNING in _open_case(client, listing)

    housing_officer = grant(
        UserFactory(full_name="Hana Housing", agency=housing), listing.meeting.marac, Role.AGENCY_REPRESENTATIVE
    )
    case_restrict(case=listing.case, named_users=[chair, police_rep, housing_officer], by=coordinator)

    assert WARNING not in client.get(f"/meetings/{listing.meeting_id}/live/{listing.pk}/").content.decode()


def test_it_does_not_warn_on_a_case_that_is_not_restricted(client_for, chair, listing, housing):
    page = _open_case(client_for(chair), listing)

    assert Action.objects.filter(listing=listing, is_standard=True, owner_agency=housing).exists()
    assert WARNING not in page


def test_it_warns_only_those_running_the_meeting(client_for, chair, police_rep, coordinator, listing, housing):
    case_restrict(case=listing.case, named_users=[chair, police_rep], by=coordinator)
    assert WARNING in _open_case(client_for(chair), listing)
    confidentiality_sign(meeting=listing.meeting, user=police_rep)
    client = client_for(police_rep)
    client.post(f"/cases/{listing.case_id}/reason/", {"reason": "Police research", "next": "/"})

    response = client.get(f"/meetings/{listing.meeting_id}/live/{listing.pk}/")

    assert response.status_code == 200
    assert "Northbrook Housing" in response.content.decode()  # the action plan shows the action itself
    assert WARNING not in response.content.decode()
