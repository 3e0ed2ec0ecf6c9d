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
from referrals.calendar import LONDON, WorkingCalendar, format_day, is_working_day
from referrals.decisions import _listing
from referrals.models import Referral, ReferralStatus
from referrals.tests.test_decision_matching import submitted_referral

pytestmark = pytest.mark.django_db

EMERGENCY_25_NOV = datetime(2026, 11, 25, 14, 0, tzinfo=LONDON)  # a Wednesday; the series meets on Tuesdays


@pytest.fixture
def emergency_meeting(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=EMERGENCY_25_NOV, is_emergency=True)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=datetime(2026, 11, 24, 12, 0, tzinfo=LONDON))
    return meeting


def _submitted_on(client_for, referrer, moment: datetime) -> Referral:
    referral = submitted_referral(client_for, referrer)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=moment)
    return referral


def test_a_referral_submitted_on_12_november_goes_to_the_ordinary_meeting_not_the_emergency_one(
    client_for, referrer, coordinator, emergency_meeting
):
    referral = _submitted_on(client_for, referrer, datetime(2026, 11, 12, 10, 0, tzinfo=LONDON))
    desk = client_for(coordinator)

    desk.post(f"/referrals/{referral.pk}/decision/accept/")
    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert not referral.meeting.is_emergency
    assert referral.meeting.starts_at == datetime(2026, 12, 1, 9, 30, tzinfo=LONDON)
    assert "Listed for Tuesday 1 December 2026 at 09:30" in page
    assert "Received by the deadline of 17:00 on Thursday 19 November 2026" in referral.listing_explanation
    assert "25 November 2026" not in referral.listing_explanation and "Friday 13 November" not in page
    assert not Listing.objects.filter(meeting=emergency_meeting).exists()


def test_a_late_referral_is_told_it_missed_the_ordinary_meeting_never_the_emergency_one(
    client_for, referrer, coordinator, emergency_meeting
):
    referral = _submitted_on(client_for, referrer, datetime(2026, 11, 20, 10, 0, tzinfo=LONDON))

    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")

    referral.refresh_from_db()
    assert referral.meeting.starts_at == datetime(2027, 1, 5, 9, 30, tzinfo=LONDON)
    assert referral.listing_explanation.startswith(
        "Missed the deadline of 17:00 on Thursday 19 November 2026 for the meeting on Tuesday 1 December 2026."
    )
    assert "Wednesday 25 November" not in referral.listing_explanation


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
