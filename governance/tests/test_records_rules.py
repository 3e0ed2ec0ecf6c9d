from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from governance import disclosure_rules, records_rules
from governance.disclosure_rules import DhrCircumstance
from governance.models import ComplaintStatus
from referrals.calendar import Region, WorkingCalendar, is_working_day

ENGLAND = WorkingCalendar(region=Region.ENGLAND)
ENGLISH_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=[2026, 2027])


def test_the_holidays_library_agrees_with_the_christmas_and_easter_examples():
    for day in (date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29)):
        assert day in ENGLISH_HOLIDAYS, day
    assert date(2026, 12, 26).weekday() == 5  # Boxing Day 2026 falls on a Saturday: the 28th is its substitute
    assert date(2027, 3, 25).weekday() == 3  # Thursday before Good Friday


def test_it_gives_the_chair_five_working_days_over_christmas():
    # Thu 24 Dec, [Fri 25, Sat 26, Sun 27, Mon 28 substitute], Tue 29, Wed 30, Thu 31, [Fri 1 Jan, weekend], Mon 4 Jan.
    assert records_rules.complaint_acknowledge_by(date(2026, 12, 23), calendar=ENGLAND) == date(2027, 1, 4)


def test_it_skips_a_local_closure_day_too():
    closed = WorkingCalendar(region=Region.ENGLAND, closure_days=frozenset({date(2026, 12, 24)}))
    assert records_rules.complaint_acknowledge_by(date(2026, 12, 23), calendar=closed) == date(2027, 1, 5)


def test_it_requires_release_to_a_dhr_within_ten_working_days_over_easter():
    # Received Thu 25 Mar 2027: Good Friday 26 Mar and Easter Monday 29 Mar do not count.
    requirement = disclosure_rules.dhr_requirement(
        circumstance=DhrCircumstance.CLIENT_IS_VICTIM, received_on=date(2027, 3, 25), calendar=ENGLAND
    )
    assert requirement.release_required
    assert requirement.due_on == date(2027, 4, 12)
    assert "Monday 12 April 2027" in requirement.reason


def test_it_requires_release_where_a_client_is_the_perpetrator_and_the_victim_is_known():
    requirement = disclosure_rules.dhr_requirement(
        circumstance=DhrCircumstance.CLIENT_IS_PERPETRATOR, received_on=date(2027, 3, 25), calendar=ENGLAND
    )
    assert requirement.release_required and requirement.due_on == date(2027, 4, 12)


def test_it_leaves_other_dhr_circumstances_and_courts_to_the_chair():
    other = disclosure_rules.dhr_requirement(
        circumstance=DhrCircumstance.OTHER, received_on=date(2027, 3, 25), calendar=ENGLAND
    )
    court = disclosure_rules.court_requirement()
    for requirement in (other, court):
        assert not requirement.release_required and requirement.due_on is None
        assert "chair decides" in requirement.reason


def test_it_knows_what_still_needs_the_chair_or_a_release():
    assert disclosure_rules.awaits_chair_decision(release_required=False, chair_decision="")
    assert not disclosure_rules.awaits_chair_decision(release_required=True, chair_decision="")
    assert not disclosure_rules.chair_may_decide(release_required=True, released_on=None)
    assert disclosure_rules.release_is_outstanding(release_required=False, chair_decision="release", released_on=None)
    assert not disclosure_rules.release_is_outstanding(
        release_required=False, chair_decision="refuse", released_on=None
    )
    assert disclosure_rules.release_is_overdue(
        release_required=True, chair_decision="", released_on=None, due_on=date(2027, 4, 12), today=date(2027, 4, 13)
    )
    assert not disclosure_rules.release_is_overdue(
        release_required=True, chair_decision="", released_on=None, due_on=date(2027, 4, 12), today=date(2027, 4, 12)
    )


