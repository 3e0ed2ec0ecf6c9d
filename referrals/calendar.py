"""Working days per MARAC and the deadlines of the front door, in Europe/London time.

A working day is Monday to Friday, not a bank holiday in the MARAC's part of the UK and not one of its local
closure days. Bank holidays come from the `holidays` library, so substitute days (28 December 2026) and the
nations' differences (Scotland's 2 January, Northern Ireland's St Patrick's Day) are not typed in by hand.
"""

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

from referrals.errors import RuleInputError, raise_if_any

LONDON = ZoneInfo("Europe/London")

REFERRAL_CUT_OFF = time(17, 0)
CASE_LIST_TIME = time(12, 0)
LISTING_WORKING_DAYS = 8
EMERGENCY_ITEM_WORKING_DAYS = 6
CASE_LIST_WORKING_DAYS = 5
ACTION_SUMMARY_WORKING_DAYS = 5
# BD Emergency MARAC: "the agency can initiate an Emergency MARAC. In the first instance the agency must contact the
# MARAC Coordinator."
_EMERGENCY_MARAC_WORDS = " If the case cannot wait, the agency can ask the MARAC coordinator for an emergency MARAC."


class Region(StrEnum):
    """The bank holiday regions, with the same values as `marac.models.BankHolidayRegion`."""

    ENGLAND = "ENG"
    WALES = "WLS"
    SCOTLAND = "SCT"
    NORTHERN_IRELAND = "NIR"


@dataclass(frozen=True)
class WorkingCalendar:
    region: Region = Region.ENGLAND
    closure_days: frozenset[date] = frozenset()


class MaracCalendarFields(Protocol):
    @property
    def bank_holiday_region(self) -> str: ...


def calendar_from_marac(marac: MaracCalendarFields, closure_days: Iterable[date] = ()) -> WorkingCalendar:
    """Read the region from the MARAC; its closure days are passed in, as reading them would be a query."""
    try:
        region = Region(marac.bank_holiday_region)
    except ValueError:
        raise RuleInputError([f"The MARAC's bank holiday region {marac.bank_holiday_region!r} is not known."]) from None
    return WorkingCalendar(region=region, closure_days=frozenset(closure_days))


@functools.cache
def bank_holidays(region: Region, year: int) -> Mapping[date, str]:
    found: Mapping[date, str] = holidays.country_holidays("GB", subdiv=region.value, years=year)
    return MappingProxyType(dict(found))


def non_working_reason(day: date, calendar: WorkingCalendar) -> str | None:
    """Why `day` is not a working day, in words for a message, or None when it is one."""
    if day.weekday() >= 5:
        return "Saturday" if day.weekday() == 5 else "Sunday"
    holiday = bank_holidays(calendar.region, day.year).get(day)
    if holiday is not None:
        return f"{holiday}, a bank holiday"
    if day in calendar.closure_days:
        return "a local closure day"
    return None


def is_working_day(day: date, calendar: WorkingCalendar) -> bool:
    return non_working_reason(day, calendar) is None


def add_working_days(day: date, count: int, *, calendar: WorkingCalendar) -> date:
    """The `count`th working day after `day` (`day` itself is not counted; 0 gives `day` back)."""
    return _step_working_days(day, count, calendar, timedelta(days=1))


def working_days_before(day: date, count: int, *, calendar: WorkingCalendar) -> date:
    """The `count`th working day before `day` (`day` itself is not counted; 0 gives `day` back)."""
    return _step_working_days(day, count, calendar, timedelta(days=-1))


def working_days_between(start: date, end: date, *, calendar: WorkingCalendar) -> int:
    """How many working days fall after `start`, up to and including `end`."""
    if end < start:
        raise RuleInputError([f"{format_day(end)} is before {format_day(start)}."])
    return sum(1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(offset), calendar))


def _step_working_days(day: date, count: int, calendar: WorkingCalendar, step: timedelta) -> date:
    if count < 0:
        raise RuleInputError([f"A number of working days cannot be negative; got {count}."])
    while count:
        day += step
        if is_working_day(day, calendar):
            count -= 1
    return day


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier; a day the month lacks falls back to its last day."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


