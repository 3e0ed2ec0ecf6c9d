"""When a synthetic referral is heard, by the project's own rules: the meeting series (meetings.series) and the
listing deadline (referrals.calendar), so demo cases sit on the meetings the application itself would schedule."""

import bisect
from datetime import date, datetime, time, timedelta

from cases.models import CaseStatus
from marac.models import MeetingFrequency
from meetings.series import meeting_days, meeting_start
from meetings.services import SERIES_ANCHOR
from referrals.calendar import Region, WorkingCalendar, is_working_day, listing_deadline

# Our choice for the demo: the coordinator checks a referral against the criteria and lists it within 3 days.
LISTED_AFTER_DAYS = 3
# Our choice for the demo: a heard case is closed once eight weeks have passed for its actions to be done.
CLOSED_AFTER_DAYS = 56


# Three-weekly and fortnightly series both repeat every 42 days.
_SERIES_CYCLE_DAYS = 42


def _anchor_on_or_before(first: date, *, monthly: bool) -> date:
    """The application's series anchor, moved back to before `first`: meeting_days only steps forward from its
    anchor, and the demo's history starts before it. Moved by whole cycles (or whole years, for a monthly series,
    whose week of the month comes from the anchor's day), every meeting day stays the same."""
    if monthly:
        return SERIES_ANCHOR.replace(year=min(SERIES_ANCHOR.year, first.year - 1))
    cycles = max(0, (SERIES_ANCHOR - first).days // _SERIES_CYCLE_DAYS + 1)
    return SERIES_ANCHOR - timedelta(days=_SERIES_CYCLE_DAYS * cycles)


class Calendar:
    """One MARAC's meetings from well before a period to well after it, with their listing deadlines."""

    def __init__(
        self, *, frequency: str, weekday: int, region: str, first: date, last: date, start_time: time = time(9, 30)
    ) -> None:
        self.working = WorkingCalendar(region=Region(region))
        # Custom schedules are typed in by hand; with no pattern to follow, the demo plans them as monthly.
        pattern = MeetingFrequency.MONTHLY if frequency == MeetingFrequency.CUSTOM else frequency
        anchor = _anchor_on_or_before(first, monthly=pattern == MeetingFrequency.MONTHLY)
        days = meeting_days(
            frequency=pattern, weekday=weekday, anchor=anchor, start=first, end=last, calendar=self.working
        )
        self.meetings: list[datetime] = [meeting_start(day, start_time) for day in days]
        self._deadline_days = [listing_deadline(meeting, calendar=self.working).date() for meeting in self.meetings]

    def hearing_for(self, referred_on: date) -> date:
        """The first meeting whose listing deadline (17:00, eight working days before) a referral made during
        the working day of `referred_on` meets."""
        return self.meetings[bisect.bisect_left(self._deadline_days, referred_on)].date()

    def working_days(self, first: date, last: date) -> list[date]:
        days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
        return [day for day in days if is_working_day(day, self.working)]


def status_on(*, referred_on: date, hearing: date, today: date) -> tuple[date | None, str]:
    """Where a case stands on a given day: its hearing date once heard, and its status."""
    if hearing > today:
        listed = (today - referred_on).days >= LISTED_AFTER_DAYS
        return None, CaseStatus.LISTED if listed else CaseStatus.REFERRED
    if (today - hearing).days > CLOSED_AFTER_DAYS:
        return hearing, CaseStatus.CLOSED
    return hearing, CaseStatus.HEARD