def test_it_flags_an_acknowledgement_overdue_only_after_its_day():
    due = date(2027, 1, 4)
    overdue = records_rules.complaint_acknowledgement_is_overdue
    assert not overdue(status=ComplaintStatus.RECEIVED, acknowledge_by=due, today=due)
    assert overdue(status=ComplaintStatus.RECEIVED, acknowledge_by=due, today=due + timedelta(days=1))
    assert not overdue(status=ComplaintStatus.ACKNOWLEDGED, acknowledge_by=due, today=due + timedelta(days=1))


def test_it_escalates_only_complaints_the_chair_has_responded_to():
    allowed = {status for status in ComplaintStatus if records_rules.complaint_may_be_escalated(status)}
    assert allowed == {ComplaintStatus.RESOLVED}


def test_it_lists_the_agreements_each_member_agency_has_not_signed():
    missing = records_rules.missing_agreements([1, 2, 3], [(1, "isa"), (1, "protocol"), (2, "isa"), (9, "isa")])
    assert missing == {2: ["protocol"], 3: ["isa", "protocol"]}


def test_it_completes_an_induction_when_every_item_is_ticked():
    every = [key for key, _ in records_rules.INDUCTION_ITEMS]
    today = date(2026, 6, 1)
    assert records_rules.induction_completed_on(items=every, previously=None, today=today) == today
    assert records_rules.induction_completed_on(items=every, previously=date(2026, 5, 1), today=today) == date(
        2026, 5, 1
    )
    assert records_rules.induction_completed_on(items=every[:-1], previously=date(2026, 5, 1), today=today) is None
    assert records_rules.induction_items_known(["unknown", every[2], every[0]]) == [every[0], every[2]]


@pytest.mark.parametrize(
    ("reviewed_on", "next_due_on"),
    [(date(2026, 3, 15), date(2027, 3, 15)), (date(2028, 2, 29), date(2029, 2, 28))],
)
def test_it_sets_the_next_review_a_year_on(reviewed_on, next_due_on):
    assert records_rules.protocol_review_next_due(reviewed_on) == next_due_on


@pytest.mark.parametrize(
    ("next_due_on", "status"),
    [
        (None, records_rules.ReviewStatus.NEVER_REVIEWED),
        (date(2027, 3, 14), records_rules.ReviewStatus.OVERDUE),
        (date(2027, 3, 15), records_rules.ReviewStatus.DUE_SOON),
        (date(2027, 4, 14), records_rules.ReviewStatus.DUE_SOON),
        (date(2027, 4, 15), records_rules.ReviewStatus.NOT_DUE),
    ],
)
def test_it_warns_of_a_review_due_within_thirty_days_or_overdue(next_due_on, status):
    assert records_rules.protocol_review_status(next_due_on=next_due_on, today=date(2027, 3, 15)) == status


# --- Properties -----------------------------------------------------------------------------------------------------

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
regions = st.sampled_from(list(Region))
closures = st.frozensets(st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 1, 31)), max_size=10)


@hypothesis_settings(max_examples=100, deadline=None)
@given(received_on=days, region=regions, closure_days=closures)
def test_a_complaint_deadline_is_a_working_day_strictly_after_receipt(received_on, region, closure_days):
    calendar = WorkingCalendar(region=region, closure_days=closure_days)
    due = records_rules.complaint_acknowledge_by(received_on, calendar=calendar)
    assert due > received_on
    assert is_working_day(due, calendar)


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    received_on=days,
    region=regions,
    closure_days=closures,
    circumstance=st.sampled_from(sorted(disclosure_rules.RELEASE_REQUIRED_CIRCUMSTANCES)),
)
def test_a_dhr_release_deadline_is_a_working_day_strictly_after_receipt(
    received_on, region, closure_days, circumstance
):
    calendar = WorkingCalendar(region=region, closure_days=closure_days)
    requirement = disclosure_rules.dhr_requirement(
        circumstance=circumstance, received_on=received_on, calendar=calendar
    )
    assert requirement.due_on is not None
    assert requirement.due_on > received_on
    assert is_working_day(requirement.due_on, calendar)
    # Ten working days are two full working weeks at least: 12 calendar days when received on a Sunday.
    assert requirement.due_on >= received_on + timedelta(days=12)
