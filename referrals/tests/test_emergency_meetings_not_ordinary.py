"""An emergency MARAC is called for one case that cannot wait (BD Emergency MARAC): only the emergency route lists a
case at one. An ordinary referral accepted while an emergency meeting is in the diary goes to the next ordinary
meeting whose deadline it met, and its explanation never names the emergency meeting."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import Listing, Meeting, MeetingState
from meetings.services import meetings_ensure_ahead
from referrals.calendar import (
    LONDON,
    WorkingCalendar,
    format_day,
    format_meeting_time,
    format_moment,
    is_working_day,
    listing_deadline,
)
from referrals.decisions import _listing
from referrals.models import Referral, ReferralStatus
from referrals.tests.test_decision_matching import submitted_referral

pytestmark = pytest.mark.django_db

ENGLAND = WorkingCalendar()


@pytest.fixture
def ordinary(marac):
    """The ordinary meetings from a month ahead on (dates from today, so that the meeting a referral is in time for
    has not started when it is accepted): the one the tests refer to, and the one after it."""
    marac.refresh_from_db()
    meetings = meetings_ensure_ahead(marac=marac, start=timezone.localdate() + timedelta(days=30), days_ahead=200)
    return meetings[0], meetings[1]


@pytest.fixture
def emergency_meeting(marac, ordinary):
    """An emergency MARAC called a week before the ordinary meeting's listing deadline, on a day the series does not
    meet: it is in the diary when the referrals below are accepted."""
    deadline = listing_deadline(ordinary[0].starts_at, calendar=ENGLAND)
    day = next(
        day
        for day in (deadline.date() - timedelta(days=offset) for offset in range(7, 21))
        if is_working_day(day, ENGLAND) and day.weekday() != marac.meeting_weekday
    )
    meeting = Meeting.objects.create(
        marac=marac, starts_at=datetime.combine(day, time(14, 0), tzinfo=LONDON), is_emergency=True
    )
    MeetingState.objects.create(meeting=meeting, case_list_released_at=meeting.starts_at - timedelta(days=1))
    return meeting


def _submitted_on(client_for, referrer, moment: datetime) -> Referral:
    referral = submitted_referral(client_for, referrer)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=moment)
    return referral


def _day_of(meeting) -> str:
    return format_day(meeting.starts_at.astimezone(LONDON).date())


def test_a_referral_in_time_goes_to_the_ordinary_meeting_not_the_emergency_one(
    client_for, referrer, coordinator, ordinary, emergency_meeting
):
    meeting = ordinary[0]
    deadline = listing_deadline(meeting.starts_at, calendar=ENGLAND)
    referral = _submitted_on(client_for, referrer, emergency_meeting.starts_at - timedelta(days=1))
    desk = client_for(coordinator)

    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert not referral.meeting.is_emergency
    assert referral.meeting == meeting
    assert f"Listed for {format_meeting_time(meeting.starts_at)}" in page
    assert f"Received by the deadline of {format_moment(deadline)}" in referral.listing_explanation
    assert _day_of(emergency_meeting) not in referral.listing_explanation
    assert not Listing.objects.filter(meeting=emergency_meeting).exists()


def test_a_late_referral_is_told_it_missed_the_ordinary_meeting_never_the_emergency_one(
    client_for, referrer, coordinator, ordinary, emergency_meeting
):
    missed, following = ordinary
    deadline = listing_deadline(missed.starts_at, calendar=ENGLAND)
    referral = _submitted_on(client_for, referrer, deadline + timedelta(hours=17))

    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")

    referral.refresh_from_db()
    assert referral.meeting == following
    assert referral.listing_explanation.startswith(
        f"Missed the deadline of {format_moment(deadline)} for the meeting on {_day_of(missed)}."
    )
    assert _day_of(emergency_meeting) not in referral.listing_explanation


def test_the_emergency_route_is_the_one_way_onto_an_emergency_meeting(client_for, referrer, coordinator, marac):
    ahead = [timezone.localdate() + timedelta(days=offset) for offset in range(2, 20)]
    day = next(
        day for day in ahead if is_working_day(day, WorkingCalendar()) and day.weekday() != marac.meeting_weekday
    )
    called = Meeting.objects.create(
        marac=marac, starts_at=datetime.combine(day, time(14, 0), tzinfo=LONDON), is_emergency=True
    )
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)

    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.meeting != called and not referral.meeting.is_emergency
    assert format_day(day) not in referral.listing_explanation

    desk.post(f"/referrals/{referral.pk}/decision/emergency/", {"day": day.isoformat(), "at": "14:00"})
    referral.refresh_from_db()
    assert referral.meeting == called
    assert referral.listing_explanation == f"Listed at an emergency MARAC on {format_day(day)} at 14:00."
    assert Listing.objects.filter(meeting=called, case=referral.case).exists()


# The property: whatever mix of emergency meetings the diary holds, an ordinary listing picks an ordinary meeting
# and its explanation names only ordinary meetings.
quarter_hours = st.integers(min_value=8 * 4, max_value=18 * 4).map(lambda n: time(n // 4, n % 4 * 15))
days = st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 3, 31))
moments = st.builds(lambda day, at: datetime.combine(day, at, tzinfo=LONDON), days, quarter_hours)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(emergencies=st.lists(moments, max_size=6, unique=True), received=moments, urgent=st.booleans())
def test_an_ordinary_listing_never_picks_or_names_an_emergency_meeting(marac, emergencies, received, urgent):
    marac.refresh_from_db()  # its meeting time as the database gives it back
    with transaction.atomic():
        for starts_at in emergencies:
            Meeting.objects.create(marac=marac, starts_at=starts_at, is_emergency=True)
        criteria = {"urgent": "on", "urgency_reason": "Threats to kill this week"} if urgent else {}
        referral = Referral(marac=marac, content={"criteria": criteria}, submitted_at=received)

        decision = _listing(referral, marac)

        emergency_starts = set(
            Meeting.objects.filter(marac=marac, is_emergency=True).values_list("starts_at", flat=True)
        )
        ordinary_days = {
            at.astimezone(LONDON).date()
            for at in Meeting.objects.filter(marac=marac, is_emergency=False).values_list("starts_at", flat=True)
        }
        transaction.set_rollback(True)
    assert decision.meeting_start not in emergency_starts
    assert decision.held_over_from not in emergency_starts
    for starts_at in emergency_starts:
        day = starts_at.astimezone(LONDON).date()
        if day not in ordinary_days:
            assert f"meeting on {format_day(day)}" not in decision.reason
    if decision.meeting_start is not None:
        assert decision.meeting_start.astimezone(LONDON).date() in ordinary_days
        assert decision.meeting_start > received
