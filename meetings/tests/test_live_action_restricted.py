"""Recording an action at the live meeting for a restricted case: only an agency with someone named on the case can
be given it (actions/services.py agency_not_named_on_case), or it would never see it nor be chased for it."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Action, ForWhom
from cases.restriction_services import case_restrict
from marac.models import MaracAgency
from meetings.live_services import confidentiality_sign, meeting_start
from meetings.models import Listing, Meeting, MeetingState
from referrals.calendar import WorkingCalendar, add_working_days
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(marac, chair, police_rep, coordinator):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(hours=1))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    MaracAgency.objects.create(marac=marac, agency=police_rep.agency, is_core=True, representative=police_rep)
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    case_restrict(case=listing.case, named_users=[chair, police_rep], by=coordinator)
    confidentiality_sign(meeting=meeting, user=chair)
    meeting_start(meeting=meeting, by=chair, other_day_confirmed=True)
    return listing


@pytest.fixture
def housing(marac):
    return MaracAgency.objects.create(marac=marac, agency=AgencyFactory(name="Northbrook Housing")).agency


def _record(client, listing, agency):
    due = add_working_days(timezone.localtime(listing.meeting.starts_at).date(), 5, calendar=WorkingCalendar())
    url = f"/meetings/{listing.meeting_id}/live/{listing.pk}/actions/"
    return client.post(url, {"owner_agency": agency.pk, "description": "Assess for a management transfer.",
                             "for_whom": ForWhom.VICTIM, "due_on": due.isoformat()})  # fmt: skip


def _chair_with_a_reason(client_for, chair, listing):
    client = client_for(chair)
    client.post(f"/cases/{listing.case_id}/reason/", {"reason": "Chairing the meeting", "next": "/"})
    return client


def test_it_refuses_an_action_for_an_agency_no_one_of_which_is_named_on_the_case(client_for, chair, listing, housing):
    client = _chair_with_a_reason(client_for, chair, listing)
    page = client.get(f"/meetings/{listing.meeting_id}/live/{listing.pk}/").content.decode()
    assert "only an agency with someone named on it can be given the action" in page

    response = _record(client, listing, housing)

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Northbrook Housing cannot be given this action: the case is restricted and no one from Northbrook Housing "
        "is named on it, so they would not see the action or be chased for it. Name someone from Northbrook Housing "
        "on the case&#x27;s restriction first, or choose another agency"
    ) in page
    assert "Assess for a management transfer." in page  # what was typed is kept
    assert not Action.objects.filter(listing=listing, is_standard=False).exists()


def test_it_records_an_action_for_an_agency_named_on_the_case(client_for, chair, police_rep, listing):
    response = _record(_chair_with_a_reason(client_for, chair, listing), listing, police_rep.agency)

    assert response.status_code == 302
    assert Action.objects.get(listing=listing, is_standard=False).owner_agency == police_rep.agency
