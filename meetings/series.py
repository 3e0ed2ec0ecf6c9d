"""When a MARAC meets: a series generated ahead from its pattern, moved off bank holidays and closure days."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from referrals.calendar import WorkingCalendar, add_working_days, is_working_day

LONDON = ZoneInfo("Europe/London")
_STEP_DAYS = {"three_weekly": 21, "fortnightly": 14}


def _first_weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _nth_weekday_of_month(year: int, month: int, weekday: int, nth: int) -> date:
    first = _first_weekday_on_or_after(date(year, month, 1), weekday)
    return first + timedelta(weeks=nth - 1)


def _on_working_day(day: date, calendar: WorkingCalendar) -> date:
    """A meeting that would fall on a bank holiday or closure day moves to the next working day (BD Deadlines)."""
    return day if is_working_day(day, calendar) else add_working_days(day, 1, calendar=calendar)


# DOMAIN.md variants: three-weekly (BD), monthly (CAM, BED), or custom dates entered by hand.
def meeting_days(
    *, frequency: str, weekday: int, anchor: date, start: date, end: date, calendar: WorkingCalendar
) -> list[date]:
    """Meeting days from `start` to `end`. Three-weekly and fortnightly series step from `anchor`, a known meeting
    day; monthly meetings fall on the same week of the month as the anchor (for example the second Tuesday)."""
    days: list[date] = []
    if frequency in _STEP_DAYS:
        day = _first_weekday_on_or_after(anchor, weekday)
        step = timedelta(days=_STEP_DAYS[frequency])
        while day > start:  # a start before the anchor: step back, so past series are right too
            day -= step
        while day < start:
            day += step
        while day <= end:
            days.append(day)
            day += step
    elif frequency == "monthly":
        nth = (anchor.day - 1) // 7 + 1
        year, month = start.year, start.month
        while date(year, month, 1) <= end:
            day = _nth_weekday_of_month(year, month, weekday, min(nth, 4))
            if start <= day <= end:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [_on_working_day(day, calendar) for day in days]


def meeting_start(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)
