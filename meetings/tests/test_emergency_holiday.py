"""An emergency MARAC called for a weekend, a bank holiday or a local closure day: the page names the day and asks
the coordinator to confirm (never refuses: the case cannot wait). The rule's worked examples and property, then the
real page, with dates found from today as the other live-meeting tests do."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from marac.models import ClosureDay
from meetings.emergency_rules import emergency_day_warning, emergency_time_warning, emergency_warning
from meetings.models import Meeting
from referrals.calendar import LONDON, Region, WorkingCalendar, bank_holidays, format_day, is_working_day
from web.dates import spoken

ENGLAND = WorkingCalendar()


# --- The rule: worked examples --------------------------------------------------------------------------------------


def test_a_substitute_bank_holiday_is_named_with_the_holiday():
    # 26 December 2026 is a Saturday, so Boxing Day's bank holiday moves to Monday 28 December.
    assert emergency_day_warning(datetime.date(2026, 12, 28), ENGLAND) == (
        "Monday 28 December 2026 is a bank holiday in England (Boxing Day (observed))."
    )
    assert emergency_day_warning(datetime.date(2026, 12, 25), ENGLAND) == (
        "Friday 25 December 2026 is a bank holiday in England (Christmas Day)."
    )


def test_a_weekend_day_is_named_as_such_and_a_holiday_on_a_weekend_as_the_holiday():
    assert emergency_day_warning(datetime.date(2026, 11, 29), ENGLAND) == "29 November 2026 is a Sunday."
    assert emergency_day_warning(datetime.date(2026, 11, 28), ENGLAND) == "28 November 2026 is a Saturday."
    assert emergency_day_warning(datetime.date(2026, 12, 26), ENGLAND) == (
        "Saturday 26 December 2026 is a bank holiday in England (Boxing Day)."
    )


def test_the_marac_s_own_nation_and_closure_days_count():
    assert emergency_day_warning(datetime.date(2026, 1, 2), ENGLAND) is None
    assert emergency_day_warning(datetime.date(2026, 1, 2), WorkingCalendar(region=Region.SCOTLAND)) == (
        "Friday 2 January 2026 is a bank holiday in Scotland (New Year Holiday)."
    )
    closed = WorkingCalendar(closure_days=frozenset({datetime.date(2026, 12, 9)}))
    assert emergency_day_warning(datetime.date(2026, 12, 9), closed) == (
        "Wednesday 9 December 2026 is a local closure day of this MARAC."
    )


def test_a_working_day_needs_no_confirmation():
    assert emergency_day_warning(datetime.date(2026, 12, 8), ENGLAND) is None  # a Tuesday


# --- The rule: property ---------------------------------------------------------------------------------------------

days = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31))


@given(day=days, region=st.sampled_from(Region), closure=st.frozensets(days, max_size=5))
def test_it_warns_exactly_on_the_days_that_are_not_working_days_naming_the_day(day, region, closure):
    working = WorkingCalendar(region=region, closure_days=closure)
    warning = emergency_day_warning(day, working)
    assert (warning is None) == is_working_day(day, working)
    if warning is not None:
        # A weekend is named once ("28 November 2026 is a Saturday"), any other day with its weekday.
        assert warning.startswith(f"{format_day(day)} is ") or warning == f"{spoken(day)} is a {day:%A}."


# --- The page -------------------------------------------------------------------------------------------------------

pages = pytest.mark.django_db
URL = "/meetings/emergency/new/"


def _days_ahead():
    today = timezone.localdate()
    return (today + datetime.timedelta(days=offset) for offset in range(1, 400))


def _plain_weekend_day(day):
    """A Saturday or Sunday that is no bank holiday: one that is (New Year's Day on a Saturday, as in 2028) is named
    as the holiday, not as the weekend."""
    return day.weekday() >= 5 and day not in bank_holidays(ENGLAND.region, day.year)


def _next_sunday():
    return next(day for day in _days_ahead() if day.weekday() == 6 and _plain_weekend_day(day))


def _next_weekday_bank_holiday():
    return next(day for day in _days_ahead() if day.weekday() < 5 and not is_working_day(day, ENGLAND))


def _call(client, day, **extra):
    return client.post(URL, {"day": day.isoformat(), "at": "16:00", **extra})


@pages
def test_a_sunday_is_named_and_nothing_is_called_until_the_coordinator_confirms(client_for, coordinator, marac):
    sunday = _next_sunday()
    client = client_for(coordinator)

    asked = _call(client, sunday)

    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"{spoken(sunday)} is a Sunday." in page
    assert f'name="confirmed_day" value="{sunday.isoformat()}T16:00"' in page  # a plain form: no script needed
    assert "Call the emergency MARAC anyway" in page
    assert not Meeting.objects.filter(is_emergency=True).exists()

    confirmed = _call(client, sunday, confirmed_day=f"{sunday.isoformat()}T16:00")

    meeting = Meeting.objects.get(marac=marac, is_emergency=True)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"/meetings/{meeting.pk}/"
    assert timezone.localtime(meeting.starts_at).date() == sunday
    assert AuditEvent.objects.filter(object_id=str(meeting.pk), summary="Called an emergency MARAC").exists()


@pages
def test_a_bank_holiday_is_named_with_the_nation_and_the_holiday(client_for, coordinator, marac):
    holiday = _next_weekday_bank_holiday()
    client = client_for(coordinator)

    page = _call(client, holiday).content.decode()

    assert f"{format_day(holiday)} is a bank holiday in England (" in page
    assert not Meeting.objects.filter(is_emergency=True).exists()
    assert _call(client, holiday, confirmed_day=holiday.isoformat()).status_code == 302
    assert Meeting.objects.filter(marac=marac, is_emergency=True).count() == 1


@pages
def test_a_local_closure_day_asks_too(client_for, coordinator, marac):
    day = next(day for day in _days_ahead() if is_working_day(day, ENGLAND))
    ClosureDay.objects.create(marac=marac, day=day)
    assert f"{format_day(day)} is a local closure day" in _call(client_for(coordinator), day).content.decode()
    assert not Meeting.objects.filter(is_emergency=True).exists()


@pages
def test_changing_to_another_day_on_the_warning_asks_again_for_that_day(client_for, coordinator, marac):
    sunday = _next_sunday()
    saturday = next(day for day in _days_ahead() if day.weekday() == 5 and _plain_weekend_day(day))
    client = client_for(coordinator)

    page = _call(client, saturday, confirmed_day=sunday.isoformat()).content.decode()

    assert f"{spoken(saturday)} is a Saturday." in page
    assert not Meeting.objects.filter(is_emergency=True).exists()


@pages
def test_a_day_in_the_past_is_still_refused_whatever_the_confirmation(client_for, coordinator):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page = _call(client_for(coordinator), yesterday, confirmed_day=yesterday.isoformat()).content.decode()
    assert "must be in the future" in page
    assert not Meeting.objects.filter(is_emergency=True).exists()


@pages
def test_only_those_who_manage_the_agenda_may_call_one_and_only_at_their_own_marac(
    client_for, police_rep, outsider, marac, other_marac
):
    sunday = _next_sunday()
    assert _call(client_for(police_rep), sunday, confirmed_day=sunday.isoformat()).status_code in (403, 404)
    _call(client_for(outsider), sunday, confirmed_day=sunday.isoformat())  # a coordinator, of another MARAC
    assert not Meeting.objects.filter(marac=marac, is_emergency=True).exists()
    assert Meeting.objects.filter(marac=other_marac, is_emergency=True).count() == 1


# --- The time ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "warning"),
    [
        (datetime.time(2, 0), "02:00 is outside working hours (08:00 to 18:00)."),
        (datetime.time(7, 59), "07:59 is outside working hours (08:00 to 18:00)."),
        (datetime.time(8, 0), None),
        (datetime.time(18, 0), None),
        (datetime.time(18, 1), "18:01 is outside working hours (08:00 to 18:00)."),
    ],
)
def test_a_start_outside_working_hours_is_named(at, warning):
    assert emergency_time_warning(at) == warning


def test_a_weekend_night_is_named_for_both():
    saturday_night = datetime.datetime(2026, 11, 28, 2, 0, tzinfo=LONDON)
    assert emergency_warning(saturday_night, ENGLAND) == (
        "28 November 2026 is a Saturday. 02:00 is outside working hours (08:00 to 18:00)."
    )


@pages
def test_two_in_the_morning_is_asked_about_and_the_answer_holds_only_for_that_time(client_for, coordinator, marac):
    weekday = next(day for day in _days_ahead() if is_working_day(day, ENGLAND) and day.weekday() < 4)
    client = client_for(coordinator)

    asked = client.post(URL, {"day": weekday.isoformat(), "at": "02:00"}).content.decode()

    assert "02:00 is outside working hours" in asked
    assert f'name="confirmed_day" value="{weekday.isoformat()}T02:00"' in asked
    assert not Meeting.objects.filter(is_emergency=True).exists()
    # The day alone, as a page from before times were asked about sends it, does not confirm the night.
    assert (
        client.post(URL, {"day": weekday.isoformat(), "at": "02:00", "confirmed_day": weekday.isoformat()}).status_code
        == 200
    )
    # A time changed on the warning page is asked about afresh.
    changed = client.post(
        URL, {"day": weekday.isoformat(), "at": "03:00", "confirmed_day": f"{weekday.isoformat()}T02:00"}
    )
    assert "03:00 is outside working hours" in changed.content.decode()
    confirmed = client.post(
        URL, {"day": weekday.isoformat(), "at": "02:00", "confirmed_day": f"{weekday.isoformat()}T02:00"}
    )
    assert confirmed.status_code == 302
    assert timezone.localtime(Meeting.objects.get(is_emergency=True).starts_at).time() == datetime.time(2, 0)
