"""Whose research a coordinator may record and read on a listed case (BD Research): an agency of the listing's MARAC,
or the agency that referred the case, never one of another MARAC's agencies (the page and the API answer 404, as
for anything outside need-to-know)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from api.tests.conftest import bearer, issue_token  # noqa: F401 - fixtures shared with the API's own tests
from marac.models import MaracAgency
from meetings.models import Listing, Meeting, MeetingState, Research
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timedelta(days=3))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac, reference="NB-00700"))


@pytest.fixture
def theirs(other_marac):
    """An agency of Southmere's MARAC only."""
    agency = AgencyFactory(name="Southmere Housing Trust")
    MaracAgency.objects.create(marac=other_marac, agency=agency)
    return agency


@pytest.fixture
def ours(marac):
    agency = AgencyFactory(name="Northbrook Housing")
    MaracAgency.objects.create(marac=marac, agency=agency)
    return agency


@pytest.fixture
def coordination(marac, coordinator, bearer, issue_token):  # noqa: F811
    return bearer(issue_token(marac, Role.COORDINATOR, agency=coordinator.agency))


def _page(listing, agency):
    return reverse("meetings_research:research_for_agency", args=[listing.pk, agency.pk])


def _api(listing, agency):
    return f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/research?agency={agency.pk}"


def _submission():
    return {"known_to_agency": "no", "version": 0}


def test_a_coordinator_gets_a_404_for_another_marac_s_agency(client_for, coordinator, listing, theirs):
    client = client_for(coordinator)

    page = client.get(_page(listing, theirs))
    assert page.status_code == 404
    assert "Southmere Housing Trust" not in page.content.decode()
    assert client.post(_page(listing, theirs), _submission()).status_code == 404
    assert not Research.objects.exists()


def test_the_api_gives_a_coordinator_a_404_for_another_marac_s_agency(coordination, listing, theirs):
    assert coordination.get(_api(listing, theirs)).status_code == 404
    put = coordination.put(_api(listing, theirs), {"version": 0, "known_to_agency": False}, "application/json")
    assert put.status_code == 404
    assert not Research.objects.exists()


def test_a_coordinator_records_a_submission_for_one_of_the_marac_s_agencies(
    client_for, coordination, coordinator, listing, ours
):
    assert client_for(coordinator).get(_page(listing, ours)).status_code == 200
    assert client_for(coordinator).post(_page(listing, ours), _submission()).status_code == 302
    assert Research.objects.get(listing=listing).agency == ours
    assert coordination.get(_api(listing, ours)).json()["agency"] == "Northbrook Housing"


def test_a_coordinator_records_a_submission_for_the_agency_that_referred_the_case(
    client_for, coordination, coordinator, listing, theirs
):
    # A case may be referred by an agency from elsewhere; its research is part of the case.
    listing.case.referring_agency = theirs
    listing.case.save(update_fields=["referring_agency"])

    assert client_for(coordinator).post(_page(listing, theirs), _submission()).status_code == 302
    assert Research.objects.get(listing=listing).agency == theirs
    assert coordination.get(_api(listing, theirs)).status_code == 200


def test_a_coordinator_opens_research_an_agency_recorded_before_it_left_the_marac(
    client_for, coordinator, police_rep, listing
):
    # The research grid keeps a column for it, and links to its research.
    Research.objects.create(listing=listing, agency=police_rep.agency, author=police_rep, known_to_agency=False)
    assert client_for(coordinator).get(_page(listing, police_rep.agency)).status_code == 200


def test_an_outsider_coordinator_gets_a_404_for_their_own_marac_s_agency(client_for, outsider, listing, theirs):
    assert client_for(outsider).get(_page(listing, theirs)).status_code == 404
