"""What the live pages read in statements written out by hand (live_services): the same answers as the rules
applied to the rows themselves, on SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import CaseParty, PartyRole
from marac.models import MaracAgency
from meetings import live_rules
from meetings.live_services import ListingFacts, core_agencies_missing, listing_facts
from meetings.models import Attendance, AttendanceCapacity, Listing, Meeting, Research
from testing.factories import AgencyFactory, CaseFactory, MaracFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

CAPACITIES = [choice for choice, _ in AttendanceCapacity.choices]


class _Rollback(Exception):
    pass


# Per agency: is it core, its register rows (capacity, present) and its research (at this meeting?, in writing?).
agency_facts = st.tuples(
    st.booleans(),
    st.lists(st.tuples(st.sampled_from(CAPACITIES), st.booleans()), max_size=2),
    st.lists(st.tuples(st.booleans(), st.booleans()), max_size=2),
)


def _register_entries(meeting):
    """The register as the rule reads it, from the rows (what live_services read before the statement)."""
    written = Research.objects.filter(listing__meeting=meeting, is_written_submission=True)
    return [
        live_rules.RegisterEntry(agency_id=agency_id, present=False, written_submission=True)
        for agency_id in written.values_list("agency_id", flat=True)
    ] + [
        live_rules.RegisterEntry(
            agency_id=row.agency_id,
            present=row.present and row.capacity != AttendanceCapacity.WRITTEN_SUBMISSION,
            written_submission=row.capacity == AttendanceCapacity.WRITTEN_SUBMISSION,
        )
        for row in meeting.attendance.exclude(capacity=AttendanceCapacity.OBSERVER)
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(agencies=st.lists(agency_facts, min_size=1, max_size=4))
def test_the_missing_core_agencies_are_those_the_rule_finds_in_the_register(marac, agencies):
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=1))
            other = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=8))
            here = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
            there = Listing.objects.create(meeting=other, case=CaseFactory(marac=marac))
            author = UserFactory(with_mfa=False)
            core = []
            for is_core, register, research in agencies:
                agency = AgencyFactory()
                MaracAgency.objects.create(marac=marac, agency=agency, is_core=is_core)
                if is_core:
                    core.append((agency.pk, agency.name))
                for capacity, present in register:  # an observer row named with an agency still does not count
                    Attendance.objects.create(meeting=meeting, agency=agency, capacity=capacity, present=present)
                for at_this_meeting, in_writing in research:
                    Research.objects.get_or_create(
                        listing=here if at_this_meeting else there, agency=agency,
                        defaults={"author": author, "is_written_submission": in_writing},
                    )  # fmt: skip
            # An agency at another MARAC, present, changes nothing.
            MaracAgency.objects.create(marac=MaracFactory(), agency=AgencyFactory(), is_core=True)
            expected = live_rules.core_agencies_missing(
                core_agencies=sorted(core, key=lambda pair: pair[1]), register=_register_entries(meeting)
            )
            assert core_agencies_missing(meeting) == expected
            raise _Rollback
    except _Rollback:
        pass


def test_an_observer_or_apologies_leave_a_core_agency_missing(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=1))
    agency = AgencyFactory(name="Eastfield Health")
    MaracAgency.objects.create(marac=marac, agency=agency, is_core=True)
    Attendance.objects.create(meeting=meeting, agency=agency, capacity=AttendanceCapacity.REPRESENTATIVE, present=False)
    Attendance.objects.create(meeting=meeting, agency=agency, capacity=AttendanceCapacity.OBSERVER, present=True)
    assert core_agencies_missing(meeting) == ["Eastfield Health"]
    Attendance.objects.create(meeting=meeting, agency=agency, capacity=AttendanceCapacity.DEPUTY, present=True)
    assert core_agencies_missing(meeting) == []


def test_the_live_case_asks_whether_this_viewer_signed_for_this_meeting_and_counts_the_children(marac, police_rep):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=1))
    other = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=8))
    listing = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    assert listing_facts(listing, police_rep) == ListingFacts(signed=False, children=0)

    # Signed for another meeting, or on the register without signing: not signed for this one.
    Attendance.objects.create(meeting=other, user=police_rep, confidentiality_signed_at=timezone.now())
    Attendance.objects.create(meeting=meeting, user=police_rep, agency=police_rep.agency)
    assert not listing_facts(listing, police_rep).signed
    Attendance.objects.filter(meeting=meeting, user=police_rep).update(confidentiality_signed_at=timezone.now())
    assert listing_facts(listing, police_rep).signed

    for name in ("Tiny", "Small"):
        CaseParty.objects.create(case=listing.case, person=PersonFactory(marac=marac, given_name=name),
                                 role=PartyRole.CHILD)  # fmt: skip
    CaseParty.objects.create(case=listing.case, person=PersonFactory(marac=marac), role=PartyRole.PERPETRATOR)
    assert listing_facts(listing, police_rep).children == 2
