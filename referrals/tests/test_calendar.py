"""Working days and the front door's deadlines (BD Deadlines, MARAC List, Attendance, Completion of Actions)."""

from datetime import date, datetime, time, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from marac.models import BankHolidayRegion, Marac
from referrals.calendar import (
    LONDON,
    Listing,
    Region,
    WorkingCalendar,
    action_summary_due,
    add_working_days,
    bank_holidays,
    calendar_from_marac,
    case_list_release,
    emergency_item_deadline,
    is_working_day,
    listing_deadline,
    meeting_for_referral,
    months_after,
    months_before,
    non_working_reason,
    working_days_before,
    working_days_between,
    written_report_deadline,
)
from referrals.errors import RuleInputError

ENGLAND = WorkingCalendar(Region.ENGLAND)
SCOTLAND = WorkingCalendar(Region.SCOTLAND)


def london(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# A three-weekly MARAC meeting at 09:30, as in Barking and Dagenham ("Meetings commence promptly at 9.30am").
MEETING_12_JAN_2027 = london(2027, 1, 12)
MEETING_2_FEB_2027 = london(2027, 2, 2)


# --- The bank holidays, as the holidays library has them ---------------------------------------------------------


def test_it_knows_englands_christmas_new_year_and_easter_bank_holidays_from_the_library():
    holidays_2026, holidays_2027 = bank_holidays(Region.ENGLAND, 2026), bank_holidays(Region.ENGLAND, 2027)
    assert holidays_2026[date(2026, 12, 25)] == "Christmas Day"
    assert holidays_2026[date(2026, 12, 26)] == "Boxing Day"  # a Saturday, so Monday 28 December is the substitute
    assert holidays_2026[date(2026, 12, 28)] == "Boxing Day (observed)"
    assert holidays_2027[date(2027, 1, 1)] == "New Year's Day"
    assert holidays_2027[date(2027, 3, 26)] == "Good Friday"
    assert holidays_2027[date(2027, 3, 29)] == "Easter Monday"


def test_it_knows_scotlands_second_of_january_which_england_does_not_have():
    # 2 January 2027 is a Saturday: Scotland's substitute day is Monday 4 January, a working day in England.
    assert bank_holidays(Region.SCOTLAND, 2027)[date(2027, 1, 2)] == "New Year Holiday"
    assert bank_holidays(Region.SCOTLAND, 2027)[date(2027, 1, 4)] == "New Year Holiday (observed)"
    assert is_working_day(date(2027, 1, 4), ENGLAND)
    assert not is_working_day(date(2027, 1, 4), SCOTLAND)


def test_it_says_why_a_day_is_not_a_working_day():
    closed = WorkingCalendar(Region.ENGLAND, frozenset({date(2027, 1, 11)}))
    assert non_working_reason(date(2026, 12, 28), ENGLAND) == "Boxing Day (observed), a bank holiday"
    assert non_working_reason(date(2027, 1, 2), ENGLAND) == "Saturday"
    assert non_working_reason(date(2027, 1, 11), closed) == "a local closure day"
    assert non_working_reason(date(2027, 1, 11), ENGLAND) is None


# --- Working-day arithmetic ----------------------------------------------------------------------------------------


def test_it_steps_over_christmas_and_new_year():
    assert add_working_days(date(2026, 12, 24), 1, calendar=ENGLAND) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 31), 1, calendar=ENGLAND) == date(2027, 1, 4)
    assert working_days_before(date(2027, 1, 4), 1, calendar=ENGLAND) == date(2026, 12, 31)
    assert working_days_before(date(2026, 12, 29), 1, calendar=ENGLAND) == date(2026, 12, 24)


def test_it_steps_over_easter_2027():
    assert add_working_days(date(2027, 3, 25), 1, calendar=ENGLAND) == date(2027, 3, 30)
    assert working_days_between(date(2027, 3, 25), date(2027, 3, 30), calendar=ENGLAND) == 1


def test_it_refuses_a_negative_number_of_working_days():
    with pytest.raises(RuleInputError, match="cannot be negative"):
        add_working_days(date(2027, 1, 4), -1, calendar=ENGLAND)


# --- BD Deadlines ----------------------------------------------------------------------------------------------


def test_it_sets_the_listing_deadline_eight_working_days_before_across_new_year():
    """BD Deadlines: "Referrals for inclusion in the MARAC must be submitted by 5pm eight working days prior to the
    MARAC meeting." Counting back from Tuesday 12 January 2027 skips New Year's Day and the weekends."""
    assert listing_deadline(MEETING_12_JAN_2027, calendar=ENGLAND) == london(2026, 12, 30, 17, 0)