def format_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def format_moment(moment: datetime) -> str:
    """A deadline, time first: "17:00 on Friday 13 November 2026"."""
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {format_day(local.date())}"


def format_meeting_time(moment: datetime) -> str:
    """When a meeting is, day first as GOV.UK writes it: "Wednesday 25 November 2026 at 14:00"."""
    local = moment.astimezone(LONDON)
    return f"{format_day(local.date())} at {local:%H:%M}"


def format_when(moment: datetime) -> str:
    """Any other moment in prose or a summary list (submitted, recorded, signed): "24 November 2026 at 14:00"."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _meeting_day(meeting_start: datetime) -> date:
    _require_aware(("meeting start", meeting_start))
    return meeting_start.astimezone(LONDON).date()


def _require_aware(*named: tuple[str, datetime]) -> None:
    raise_if_any([f"The {name} must carry its time zone." for name, moment in named if moment.utcoffset() is None])


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


# BD Deadlines: "Referrals for inclusion in the MARAC must be submitted by 5pm eight working days prior to the meeting."
def listing_deadline(meeting_start: datetime, *, calendar: WorkingCalendar) -> datetime:
    day = working_days_before(_meeting_day(meeting_start), LISTING_WORKING_DAYS, calendar=calendar)
    return _at(day, REFERRAL_CUT_OFF)


# BD Deadlines: "If urgent cases are identified up to six days prior to the meeting these may be added ... as emergency
# MARAC items." Six working days, by 17:00 like the ordinary deadline.
def emergency_item_deadline(meeting_start: datetime, *, calendar: WorkingCalendar) -> datetime:
    day = working_days_before(_meeting_day(meeting_start), EMERGENCY_ITEM_WORKING_DAYS, calendar=calendar)
    return _at(day, REFERRAL_CUT_OFF)


# BD MARAC List: "the MARAC list of cases is circulated after 12 noon five working days before the meeting".
def case_list_release(meeting_start: datetime, *, calendar: WorkingCalendar) -> datetime:
    day = working_days_before(_meeting_day(meeting_start), CASE_LIST_WORKING_DAYS, calendar=calendar)
    return _at(day, CASE_LIST_TIME)


# BD Attendance: "a written report can be submitted to the MARAC Coordinator no later than 24 hours prior to the
# meeting".
def written_report_deadline(meeting_start: datetime, *, calendar: WorkingCalendar, emergency: bool = False) -> datetime:
    """BD Attendance: written reports from agencies that cannot attend, 24 hours before the meeting; when that day is
    not a working day (28 December 2026, say), the working day before it, as nobody is there to receive them. An
    emergency MARAC is called because the case cannot wait, often less than a day ahead, and its case list goes out when
    it is called: a written submission is due by its start, or every one would be late before it could be written."""
    # Same clock time the day before: the clocks changing overnight should not move a 09:30 deadline to 08:30.
    _require_aware(("meeting start", meeting_start))
    if emergency:
        return meeting_start
    local = meeting_start.astimezone(LONDON)
    day = local.date() - timedelta(days=1)
    if not is_working_day(day, calendar):
        day = working_days_before(day, 1, calendar=calendar)
    return _at(day, local.time())


# BD Completion of Actions: "A summary of agreed actions from the MARAC meeting is circulated within 5 days of the
# meeting." Read as five working days, like the rest of the toolkit's deadlines.
def action_summary_due(meeting_start: datetime, *, calendar: WorkingCalendar) -> date:
    """The last day (inclusive) for circulating the summary of actions: five working days after the meeting."""
    return add_working_days(_meeting_day(meeting_start), ACTION_SUMMARY_WORKING_DAYS, calendar=calendar)


class Listing(StrEnum):
    LISTED = "listed"
    EMERGENCY_ITEM = "emergency_item"
    NO_MEETING = "no_meeting"


@dataclass(frozen=True)
class ListingDecision:
    listing: Listing
    meeting_start: datetime | None
    deadline_met: datetime | None
    held_over_from: datetime | None
    emergency_marac_suggested: bool
    reason: str


# BD Deadlines: "Referrals received after that date will be held over to the next MARAC meeting unless an emergency
# MARAC is scheduled." A meeting already started (or closed) when the referral is listed can hear nothing more, so a
# referral in time for it is held over to the next one in the same way.
def meeting_for_referral(
    received_at: datetime,
    meetings: Iterable[datetime],
    *,
    urgent: bool,
    calendar: WorkingCalendar,
    started: Iterable[datetime] = (),
) -> ListingDecision:
    """The first meeting whose deadline the referral met, or an emergency item when urgent, else held to the next.
    `started`: the meetings that have started or closed, which are never chosen."""
    meetings, started = tuple(meetings), frozenset(started)
    _require_aware(("time the referral was received", received_at), *(("meeting start", m) for m in meetings))
    missed: datetime | None = None
    passed: datetime | None = None
    for meeting in sorted(m for m in meetings if m > received_at):
        deadline, day = listing_deadline(meeting, calendar=calendar), format_day(_meeting_day(meeting))
        emergency = emergency_item_deadline(meeting, calendar=calendar)
        earned = received_at <= deadline or (urgent and received_at <= emergency)
        if earned and meeting in started:
            passed = passed or meeting
            continue
        if received_at <= deadline:
            reason = f"Received by the deadline of {format_moment(deadline)}, so listed for the meeting on {day}."
            return _listed(
                Listing.LISTED, meeting, deadline, (missed, passed), reason, urgent=urgent, calendar=calendar
            )
        if urgent and received_at <= emergency:
            reason = (
                f"Received after the deadline of {format_moment(deadline)}, but urgent and by "
                f"{format_moment(emergency)}, six working days before the meeting on {day}: it may be added to that "
                "meeting as an emergency item."
            )
            return _listed(
                Listing.EMERGENCY_ITEM, meeting, emergency, (missed, passed), reason, urgent=urgent, calendar=calendar
            )
        missed = missed or meeting
    return _no_meeting((missed, passed), urgent=urgent, calendar=calendar)


# The meetings a referral did not get to: the first whose deadline it missed, and the first it was in time for but
# which had started by the time it was listed.
type NotReached = tuple[datetime | None, datetime | None]


def _listed(
    listing: Listing,
    meeting: datetime,
    deadline: datetime,
    not_reached: NotReached,
    reason: str,
    *,
    urgent: bool,
    calendar: WorkingCalendar,
) -> ListingDecision:
    held_over_from = _held_over_from(not_reached)
    suggest = urgent and held_over_from is not None
    reason = _not_reached_words(not_reached, calendar) + reason
    if suggest:
        reason += _EMERGENCY_MARAC_WORDS
    return ListingDecision(listing, meeting, deadline, held_over_from, suggest, reason)


def _no_meeting(not_reached: NotReached, *, urgent: bool, calendar: WorkingCalendar) -> ListingDecision:
    reason = _not_reached_words(not_reached, calendar)
    reason += "There is no meeting scheduled yet whose deadline this referral meets; it is held to the next one."
    if urgent:
        reason += _EMERGENCY_MARAC_WORDS
    return ListingDecision(Listing.NO_MEETING, None, None, _held_over_from(not_reached), urgent, reason)


def _held_over_from(not_reached: NotReached) -> datetime | None:
    return min((meeting for meeting in not_reached if meeting is not None), default=None)


def _not_reached_words(not_reached: NotReached, calendar: WorkingCalendar) -> str:
    missed, passed = not_reached
    words = ""
    if missed:
        deadline = listing_deadline(missed, calendar=calendar)
        words += (
            f"Missed the deadline of {format_moment(deadline)} for the meeting on {format_day(_meeting_day(missed))}. "
        )
    if passed:
        words += (
            f"In time for the meeting on {format_day(_meeting_day(passed))}, but that meeting had already started when "
            "the referral was accepted, so it is held over to the next meeting. "
        )
    return words
