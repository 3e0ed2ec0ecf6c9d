"""The agenda of a meeting holding a restricted case, for a representative not named on it, on the page and in the
API alike: the slots are worked out from the cases they see, so no gap, late first slot or later finish gives the
hidden case away; the times are never later than the real ones (a case left out only moves the others earlier), and
the page says they are a guide. A meeting holding only hidden cases reads as one with no cases."""

import datetime
import re

import pytest
from django.utils import timezone

from cases.models import CaseParty, CaseRestriction, PartyRole
from meetings.models import Listing, Meeting, MeetingState
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

HIDDEN = "NB-2026-0699"
GUIDE = "Slot times are a guide: be there from the start of your case's slot"


@pytest.fixture
def released(marac):
    day = timezone.localdate() + datetime.timedelta(days=4)
    starts_at = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=timezone.get_current_timezone())
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return meeting


def _listed(meeting, reference, *, children=False):
    case = CaseFactory(marac=meeting.marac, reference=reference)
    if children:  # heard first
        child = PersonFactory(marac=meeting.marac, given_name="Tiny", date_of_birth=datetime.date(2019, 6, 1))
        CaseParty.objects.create(case=case, person=child, role=PartyRole.CHILD)
    return Listing.objects.create(meeting=meeting, case=case)


def _hidden(meeting, coordinator):
    """A case with children, so heard before the others, restricted to the coordinator."""
    listing = _listed(meeting, HIDDEN, children=True)
    listing.case.restricted = True
    listing.case.save(update_fields=["restricted"])
    CaseRestriction.objects.create(case=listing.case, user=coordinator, added_by=coordinator)
    return listing


def _page(client, meeting):
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _api(client, meeting):
    response = client.get(f"/api/v1/meetings/{meeting.pk}/agenda")
    assert response.status_code == 200
    return response.json()


def _at(text):
    return datetime.datetime.fromisoformat(text)


def test_a_representative_s_slots_leave_no_gap_where_a_hidden_case_is_heard(
    client_for, police_rep, coordinator, marac, released
):
    _hidden(released, coordinator)
    _listed(released, "NB-2026-0601")
    slot = datetime.timedelta(minutes=marac.minutes_per_case)
    rep = client_for(police_rep)

    page, api = _page(rep, released), _api(rep, released)

    assert HIDDEN not in page
    assert "09:30 to 09:45" in page
    assert 'data-testid="predicted-finish">09:45<' in page
    assert GUIDE in page
    assert [row["case_reference"] for row in api["listings"]] == ["NB-2026-0601"]
    assert _at(api["listings"][0]["slot_starts_at"]) == released.starts_at
    assert _at(api["predicted_finish"]) == released.starts_at + slot
    # The coordinator named on it sees it first, and the other case after it.
    named = _api(client_for(coordinator), released)
    assert [row["case_reference"] for row in named["listings"]] == [HIDDEN, "NB-2026-0601"]
    assert _at(named["listings"][1]["slot_starts_at"]) == released.starts_at + slot
    assert _at(named["predicted_finish"]) == released.starts_at + 2 * slot


def test_a_meeting_holding_only_hidden_cases_reads_as_one_with_none(client_for, police_rep, coordinator, released):
    rep = client_for(police_rep)
    before_page, before_api = _page(rep, released), _api(rep, released)
    _hidden(released, coordinator)

    page, api = _page(rep, released), _api(rep, released)

    assert page == before_page
    assert "No cases are listed for this meeting yet." in page
    assert GUIDE in page
    assert api["listings"] == [] and api["held_over"] == []
    assert api["predicted_finish"] == before_api["predicted_finish"]
    assert _at(api["predicted_finish"]) == released.starts_at
