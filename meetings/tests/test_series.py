from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.series import meeting_days
from referrals.calendar import WorkingCalendar, is_working_day

ENGLAND = WorkingCalendar()


def test_it_generates_a_three_weekly_series_on_the_meeting_day():
    days = meeting_days(
        frequency="three_weekly",
        weekday=1,
        anchor=date(2026, 1, 6),
        start=date(2026, 11, 1),
        end=date(2026, 12, 31),
        calendar=ENGLAND,
    )
    assert days == [date(2026, 11, 17), date(2026, 12, 8), date(2026, 12, 29)]


def test_a_meeting_on_a_bank_holiday_moves_to_the_next_working_day():
    # 28 December 2026 is the substitute Boxing Day holiday in England.
    days = meeting_days(
        frequency="monthly",
        weekday=0,
        anchor=date(2026, 1, 26),
        start=date(2026, 12, 1),
        end=date(2026, 12, 31),
        calendar=ENGLAND,
    )
    assert days == [date(2026, 12, 29)]


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)), st.sampled_from(["three_weekly", "monthly"]))
def test_every_meeting_falls_on_a_working_day_within_the_range(start, frequency):
    end = date.fromordinal(start.toordinal() + 120)
    days = meeting_days(frequency=frequency, weekday=1, anchor=date(2026, 1, 6), start=start, end=end, calendar=ENGLAND)
    assert days, "a four-month range always holds a meeting"
    assert all(is_working_day(day, ENGLAND) for day in days)
    assert all(start <= day for day in days)