def test_it_sets_an_earlier_deadline_in_scotland_because_of_the_new_year_holiday():
    assert listing_deadline(MEETING_12_JAN_2027, calendar=SCOTLAND) == london(2026, 12, 29, 17, 0)


def test_it_sets_the_listing_deadline_across_easter_2027():
    # Tuesday 6 April 2027: back past Easter Monday and Good Friday to Tuesday 23 March, not Thursday 25 March.
    meeting = london(2027, 4, 6)
    assert listing_deadline(meeting, calendar=ENGLAND) == london(2027, 3, 23, 17, 0)
    assert emergency_item_deadline(meeting, calendar=ENGLAND) == london(2027, 3, 25, 17, 0)
    assert case_list_release(meeting, calendar=ENGLAND) == london(2027, 3, 30, 12, 0)


def test_it_moves_the_deadline_for_a_local_closure_day():
    closed_on_11_january = WorkingCalendar(Region.ENGLAND, frozenset({date(2027, 1, 11)}))
    assert listing_deadline(MEETING_12_JAN_2027, calendar=closed_on_11_january) == london(2026, 12, 29, 17, 0)


def test_it_takes_urgent_cases_up_to_six_working_days_before():
    """BD Deadlines: "If urgent cases are identified up to six days prior to the meeting these may be added to the
    MARAC agenda as emergency MARAC items." Six working days before 12 January 2027 is Monday 4 January."""
    assert emergency_item_deadline(MEETING_12_JAN_2027, calendar=ENGLAND) == london(2027, 1, 4, 17, 0)


def test_it_releases_the_case_list_at_noon_five_working_days_before():
    """BD MARAC List: "the MARAC list of cases is circulated after 12 noon five working days before the meeting"."""
    assert case_list_release(MEETING_12_JAN_2027, calendar=ENGLAND) == london(2027, 1, 5, 12, 0)


def test_it_wants_written_reports_from_absent_agencies_24_hours_before():
    """BD Attendance: "a written report can be submitted to the MARAC Coordinator no later than 24 hours prior to
    the meeting"."""
    assert written_report_deadline(MEETING_12_JAN_2027, calendar=ENGLAND) == london(2027, 1, 11, 9, 30)


def test_it_keeps_the_written_report_deadline_at_the_meeting_time_when_the_clocks_go_back():
    # The clocks go back on Sunday 31 October 2027; a Monday 09:30 meeting (GMT) wants reports by 09:30 (BST) on the
    # Friday before: the Sunday is not a working day.
    assert written_report_deadline(london(2027, 11, 1), calendar=ENGLAND) == london(2027, 10, 29, 9, 30)
    # An emergency MARAC's written submissions are due by its start (BD Emergency MARAC: it cannot wait).
    assert written_report_deadline(MEETING_12_JAN_2027, calendar=ENGLAND, emergency=True) == MEETING_12_JAN_2027


def test_it_moves_the_written_report_deadline_off_the_boxing_day_substitute_holiday():
    # Tuesday 29 December 2026: the day before is Monday 28 December, the substitute for Boxing Day (a Saturday);
    # before it come Sunday 27, Saturday 26 and Christmas Day, so reports are due on Thursday 24 December.
    assert written_report_deadline(london(2026, 12, 29), calendar=ENGLAND) == london(2026, 12, 24, 9, 30)


def test_it_moves_the_written_report_deadline_off_a_weekend_and_a_local_closure_day():
    # A Monday meeting: not the Sunday, but the Friday; and the Thursday if the Friday is a local closure day.
    assert written_report_deadline(london(2027, 2, 1), calendar=ENGLAND) == london(2027, 1, 29, 9, 30)
    closed_friday = WorkingCalendar(Region.ENGLAND, frozenset({date(2027, 1, 29)}))
    assert written_report_deadline(london(2027, 2, 1), calendar=closed_friday) == london(2027, 1, 28, 9, 30)


def test_it_uses_the_marac_s_own_bank_holidays_for_the_written_report_deadline():
    # Tuesday 5 January 2027: England works on Monday 4th; Scotland keeps it for 2 January (a Saturday), and Friday
    # 1st is New Year's Day, so a Scottish MARAC wants reports by Thursday 31 December.
    assert written_report_deadline(london(2027, 1, 5), calendar=SCOTLAND) == london(2026, 12, 31, 9, 30)
    assert written_report_deadline(london(2027, 1, 5), calendar=ENGLAND) == london(2027, 1, 4, 9, 30)


