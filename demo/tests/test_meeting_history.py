"""The demo year's meetings as if run in OpenMARAC: the dashboard's meeting-based measures have data, in the
ranges a working MARAC reports, and the minutes name nobody."""

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from datetime import date

import pytest
from django.db import transaction
from django.db.models import F

from accounts.models import User
from actions.models import Action, ActionStatus
from demo.generator import AreaCounts, generate_area
from marac.models import Marac
from meetings import agenda_services
from meetings.models import (
    Attendance,
    ChildResearch,
    ChildStatus,
    Listing,
    Meeting,
    MeetingStatus,
    Research,
    VictimVoice,
)
from meetings.series import LONDON
from people.models import Alias, Person
from referrals import calendar
from referrals.models import IdvaAllocation
from reports.cohorts import Scope
from reports.indicators import INDICATORS_BY_KEY
from reports.periods import Period, PeriodKind

SEED = 7
START, END = date(2025, 7, 1), date(2026, 6, 30)

# What the demo's dashboard should show for the measures that need meetings run in OpenMARAC: never "no data",
# and within what a working MARAC reports.
PLAUSIBLE = {
    "idva_within_48_hours": (75, 92),
    "actions_on_time": (70, 90),
    "core_attendance": (88, 100),
    "victim_voice": (78, 92),
    "perpetrator_actions": (70, 90),
    "families_known_to_csc": (55, 90),
    "child_voice": (35, 70),
    "children_actions": (80, 100),
    "csc_attendance": (75, 100),
    "children_on_protection_plans": (60, 300),
    "young_people_harmful_behaviour": (1, 30),
    "other_arrangements": (20, 200),
}


@pytest.fixture(scope="module")
def area(django_db_setup, django_db_blocker) -> Iterator[AreaCounts]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield generate_area(seed=SEED, start=START, end=END)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _scope(area: AreaCounts) -> Scope:
    return Scope((area.marac_id,), Period(PeriodKind.ROLLING_12_MONTHS, START, END))


@pytest.mark.django_db
@pytest.mark.parametrize("key", PLAUSIBLE)
def test_the_meeting_based_measures_have_data_in_a_plausible_range(area, key):
    figure = INDICATORS_BY_KEY[key].compute(_scope(area))
    low, high = PLAUSIBLE[key]
    assert figure.value is not None, f"{key} shows no data"
    assert low <= figure.value <= high, f"{key} is {figure.value:.1f}"


@pytest.mark.django_db
def test_it_closes_every_meeting_already_held_and_none_after(area):
    meetings = Meeting.objects.filter(marac_id=area.marac_id)
    held = meetings.filter(starts_at__date__gte=START, starts_at__date__lt=END)
    assert held.exists()
    assert held.filter(state__status=MeetingStatus.CLOSED).count() == held.count()
    assert not meetings.filter(starts_at__date__gte=END, state__isnull=False).exists()
    assert not held.filter(state__action_summary_sent_at__lte=F("starts_at")).exists()
    working = agenda_services.working_calendar(Marac.objects.get(pk=area.marac_id))
    for meeting in held.select_related("state", "marac"):
        sent = meeting.state.action_summary_sent_at
        assert sent is None or calendar.is_working_day(sent.astimezone(LONDON).date(), working)
        assert meeting.state.case_list_released_at >= agenda_services.case_list_release_time(meeting)
    for meeting in held[:5]:
        listings = list(meeting.listings.order_by("pk"))
        assert all(listing.outcome and listing.started_at and listing.ended_at for listing in listings)
        assert all(a.ended_at <= b.started_at for a, b in itertools.pairwise(listings))
        assert listings[0].started_at >= meeting.starts_at
        signed = Attendance.objects.filter(meeting=meeting, present=True)
        assert signed.exists() and not signed.filter(confidentiality_signed_at__isnull=True).exists()


@pytest.mark.django_db
def test_it_spreads_childrens_statuses_and_action_outcomes(area):
    children = ChildResearch.objects.filter(research__listing__meeting__marac_id=area.marac_id)
    assert set(children.values_list("status", flat=True)) == set(ChildStatus.values)
    assert 0 < children.filter(harmful_behaviour=True).count() < children.count() * 0.05
    actions = Action.objects.filter(case__marac_id=area.marac_id)
    assert set(actions.values_list("status", flat=True)) == set(ActionStatus.values)
    assert actions.filter(is_standard=True).exists() and actions.filter(is_standard=False).exists()
    idva = User.objects.get(email="idva@northbrook.example")
    assert set(IdvaAllocation.objects.filter(case__marac_id=area.marac_id).values_list("idva", flat=True)) <= {
        idva.pk,
        None,
    }


def _texts(marac_id: int) -> list[str]:
    listings = Listing.objects.filter(meeting__marac_id=marac_id)
    research = Research.objects.filter(listing__meeting__marac_id=marac_id)
    return [
        *listings.values_list("risks_minute", flat=True),
        *listings.values_list("decisions_minute", flat=True),
        *research.values_list("about_victim", flat=True),
        *research.values_list("about_perpetrator", flat=True),
        *research.values_list("about_children", flat=True),
        *VictimVoice.objects.filter(listing__meeting__marac_id=marac_id).values_list("victim_views", flat=True),
        *VictimVoice.objects.filter(listing__meeting__marac_id=marac_id).values_list("child_voice", flat=True),
        *Action.objects.filter(case__marac_id=marac_id).values_list("description", flat=True),
        *Action.objects.filter(case__marac_id=marac_id).values_list("completion_note", flat=True),
    ]


@pytest.mark.django_db
def test_nothing_in_the_minutes_names_a_person(area):
    people = Person.objects.filter(marac_id=area.marac_id)
    aliases = Alias.objects.filter(person__marac_id=area.marac_id)
    names = {
        *people.values_list("given_name", flat=True),
        *people.values_list("family_name", flat=True),
        *aliases.values_list("given_name", flat=True),
        *aliases.values_list("family_name", flat=True),
        *(part for full_name in User.objects.values_list("full_name", flat=True) for part in full_name.split()),
    }
    texts = [text for text in _texts(area.marac_id) if text]
    assert texts
    words = {word for text in set(texts) for word in re.findall(r"[\w'-]+", text)}
    assert not words & names


def _history_digest(marac_id: int) -> str:
    listings = Listing.objects.filter(meeting__marac_id=marac_id).order_by("meeting__starts_at", "pk")
    rows = [
        list(listings.values_list("started_at", "ended_at", "risks_minute", "decisions_minute", "outcome")),
        list(
            Attendance.objects.filter(meeting__marac_id=marac_id)
            .order_by("meeting__starts_at", "pk")
            .values_list("agency__agency_type", "capacity", "present", "confidentiality_signed_at")
        ),
        list(
            Action.objects.filter(case__marac_id=marac_id)
            .order_by("listing__meeting__starts_at", "listing_id", "pk")
            .values_list("owner_agency__agency_type", "description", "for_whom", "due_on", "status", "closed_at")
        ),
        list(
            ChildResearch.objects.filter(research__listing__meeting__marac_id=marac_id)
            .order_by("pk")
            .values_list("status", "harmful_behaviour")
        ),
        list(
            IdvaAllocation.objects.filter(case__marac_id=marac_id)
            .order_by("case__referred_on", "case_id")
            .values_list("due_by", "allocated_at")
        ),
    ]
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_meetings(area):
    with transaction.atomic():
        again = generate_area(seed=SEED, start=START, end=END, name="Samplemere MARAC", reference_prefix="SM")
        assert _history_digest(again.marac_id) == _history_digest(area.marac_id)
        transaction.set_rollback(True)
