"""The day of an emergency MARAC, as a plain function with no database (BD Emergency MARAC): any day may be chosen,
because the case cannot wait, but a weekend, a bank holiday or a local closure day is named so the coordinator
confirms it knowingly (agencies may have no one on duty to come)."""

from datetime import date, datetime, time

from referrals import calendar
from web.dates import EMERGENCY_MEETING_YEARS_AHEAD, planned_error, spoken

REGION_NAMES = {
    calendar.Region.ENGLAND: "England",
    calendar.Region.WALES: "Wales",
    calendar.Region.SCOTLAND: "Scotland",
    calendar.Region.NORTHERN_IRELAND: "Northern Ireland",
}


# BD Emergency MARAC: "the case cannot wait until the next scheduled MARAC"; warn, never refuse.
def emergency_day_warning(day: date, working: calendar.WorkingCalendar) -> str | None:
    """Why `day` is not a working day, in a sentence naming it, for the coordinator to confirm; None when it is one.
    A bank holiday on a weekend is named as the holiday."""
    holiday = calendar.bank_holidays(working.region, day.year).get(day)
    if holiday is not None:
        return f"{calendar.format_day(day)} is a bank holiday in {REGION_NAMES[working.region]} ({holiday})."
    if day.weekday() >= 5:
        return f"{spoken(day)} is a {day:%A}."  # not "Saturday 28 November 2026 is a Saturday"
    if day in working.closure_days:
        return f"{calendar.format_day(day)} is a local closure day of this MARAC."
    return None


# Working hours, for the time of an emergency MARAC: a start before or after them is named, as a day that is not a
# working day is, so the coordinator confirms it knowingly (02:00 is more often 14:00 mistyped than an emergency).
WORKING_HOURS = (time(8, 0), time(18, 0))


def emergency_time_warning(at: time) -> str | None:
    """Why the start time is outside working hours, in a sentence; None within them (the end itself included)."""
    start, end = WORKING_HOURS
    if start <= at <= end:
        return None
    return f"{at:%H:%M} is outside working hours ({start:%H:%M} to {end:%H:%M})."


def emergency_warning(starts_at: datetime, working: calendar.WorkingCalendar) -> str | None:
    """Everything the coordinator confirms about when an emergency MARAC is called (its day, its time), or None.
    `starts_at` in London time."""
    warnings = [emergency_day_warning(starts_at.date(), working), emergency_time_warning(starts_at.time())]
    return " ".join(warning for warning in warnings if warning) or None


# An emergency is not a year away: 2099 for 2026 is a typing slip, and so is 1800 (web/dates.py). The form
# (referrals.decision_forms.EmergencyMeetingForm) and the services (meetings.agenda_services) hold the same rule.
def emergency_date_error(day: date, *, today: date) -> str | None:
    """The error for an implausible day of an emergency MARAC, worded as the form words it; None for a plausible
    one. Whether it is still in the future is checked against the time, not here."""
    return planned_error(
        day, today=today, years_ahead=EMERGENCY_MEETING_YEARS_AHEAD, subject="The date of the emergency MARAC"
    )
