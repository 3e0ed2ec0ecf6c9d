"""The one rule for whether a typed date is plausible (web/dates.py): worked examples, then properties."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from meetings.models import Meeting
from web.dates import (
    CLOSURE_DAY_YEARS_AHEAD,
    EARLIEST_BIRTH,
    EMERGENCY_MEETING_YEARS_AHEAD,
    FIRST_MARAC,
    happened_error,
    is_plausible_happened,
    is_plausible_planned,
    planned_error,
    years_after,
)

TODAY = date(2026, 11, 24)

# --- Worked examples ------------------------------------------------------------------------------------------------


def test_a_day_from_the_first_marac_to_today_has_happened_plausibly():
    assert happened_error(date(2003, 1, 1), today=TODAY) is None
    assert happened_error(date(2018, 6, 5), today=TODAY) is None
    assert happened_error(TODAY, today=TODAY) is None


def test_a_day_before_the_first_marac_is_refused_with_the_first_day():
    assert happened_error(date(1800, 6, 5), today=TODAY) == "The date must be 1 January 2003 or later"
    assert happened_error(date(2002, 12, 31), today=TODAY) == "The date must be 1 January 2003 or later"
    assert happened_error(date(1, 1, 1), today=TODAY) == "The date must be 1 January 2003 or later"


def test_a_day_after_today_has_not_happened():
    assert happened_error(TODAY + timedelta(days=1), today=TODAY) == "The date must be today or in the past"
    assert happened_error(date(9999, 12, 31), today=TODAY) == "The date must be today or in the past"


def test_the_message_names_the_date():
    subject = "The date the complaint was received"
    error = happened_error(date(1800, 1, 1), today=TODAY, subject=subject)
    assert error == "The date the complaint was received must be 1 January 2003 or later"


def test_a_date_of_birth_is_plausible_from_1900():
    assert happened_error(date(1900, 1, 1), today=TODAY, earliest=EARLIEST_BIRTH) is None
    error = happened_error(date(1899, 12, 31), today=TODAY, earliest=EARLIEST_BIRTH, subject="The date of birth")
    assert error == "The date of birth must be 1 January 1900 or later"


def test_a_closure_day_may_be_up_to_3_years_ahead():
    ahead = CLOSURE_DAY_YEARS_AHEAD
    assert planned_error(date(2029, 11, 24), today=TODAY, years_ahead=ahead) is None
    assert planned_error(date(2025, 12, 25), today=TODAY, years_ahead=ahead) is None  # recorded after it passed
    assert (
        planned_error(date(2099, 1, 2), today=TODAY, years_ahead=ahead, subject="The closure day")
        == "The closure day must be 24 November 2029 or earlier (no more than 3 years ahead)"
    )
    assert planned_error(date(1800, 1, 2), today=TODAY, years_ahead=ahead) == "The date must be 1 January 2003 or later"


def test_an_emergency_marac_is_within_a_year():
    ahead = EMERGENCY_MEETING_YEARS_AHEAD
    assert planned_error(date(2027, 11, 24), today=TODAY, years_ahead=ahead) is None
    assert planned_error(date(2027, 11, 25), today=TODAY, years_ahead=ahead) == (
        "The date must be 24 November 2027 or earlier (no more than 1 year ahead)"
    )


def test_a_year_after_29_february_is_28_february_and_the_last_day_stays_the_last():
    assert years_after(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert years_after(date(2028, 2, 29), 4) == date(2032, 2, 28)
    assert years_after(date(9999, 12, 31), 1) == date.max
    assert years_after(date(9998, 6, 1), 3) == date.max


# --- Properties -----------------------------------------------------------------------------------------------------

days = st.dates(min_value=date.min, max_value=date.max)
todays = st.dates(min_value=FIRST_MARAC, max_value=date(9990, 12, 31))


@given(day=days, today=todays)
def test_a_day_has_happened_plausibly_exactly_when_it_is_from_the_first_marac_to_today(day, today):
    assert is_plausible_happened(day, today=today) == (FIRST_MARAC <= day <= today)


@given(day=days, today=todays, years_ahead=st.integers(min_value=0, max_value=5))
def test_a_planned_day_is_plausible_exactly_within_its_horizon(day, today, years_ahead):
    latest = years_after(today, years_ahead)
    assert is_plausible_planned(day, today=today, years_ahead=years_ahead) == (FIRST_MARAC <= day <= latest)


@given(day=days, today=todays, years_ahead=st.integers(min_value=0, max_value=5))
def test_whatever_has_happened_may_be_planned_too(day, today, years_ahead):
    if is_plausible_happened(day, today=today):
        assert is_plausible_planned(day, today=today, years_ahead=years_ahead)


@given(day=st.dates(max_value=date(9000, 12, 31)), years=st.integers(min_value=0, max_value=100))
def test_years_after_keeps_the_month_and_about_the_day(day, years):
    later = years_after(day, years)
    assert (later.year, later.month) == (day.year + years, day.month)
    assert later.day == day.day or (day.month, day.day, later.day) == (2, 29, 28)


@given(day=days, today=todays)
def test_every_implausible_day_gets_one_of_the_two_messages(day, today):
    error = happened_error(day, today=today, subject="The date")
    assert error in {None, "The date must be today or in the past", "The date must be 1 January 2003 or later"}


# --- Through the pages: things planned ------------------------------------------------------------------------------


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_closure_day_in_1800_or_2099_is_refused(client_for, administrator, marac):
    client = client_for(administrator)
    for typed, message in (
        ("1800-12-24", "The closure day must be 1 January 2003 or later"),
        ("2099-12-24", "The closure day must be "),
    ):
        page = _page(client.post("/settings/closure-days/new/", {"day": typed, "reason": "Council closure"}))
        assert message in page
        assert "<title>Error: " in page
    assert "no more than 3 years ahead" in page
    assert not marac.closure_days.exists()


@pytest.mark.django_db
def test_a_closure_day_3_years_ahead_or_last_christmas_is_recorded(client_for, administrator, marac):
    client = client_for(administrator)
    today = timezone.localdate()
    for day in (years_after(today, CLOSURE_DAY_YEARS_AHEAD), date(today.year - 1, 12, 24)):
        response = client.post("/settings/closure-days/new/", {"day": day.isoformat(), "reason": "Council closure"})
        assert response.status_code == 302
    assert marac.closure_days.count() == 2


@pytest.mark.django_db
def test_an_emergency_marac_in_2099_is_refused_whatever_the_weekday(client_for, coordinator, marac):
    # 2 January 2099 is a Friday: no weekend warning, but no emergency is 70 years away.
    response = client_for(coordinator).post("/meetings/emergency/new/", {"day": "2099-01-02", "at": "16:00"})
    page = _page(response)
    assert "The date of the emergency MARAC must be " in page
    assert "no more than 1 year ahead" in page
    assert "<title>Error: " in page
    assert not Meeting.objects.filter(is_emergency=True).exists()


@pytest.mark.django_db
def test_an_emergency_marac_within_the_year_is_not_refused_for_its_date(client_for, coordinator, marac):
    day = timezone.localdate() + timedelta(days=14)
    page = client_for(coordinator).post("/meetings/emergency/new/", {"day": day.isoformat(), "at": "16:00"})
    assert "The date of the emergency MARAC must be" not in page.content.decode()
