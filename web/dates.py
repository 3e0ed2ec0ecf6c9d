"""Whether a date typed into a form is plausible: one plain rule for every form and service, no ORM.

A record of something that has happened (a complaint received, an agreement signed, a report's day) is dated
from the first MARAC (Cardiff, 2003) to today: 1 January 1800 is a typing slip, and so is a day in 2099. Something
planned (a closure day, an emergency MARAC) may be ahead, but only so far: a closure day up to 3 years ahead, an
emergency MARAC (an emergency) within a year. A person's date of birth is plausible from 1 January 1900.

Each check gives the GOV.UK message for a wrong date, naming it ("The date the complaint was received must be
1 January 2003 or later"), or None for a plausible one."""

from datetime import date

FIRST_MARAC = date(2003, 1, 1)  # the first MARAC: Cardiff, 2003
EARLIEST_BIRTH = date(1900, 1, 1)
CLOSURE_DAY_YEARS_AHEAD = 3
EMERGENCY_MEETING_YEARS_AHEAD = 1


def years_after(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a year with none), or the last day a date can be."""
    if day.year + years > date.max.year:
        return date.max
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year + years, day=28)
    return day.replace(year=day.year + years)


def spoken(day: date) -> str:
    """A date as GOV.UK writes it: 1 January 2003."""
    return f"{day.day} {day:%B} {day.year}"


def too_early_error(day: date, *, earliest: date = FIRST_MARAC, subject: str = "The date") -> str | None:
    if day < earliest:
        return f"{subject} must be {spoken(earliest)} or later"
    return None


def happened_error(day: date, *, today: date, earliest: date = FIRST_MARAC, subject: str = "The date") -> str | None:
    """The error for the date of something that has happened: it must be from `earliest` to today."""
    if day > today:
        return f"{subject} must be today or in the past"
    return too_early_error(day, earliest=earliest, subject=subject)


def planned_error(
    day: date, *, today: date, years_ahead: int, earliest: date = FIRST_MARAC, subject: str = "The date"
) -> str | None:
    """The error for the date of something planned: from `earliest` to `years_ahead` years after today."""
    latest = years_after(today, years_ahead)
    if day > latest:
        ahead = "1 year" if years_ahead == 1 else f"{years_ahead} years"
        return f"{subject} must be {spoken(latest)} or earlier (no more than {ahead} ahead)"
    return too_early_error(day, earliest=earliest, subject=subject)


def is_plausible_happened(day: date, *, today: date, earliest: date = FIRST_MARAC) -> bool:
    return happened_error(day, today=today, earliest=earliest) is None


def is_plausible_planned(day: date, *, today: date, years_ahead: int, earliest: date = FIRST_MARAC) -> bool:
    return planned_error(day, today=today, years_ahead=years_ahead, earliest=earliest) is None
