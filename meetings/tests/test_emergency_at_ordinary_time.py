"""An emergency MARAC is never called at the time the ordinary series meets, however far ahead: the ordinary meeting
would be lost from the series (one meeting at a time). The reviewer's example, then a property over the series."""

import datetime
from datetime import UTC

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marac.models import MeetingFrequency
from meetings import agenda_services
from meetings.models import Meeting
from meetings.series import meeting_start
from meetings.services import is_ordinary_meeting_time, meetings_ensure_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def marac(marac):
    # Three-weekly on Tuesdays at 09:30, read back as the pages read it (its meeting time a time, not text).
    marac.meeting_frequency = MeetingFrequency.THREE_WEEKLY
    marac.save(update_fields=["meeting_frequency"])
    marac.refresh_from_db()
    return marac


def test_an_emergency_at_an_ordinary_meetings_time_months_ahead_is_refused_and_the_series_keeps_it(marac, coordinator):
    slot = datetime.datetime(2027, 5, 25, 8, 30, tzinfo=UTC)  # 09:30 in London, a Tuesday of the series
    with pytest.raises(agenda_services.AgendaRefused) as refused:
        agenda_services.meeting_call_emergency(marac=marac, starts_at=slot, by=coordinator)
    assert agenda_services.ORDINARY_MEETING_AT_THAT_TIME in str(refused.value)

    ordinary = meetings_ensure_ahead(marac=marac, start=datetime.date(2027, 5, 1))

    days = [meeting.starts_at.astimezone(UTC).date() for meeting in ordinary[:3]]
    assert days == [datetime.date(2027, 5, 4), datetime.date(2027, 5, 25), datetime.date(2027, 6, 15)]
    assert not Meeting.objects.filter(is_emergency=True).exists()


def test_an_emergency_an_hour_later_that_day_is_called_and_the_ordinary_meeting_stays(marac, coordinator):
    later = datetime.datetime(2027, 5, 25, 9, 30, tzinfo=UTC)
    emergency = agenda_services.meeting_call_emergency(marac=marac, starts_at=later, by=coordinator)

    ordinary = meetings_ensure_ahead(marac=marac, start=datetime.date(2027, 5, 1))

    assert emergency.is_emergency
    assert datetime.datetime(2027, 5, 25, 8, 30, tzinfo=UTC) in [meeting.starts_at for meeting in ordinary]
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
    data = {"day": "2027-05-25", "at": "09:30"}  # the series' Tuesday, at its usual time

    response = client_for(coordinator).post("/meetings/emergency/new/", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "The ordinary MARAC meets at that time" in page
    assert not Meeting.objects.filter(is_emergency=True).exists()