def test_it_wants_the_action_summary_within_five_working_days_after_christmas():
    """BD Completion of Actions: "A summary of agreed actions from the MARAC meeting is circulated within 5 days of the
    meeting." From Tuesday 22 December 2026: 23, 24, 29, 30 and 31 December."""
    assert action_summary_due(london(2026, 12, 22), calendar=ENGLAND) == date(2026, 12, 31)


def test_it_refuses_a_meeting_time_without_a_time_zone():
    with pytest.raises(RuleInputError, match="time zone"):
        listing_deadline(datetime(2027, 1, 12, 9, 30), calendar=ENGLAND)  # noqa: DTZ001 - naive on purpose


# --- Which meeting a referral goes to ------------------------------------------------------------------------------


def test_it_lists_a_referral_received_by_the_deadline():
    decision = meeting_for_referral(
        london(2026, 12, 30, 17, 0), [MEETING_2_FEB_2027, MEETING_12_JAN_2027], urgent=False, calendar=ENGLAND
    )
    assert decision.listing is Listing.LISTED
    assert decision.meeting_start == MEETING_12_JAN_2027
    assert decision.held_over_from is None
    assert decision.reason == (
        "Received by the deadline of 17:00 on Wednesday 30 December 2026, so listed for the meeting on "
        "Tuesday 12 January 2027."
    )


def test_it_holds_a_late_referral_over_to_the_next_meeting():
    """BD Deadlines: "Referrals received after that date will be held over to the next MARAC meeting unless an
    emergency MARAC is scheduled.\""""
    decision = meeting_for_referral(
        london(2026, 12, 30, 17, 1), [MEETING_12_JAN_2027, MEETING_2_FEB_2027], urgent=False, calendar=ENGLAND
    )
    assert decision.listing is Listing.LISTED
    assert decision.meeting_start == MEETING_2_FEB_2027
    assert decision.held_over_from == MEETING_12_JAN_2027
    assert decision.reason.startswith(
        "Missed the deadline of 17:00 on Wednesday 30 December 2026 for the meeting on Tuesday 12 January 2027."
    )
    assert not decision.emergency_marac_suggested


def test_it_adds_a_late_urgent_referral_as_an_emergency_item():
    decision = meeting_for_referral(
        london(2027, 1, 4, 16, 0), [MEETING_12_JAN_2027, MEETING_2_FEB_2027], urgent=True, calendar=ENGLAND
    )
    assert decision.listing is Listing.EMERGENCY_ITEM
    assert decision.meeting_start == MEETING_12_JAN_2027
    assert decision.deadline_met == london(2027, 1, 4, 17, 0)
    assert "emergency item" in decision.reason


def test_it_holds_an_urgent_referral_too_late_for_an_emergency_item_and_suggests_an_emergency_marac():
    decision = meeting_for_referral(
        london(2027, 1, 5, 9, 0), [MEETING_12_JAN_2027, MEETING_2_FEB_2027], urgent=True, calendar=ENGLAND
    )
    assert decision.listing is Listing.LISTED
    assert decision.meeting_start == MEETING_2_FEB_2027
    assert decision.emergency_marac_suggested
    assert decision.reason.endswith("the agency can ask the MARAC coordinator for an emergency MARAC.")


def test_it_holds_a_referral_when_no_meeting_is_scheduled_in_time():
    decision = meeting_for_referral(london(2027, 1, 6, 9, 0), [MEETING_12_JAN_2027], urgent=False, calendar=ENGLAND)
    assert decision.listing is Listing.NO_MEETING
    assert decision.meeting_start is None
    assert decision.held_over_from == MEETING_12_JAN_2027


def test_it_compares_times_in_london_whatever_zone_they_arrive_in():
    # Tuesday 20 July 2027: deadline 17:00 BST on Thursday 8 July, which is 16:00 UTC.
    meeting = london(2027, 7, 20)
    utc = datetime.fromisoformat
    on_time = meeting_for_referral(utc("2027-07-08T16:00+00:00"), [meeting], urgent=False, calendar=ENGLAND)
    late = meeting_for_referral(utc("2027-07-08T16:30+00:00"), [meeting], urgent=False, calendar=ENGLAND)
    assert on_time.listing is Listing.LISTED
    assert late.listing is Listing.NO_MEETING


def test_it_refuses_a_received_time_without_a_time_zone():
    with pytest.raises(RuleInputError, match="time the referral was received must carry its time zone"):
        meeting_for_referral(datetime(2027, 1, 4), [MEETING_12_JAN_2027], urgent=False, calendar=ENGLAND)  # noqa: DTZ001


# --- Configuration per MARAC ---------------------------------------------------------------------------------------


