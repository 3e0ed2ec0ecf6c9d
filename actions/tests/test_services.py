"""Recording actions at the meeting and the standard actions every case gets (actions/services.py)."""

import datetime

import pytest
from django.utils import timezone

from actions.models import Action, ForWhom
from actions.services import NotThisMaracsAgency, action_record, standard_actions_create
from audit.models import AuditEvent
from marac.models import AgencyType, MaracAgency
from meetings import live_rules
from meetings.models import Listing, Meeting
from referrals.models import IdvaAllocation
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(marac):
    made = {
        "police": AgencyFactory(name="Northbrook Police", agency_type=AgencyType.POLICE),
        "idva": AgencyFactory(name="Northbrook IDVAs", agency_type=AgencyType.IDVA_SERVICE),
        "housing": AgencyFactory(name="Northbrook Homes", agency_type=AgencyType.HOUSING),
        "youth": AgencyFactory(name="Northbrook Youth Offending", agency_type=AgencyType.YOUTH_OFFENDING),
    }
    for key in ("police", "idva", "housing"):
        MaracAgency.objects.create(marac=marac, agency=made[key], is_core=True)
    MaracAgency.objects.create(marac=marac, agency=made["youth"], is_core=False)
    return made


@pytest.fixture
def listing(marac, agencies):
    meeting = Meeting.objects.create(marac=marac, starts_at=datetime.datetime(2026, 11, 3, 9, 30, tzinfo=datetime.UTC))
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))


def test_it_records_a_volunteered_action_and_audits_it_without_its_words(listing, agencies, coordinator):
    action = action_record(
        listing=listing,
        owner_agency=agencies["youth"],
        description="Offer the respect programme.",
        for_whom=ForWhom.PERPETRATOR,
        due_on=datetime.date(2026, 12, 1),
        by=coordinator,
    )
    assert (action.case, action.is_standard, action.for_whom) == (listing.case, False, ForWhom.PERPETRATOR)
    event = AuditEvent.objects.get(object_type="actions.action", object_id=str(action.pk))
    assert event.marac_id == listing.meeting.marac_id
    assert "respect" not in event.summary and "respect" not in str(event.changes)


def test_it_refuses_an_owner_from_outside_the_marac(listing, coordinator):
    with pytest.raises(NotThisMaracsAgency):
        action_record(
            listing=listing,
            owner_agency=AgencyFactory(),
            description="x",
            for_whom=ForWhom.VICTIM,
            due_on=datetime.date(2026, 12, 1),
            by=coordinator,
        )


def test_it_creates_the_standard_actions_once(listing, agencies, coordinator):
    created, gaps = standard_actions_create(listing=listing, by=coordinator)
    again, _ = standard_actions_create(listing=listing, by=coordinator)
    assert gaps == [] and again == []
    assert len(created) == 6 == Action.objects.filter(listing=listing, is_standard=True).count()
    flag_owners = {action.owner_agency for action in created if action.description == live_rules.FLAG_AND_TAG}
    assert flag_owners == {agencies["police"], agencies["idva"], agencies["housing"]}  # core agencies only
    assert {action.due_on for action in created} == {datetime.date(2026, 11, 10)}


def test_it_has_the_referrer_feed_back_when_the_victim_declined_the_idva(listing, coordinator):
    IdvaAllocation.objects.create(case=listing.case, due_by=timezone.now(), declined_by_victim=True)
    created, _ = standard_actions_create(listing=listing, by=coordinator)
    feedback = [action for action in created if action.description == live_rules.FEEDBACK_BY_REFERRER]
    assert [action.owner_agency_id for action in feedback] == [listing.case.referring_agency_id]
    assert not [action for action in created if action.description == live_rules.FEEDBACK_BY_IDVA]


def test_it_reports_standard_actions_no_agency_can_own(marac, coordinator):
    meeting = Meeting.objects.create(marac=marac, starts_at=datetime.datetime(2026, 11, 3, 9, 30, tzinfo=datetime.UTC))
    bare = Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))
    created, gaps = standard_actions_create(listing=bare, by=coordinator)
    assert created == []
    assert len(gaps) == 3
