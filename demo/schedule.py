"""When a synthetic referral is heard: the MARAC's meeting pattern and the referral deadline, with no database."""

import bisect
from collections.abc import Container
from datetime import date, timedelta

import holidays

from cases.models import CaseStatus
from marac.models import MeetingFrequency

# Meetings count their cycle from this Monday, so every run (and every machine) puts them on the same days.
_ANCHOR = date(2024, 1, 1)
# BD Deadlines: referrals in by eight working days before the meeting.
REFERRAL_DEADLINE_WORKING_DAYS = 8
# Our choice for the demo: the coordinator checks a referral against the criteria and lists it within 3 days.
LISTED_AFTER_DAYS = 3
# Our choice for the demo: a heard case is closed once eight weeks have passed for its actions to be done.
CLOSED_AFTER_DAYS = 56


def bank_holidays(region: str, first: date, last: date) -> set[date]:
    return set(holidays.country_holidays("GB", subdiv=region, years=range(first.year, last.year + 1)))


def is_working_day(day: date, closed: Container[date]) -> bool:
    return day.weekday() < 5 and day not in closed


def working_days_after(day: date, count: int, closed: Container[date]) -> date:
    while count:
        day += timedelta(days=1)
        count -= is_working_day(day, closed)
    return day


def next_working_day(day: date, closed: Container[date]) -> date:
    while not is_working_day(day, closed):
        day += timedelta(days=1)
    return day


def _every(step_days: int, weekday: int, first: date, last: date) -> list[date]:
    anchor = _ANCHOR + timedelta(days=(weekday - _ANCHOR.weekday()) % 7)
    day = anchor + timedelta(days=(first - anchor).days // step_days * step_days)
    days = []
    while day <= last:
        if day >= first:
            days.append(day)
        day += timedelta(days=step_days)
    return days


def _second_weekday_of_each_month(weekday: int, first: date, last: date) -> list[date]:
    days = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        first_of_month = date(year, month, 1)
        day = first_of_month + timedelta(days=(weekday - first_of_month.weekday()) % 7 + 7)
        if first <= day <= last:
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def meeting_dates(*, frequency: str, weekday: int, first: date, last: date, closed: Container[date]) -> list[date]:
    """The meetings between two dates; one that falls on a bank holiday moves to the next working day.

    Custom schedules have no pattern to follow, so they are planned as monthly."""
    if frequency == MeetingFrequency.THREE_WEEKLY:
        planned = _every(21, weekday, first, last)
    elif frequency == MeetingFrequency.FORTNIGHTLY:
        planned = _every(14, weekday, first, last)
    else:
        planned = _second_weekday_of_each_month(weekday, first, last)
    return [next_working_day(day, closed) for day in planned]


class Calendar:
    """One MARAC's meetings and closed days, from well before a period to well after it."""

    def __init__(self, *, frequency: str, weekday: int, region: str, first: date, last: date) -> None:
        self.closed = bank_holidays(region, first, last)
        self.meetings = meeting_dates(frequency=frequency, weekday=weekday, first=first, last=last, closed=self.closed)

    def hearing_for(self, referred_on: date) -> date:
        """The first meeting whose referral deadline the referral meets."""
        deadline = working_days_after(referred_on, REFERRAL_DEADLINE_WORKING_DAYS, self.closed)
        return self.meetings[bisect.bisect_left(self.meetings, deadline)]

    def working_days(self, first: date, last: date) -> list[date]:
        days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
        return [day for day in days if is_working_day(day, self.closed)]


def status_on(*, referred_on: date, hearing: date, today: date) -> tuple[date | None, str]:
    """Where a case stands on a given day: its hearing date once heard, and its status."""
    if hearing > today:
        listed = (today - referred_on).days >= LISTED_AFTER_DAYS
        return None, CaseStatus.LISTED if listed else CaseStatus.REFERRED
    if (today - hearing).days > CLOSED_AFTER_DAYS:
        return hearing, CaseStatus.CLOSED
    return hearing, CaseStatus.HEARD