def test_it_builds_a_calendar_from_a_marac_without_a_query():
    # No database fixture: pytest-django would fail the test if reading the MARAC made a query.
    marac = Marac(name="Highland MARAC", bank_holiday_region=BankHolidayRegion.SCOTLAND)
    assert calendar_from_marac(marac, [date(2027, 1, 11)]) == WorkingCalendar(
        Region.SCOTLAND, frozenset({date(2027, 1, 11)})
    )


def test_it_has_the_same_regions_as_the_marac_settings():
    assert {region.value for region in Region} == set(BankHolidayRegion.values)


# --- Properties ----------------------------------------------------------------------------------------------------

days = st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31))
calendars = st.builds(WorkingCalendar, st.sampled_from(Region), st.frozensets(days, max_size=5))
counts = st.integers(min_value=0, max_value=30)


@hypothesis_settings(max_examples=60)
@given(day=days, count=counts, calendar=calendars)
def test_it_counts_back_the_working_days_it_added(day, count, calendar):
    later = add_working_days(day, count, calendar=calendar)
    assert working_days_between(day, later, calendar=calendar) == count
    if is_working_day(day, calendar):
        assert working_days_before(later, count, calendar=calendar) == day


@hypothesis_settings(max_examples=60)
@given(day=days, count=st.integers(min_value=1, max_value=30), calendar=calendars)
def test_it_always_lands_on_a_working_day(day, count, calendar):
    assert is_working_day(add_working_days(day, count, calendar=calendar), calendar)
    assert is_working_day(working_days_before(day, count, calendar=calendar), calendar)


@hypothesis_settings(max_examples=60)
@given(day=days, calendar=calendars)
def test_it_sets_every_deadline_on_a_working_day_at_five_exactly_eight_working_days_before(day, calendar):
    meeting = datetime.combine(day, time(9, 30), tzinfo=LONDON)
    deadline = listing_deadline(meeting, calendar=calendar)
    assert deadline.tzinfo is LONDON
    assert deadline.time() == time(17, 0)
    assert is_working_day(deadline.date(), calendar)
    # The deadline day is the eighth working day before the meeting day, so the first to seventh lie between them.
    assert working_days_between(deadline.date(), day - timedelta(days=1), calendar=calendar) == 7
    assert deadline < emergency_item_deadline(meeting, calendar=calendar) < meeting
    assert deadline < case_list_release(meeting, calendar=calendar) < meeting


meeting_times = st.times(min_value=time(7, 0), max_value=time(20, 0)).map(lambda moment: moment.replace(microsecond=0))


@hypothesis_settings(max_examples=100)
@given(day=days, at=meeting_times)
def test_written_reports_are_never_due_on_an_english_weekend_or_bank_holiday(day, at):
    """BD Attendance, on England's bank holidays as the holidays library has them (checked here without the module's
    own working-day rule): due on a weekday that is not a bank holiday, at least 24 hours before the meeting."""
    meeting = datetime.combine(day, at, tzinfo=LONDON)
    deadline = written_report_deadline(meeting, calendar=ENGLAND)
    english_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(day.year - 1, day.year + 1))
    assert deadline.weekday() < 5
    assert deadline.date() not in english_holidays
    assert deadline <= meeting - timedelta(hours=24)


@hypothesis_settings(max_examples=100)
@given(day=days, at=meeting_times, calendar=calendars)
def test_written_reports_are_due_on_the_last_working_day_before_the_meeting_at_its_time(day, at, calendar):
    meeting = datetime.combine(day, at, tzinfo=LONDON)
    deadline = written_report_deadline(meeting, calendar=calendar)
    assert deadline < meeting
    assert is_working_day(deadline.date(), calendar)
    assert deadline.time() == at  # the same clock time, whatever the clocks did in between
    # No working day lies between it and the meeting day: it is the working day before, not one earlier.
    assert working_days_between(deadline.date(), day - timedelta(days=1), calendar=calendar) == 0


@hypothesis_settings(max_examples=40)
@given(day=days, months=st.integers(min_value=0, max_value=24))
def test_it_goes_back_whole_months_keeping_the_day_where_the_month_has_it(day, months):
    earlier = months_before(day, months)
    assert earlier <= day
    assert (day.year * 12 + day.month) - (earlier.year * 12 + earlier.month) == months
    last_day_of_month = (months_after(earlier.replace(day=1), 1) - timedelta(days=1)).day
    assert earlier.day == min(day.day, last_day_of_month)


def test_it_falls_back_to_the_last_day_of_a_shorter_month():
    assert months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert months_after(date(2027, 1, 31), 1) == date(2027, 2, 28)
