"""An emergency MARAC is never called at the time the ordinary series meets, however far ahead: the ordinary meeting
would be lost from the series (one meeting at a time). The reviewer's example, then a property over the series."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marac.models import MeetingFrequency
from meetings import agenda_services
from meetings.models import Meeting
from meetings.series import meeting_days, meeting_start
from meetings.services import SERIES_ANCHOR, is_ordinary_meeting_time, meetings_ensure_ahead
from referrals.calendar import WorkingCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def marac(marac):
    # Three-weekly on Tuesdays at 09:30, read back as the pages read it (its meeting time a time, not text).
    marac.meeting_frequency = MeetingFrequency.THREE_WEEKLY
    marac.save(update_fields=["meeting_frequency"])
    marac.refresh_from_db()
    return marac


def _series_tuesday_months_ahead(marac):
    """A day of the three-weekly Tuesday series about six months from today, its neighbours three weeks either side
    (no bank holiday moves any of them): from today, as a fixed day would pass and no emergency be called on it."""
    soon = timezone.localdate() + datetime.timedelta(days=180)
    days = meeting_days(
        frequency=marac.meeting_frequency, weekday=marac.meeting_weekday, anchor=SERIES_ANCHOR,
        start=soon, end=soon + datetime.timedelta(days=200), calendar=WorkingCalendar(),
    )  # fmt: skip
    three_weeks = datetime.timedelta(days=21)
    neighbours = zip(days, days[1:], days[2:], strict=False)
    return next(day for before, day, after in neighbours if day - before == after - day == three_weeks)


def test_an_emergency_at_an_ordinary_meetings_time_months_ahead_is_refused_and_the_series_keeps_it(marac, coordinator):
    day = _series_tuesday_months_ahead(marac)
    slot = meeting_start(day, marac.meeting_start_time)  # 09:30 in London, a Tuesday of the series
    with pytest.raises(agenda_services.AgendaRefused) as refused:
        agenda_services.meeting_call_emergency(marac=marac, starts_at=slot, by=coordinator)
    assert agenda_services.ORDINARY_MEETING_AT_THAT_TIME in str(refused.value)

    three_weeks = datetime.timedelta(days=21)
    ordinary = meetings_ensure_ahead(marac=marac, start=day - three_weeks)

    days = [timezone.localtime(meeting.starts_at).date() for meeting in ordinary[:3]]
    assert days == [day - three_weeks, day, day + three_weeks]
    assert slot in [meeting.starts_at for meeting in ordinary]
    assert not Meeting.objects.filter(is_emergency=True).exists()


def test_an_emergency_an_hour_later_that_day_is_called_and_the_ordinary_meeting_stays(marac, coordinator):
    day = _series_tuesday_months_ahead(marac)
    slot = meeting_start(day, marac.meeting_start_time)
    emergency = agenda_services.meeting_call_emergency(
        marac=marac, starts_at=slot + datetime.timedelta(hours=1), by=coordinator
    )

    ordinary = meetings_ensure_ahead(marac=marac, start=day - datetime.timedelta(days=21))

    assert emergency.is_emergency
    assert slot in [meeting.starts_at for meeting in ordinary]
    assert emergency not in ordinary


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=datetime.date(2026, 12, 1), max_value=datetime.date(2028, 6, 1)))
def test_every_ordinary_meeting_time_is_refused_to_an_emergency_and_no_other_time_that_day(marac, day):
    ordinary_days = {
        meeting.starts_at
        for meeting in meetings_ensure_ahead(marac=marac, start=day - datetime.timedelta(days=30), days_ahead=60)
    }
    at_the_usual_time = meeting_start(day, marac.meeting_start_time)
    assert is_ordinary_meeting_time(marac=marac, starts_at=at_the_usual_time) == (at_the_usual_time in ordinary_days)
    assert not is_ordinary_meeting_time(marac=marac, starts_at=at_the_usual_time + datetime.timedelta(minutes=30))


def test_the_coordinator_is_told_why_on_the_page_and_nothing_is_called(client_for, coordinator, marac):
    data = {"day": _series_tuesday_months_ahead(marac).isoformat(), "at": "09:30"}  # the series' Tuesday, usual time

    response = client_for(coordinator).post("/meetings/emergency/new/", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "The ordinary MARAC meets at that time" in page
    assert not Meeting.objects.filter(is_emergency=True).exists()
