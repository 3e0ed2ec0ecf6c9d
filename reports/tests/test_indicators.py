import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from actions.models import Action, ActionStatus, ForWhom
from cases.models import PartyRole
from marac.models import AgencyType, MaracAgency, PopulationFigure
from meetings.models import Attendance, AttendanceCapacity, ChildResearch, ChildStatus, ListingKind, Research
from people.models import Ethnicity, Gender, Sexuality
from referrals.models import IdvaAllocation, Referral, ReferralStatus
from reports.figures import Figure, Unit
from reports.indicators import INDICATORS, INDICATORS_BY_KEY
from reports.management.commands.indicators_doc import Command as IndicatorsDoc
from reports.periods import PeriodKind, period_containing
from reports.report import build_report, cell_for
from reports.suppression import suppression_threshold
from reports.tests.helpers import (
    HEARD_ON,
    QUARTER,
    REFERRED_ON,
    add_party,
    case,
    cases,
    listing,
    meeting,
    police,
    records_begin,
    scope,
)
from testing.factories import AgencyFactory, MaracFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def figure(key, *maracs, period=QUARTER):
    return INDICATORS_BY_KEY[key].compute(scope(*maracs, period=period))


# --- periods ----------------------------------------------------------------------------------------------


def test_it_starts_the_financial_year_in_april():
    assert period_containing(PeriodKind.FINANCIAL_YEAR, datetime.date(2026, 3, 31)).start == datetime.date(2025, 4, 1)
    april = period_containing(PeriodKind.FINANCIAL_YEAR, datetime.date(2026, 4, 1))
    assert (april.start, april.end) == (datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
    assert april.label == "2026-27 (April 2026 to March 2027)"


def test_it_rolls_twelve_months_back_from_the_day():
    rolling = period_containing(PeriodKind.ROLLING_12_MONTHS, datetime.date(2026, 11, 23))
    assert (rolling.start, rolling.end) == (datetime.date(2025, 11, 24), datetime.date(2026, 11, 23))
    assert rolling.previous().end == datetime.date(2025, 11, 23)
    leap = period_containing(PeriodKind.ROLLING_12_MONTHS, datetime.date(2028, 2, 29))
    assert leap.start == datetime.date(2027, 3, 1)


def test_it_finds_the_same_quarter_a_year_before_and_the_quarter_before():
    assert QUARTER.year_before() == period_containing(PeriodKind.QUARTER, datetime.date(2025, 4, 1))
    assert QUARTER.previous() == period_containing(PeriodKind.QUARTER, datetime.date(2026, 3, 1))
    assert period_containing(PeriodKind.MONTH, datetime.date(2026, 2, 10)).end == datetime.date(2026, 2, 28)


# --- referrals and cases heard ----------------------------------------------------------------------------


def test_it_counts_repeat_cases_as_a_share_of_cases_heard(marac):
    records_begin(marac)
    cases(marac, 3, is_repeat=True)
    cases(marac, 7)
    case(marac, is_repeat=True, heard_on=datetime.date(2026, 7, 1))  # heard in the next quarter
    repeats = figure("repeat_cases", marac)
    assert (repeats.numerator, repeats.denominator, repeats.value) == (3, 10, 30.0)
    # 30% is not "around 40%" (within 5 either side); 38% would be.
    assert not INDICATORS_BY_KEY["repeat_cases"].benchmarks[0].is_met(30.0)
    assert INDICATORS_BY_KEY["repeat_cases"].benchmarks[0].is_met(38.0)


def test_it_counts_referrals_by_the_day_of_referral_at_the_chosen_marac_only(marac, other_marac):
    cases(marac, 4)
    case(marac, referred_on=datetime.date(2026, 3, 31), heard_on=datetime.date(2026, 4, 14))
    cases(other_marac, 2)
    assert figure("referrals", marac).value == 4
    assert figure("cases_heard", marac).value == 5
    assert figure("referrals", marac, other_marac).value == 6


def test_it_counts_restricted_cases(marac):
    cases(marac, 2, restricted=True)
    cases(marac, 1)
    assert figure("cases_heard", marac).value == 3


def test_it_rates_cases_heard_per_10000_adult_women_a_year(marac):
    PopulationFigure.objects.create(marac=marac, local_authority="North", year=2026, adult_female_population=6000)
    PopulationFigure.objects.create(marac=marac, local_authority="South", year=2026, adult_female_population=4000)
    PopulationFigure.objects.create(marac=marac, local_authority="North", year=2025, adult_female_population=1)
    records_begin(marac)
    cases(marac, 8)
    rate = figure("cases_per_10k", marac)
    # 8 cases in a quarter of 91 days, among 10,000 women: 8 x 365 / 91, about 32.1 per 10,000 a year.
    assert (rate.numerator, rate.denominator, round(rate.value, 2)) == (8, 10000, 32.09)
    safelives, floor = INDICATORS_BY_KEY["cases_per_10k"].benchmarks
    assert (safelives.is_met(rate.value), floor.is_met(rate.value)) == (False, True)


def test_it_uses_the_latest_earlier_population_when_the_year_has_none(marac):
    PopulationFigure.objects.create(marac=marac, local_authority="North", year=2024, adult_female_population=20000)
    records_begin(marac)
    cases(marac, 10)
    assert figure("cases_per_10k", marac).value == pytest.approx(10 / 20000 * 10000 * 365 / 91)  # 2024's 20,000


def test_it_compares_cases_heard_with_the_same_quarter_a_year_before(marac):
    cases(marac, 10)
    records_begin(marac)
    cases(marac, 5, referred_on=datetime.date(2025, 5, 1), heard_on=datetime.date(2025, 5, 13))
    change = figure("cases_heard_change", marac)
    assert (change.numerator, change.denominator, change.value) == (10, 5, 100.0)


def test_it_makes_no_comparison_before_the_records_begin(marac):
    cases(marac, 10)
    cases(marac, 5, referred_on=datetime.date(2025, 6, 1), heard_on=datetime.date(2025, 6, 10))
    assert figure("cases_heard_change", marac).value is None


def test_it_shares_referrals_met_and_not_met_threshold(marac, referrer):
    agency = AgencyFactory()
    at = datetime.datetime(2026, 5, 2, 10, tzinfo=LONDON)
    for met in (True, True, True, False):
        Referral.objects.create(
            marac=marac,
            referrer=referrer,
            referring_agency=agency,
            status=ReferralStatus.SUBMITTED,
            criteria_result={"met": met},
            submitted_at=at,
        )
    Referral.objects.create(marac=marac, referrer=referrer, referring_agency=agency)  # a draft
    assert figure("threshold_met", marac).value == 75.0
    assert figure("threshold_not_met", marac).value == 25.0


# --- victims and children ---------------------------------------------------------------------------------


def test_it_works_out_ages_on_the_day_of_referral(marac):
    for born in (
        datetime.date(2010, 5, 1),  # 16 that day
        datetime.date(2008, 5, 2),  # 17, 18 the next day
        datetime.date(2008, 5, 1),  # 18 that day
        datetime.date(1971, 5, 1),  # 55 that day
        datetime.date(1971, 5, 2),  # 54
    ):
        case(marac, victim__date_of_birth=born)
    assert figure("victims_16_17", marac).numerator == 2
    assert figure("victims_55_plus", marac).numerator == 1
    assert figure("victims_55_plus", marac).denominator == 5


def test_it_counts_victims_with_children_and_the_children(marac):
    one, two, _, _ = cases(marac, 4)
    add_party(one, PartyRole.CHILD)
    add_party(one, PartyRole.CHILD)
    add_party(two, PartyRole.CHILD)
    assert figure("victims_with_children", marac).value == 50.0
    assert figure("children_in_households", marac).value == 3


def test_it_counts_male_victims(marac):
    cases(marac, 1, victim__gender=Gender.MALE)
    cases(marac, 3, victim__gender=Gender.FEMALE)
    assert figure("male_victims", marac).value == 25.0


def test_it_shares_referrals_from_agencies_other_than_the_police(marac):
    housing = AgencyFactory(agency_type=AgencyType.HOUSING)
    cases(marac, 4, referring_agency=housing)
    cases(marac, 6)  # the factory's agencies are police
    assert figure("non_police_referrals", marac).value == 40.0
    assert figure("referrals_from_housing", marac).value == 40.0
    assert figure("referrals_from_police", marac).value == 60.0


# --- the diversity return ---------------------------------------------------------------------------------


def test_it_fills_the_quarterly_diversity_return(marac):
    case(marac, victim__ethnicity=Ethnicity.BLACK, victim__sexuality=Sexuality.BISEXUAL)
    case(marac, victim__ethnicity=Ethnicity.WHITE, victim__is_transgender=True, victim__has_disability=True)
    case(marac, victim__sexuality=Sexuality.NOT_KNOWN, victim__gender=Gender.MALE)
    young = case(marac, victim__date_of_birth=datetime.date(2009, 12, 1))
    add_party(young, PartyRole.PERPETRATOR, date_of_birth=datetime.date(2008, 6, 1))  # 17 on 1 May 2026
    old = case(marac)
    add_party(old, PartyRole.PERPETRATOR, date_of_birth=datetime.date(2008, 5, 1))  # 18 on 1 May 2026
    counts = {
        key: figure(key, marac).numerator
        for key in (
            "referrals_bme",
            "referrals_lgbt",
            "referrals_disability",
            "referrals_male",
            "referrals_16_17",
            "referrals_perpetrator_under_18",
        )
    }
    assert counts == {
        "referrals_bme": 1,
        "referrals_lgbt": 2,
        "referrals_disability": 1,
        "referrals_male": 1,
        "referrals_16_17": 1,
        "referrals_perpetrator_under_18": 1,
    }
    assert figure("referrals_bme", marac).denominator == 5


# --- children's measures ----------------------------------------------------------------------------------


def test_it_counts_referrals_from_childrens_social_care_against_the_quarter_before(marac):
    csc = AgencyFactory(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    records_begin(marac, on=datetime.date(2025, 12, 30))  # before the quarter compared
    cases(marac, 2, referring_agency=csc, referred_on=datetime.date(2026, 2, 5))
    cases(marac, 3, referring_agency=csc)
    assert figure("csc_referrals", marac).value == 3
    growth = figure("csc_referrals_growth", marac)
    assert growth.value == 50.0
    assert INDICATORS_BY_KEY["csc_referrals_growth"].benchmarks[0].is_met(growth.value)


def test_it_counts_children_from_social_care_research_at_meetings_run_here(marac, coordinator):
    held = meeting(marac)
    with_children = case(marac)
    add_party(with_children, PartyRole.CHILD)
    add_party(with_children, PartyRole.CHILD)
    without = case(marac)
    add_party(without, PartyRole.CHILD)
    research = Research.objects.create(
        listing=listing(held, with_children),
        agency=AgencyFactory(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE),
        author=coordinator,
    )
    first, second = (party.person for party in with_children.parties.filter(role=PartyRole.CHILD))
    ChildResearch.objects.create(research=research, child=first, status=ChildStatus.CHILD_PROTECTION_PLAN)
    ChildResearch.objects.create(research=research, child=second, status=ChildStatus.NOT_KNOWN, harmful_behaviour=True)
    listing(held, without)
    assert figure("children_on_protection_plans", marac).value == 1
    assert figure("young_people_harmful_behaviour", marac).value == 1
    assert figure("families_known_to_csc", marac).value == 50.0
    assert figure("open_to_social_care", marac).value == 50.0


def test_it_gives_no_data_for_research_measures_without_a_meeting_run_here(marac):
    held = meeting(marac, closed=False)
    listing(held, case(marac))
    assert figure("children_on_protection_plans", marac).value is None
    assert figure("perpetrator_actions", marac).value is None


# --- against the recommendations --------------------------------------------------------------------------


def test_it_shares_idva_allocations_made_within_48_hours(marac):
    due = datetime.datetime(2026, 5, 3, 12, tzinfo=LONDON)
    on_time, late, missed, pending = cases(marac, 4)
    IdvaAllocation.objects.create(case=on_time, due_by=due, allocated_at=due - datetime.timedelta(hours=5))
    IdvaAllocation.objects.create(case=late, due_by=due, allocated_at=due + datetime.timedelta(hours=1))
    IdvaAllocation.objects.create(case=missed, due_by=due)
    IdvaAllocation.objects.create(case=pending, due_by=timezone.now() + datetime.timedelta(hours=40))
    within = figure("idva_within_48_hours", marac)
    assert (within.numerator, within.denominator) == (1, 3)


def test_a_victim_declining_the_idva_before_the_deadline_is_not_a_missed_allocation(marac):
    due = datetime.datetime(2026, 5, 3, 12, tzinfo=LONDON)
    on_time, declined_in_time, declined_late = cases(marac, 3)
    IdvaAllocation.objects.create(case=on_time, due_by=due, allocated_at=due - datetime.timedelta(hours=5))
    before = due - datetime.timedelta(hours=20)
    IdvaAllocation.objects.create(case=declined_in_time, due_by=due, declined_by_victim=True, declined_at=before)
    after = due + datetime.timedelta(hours=3)  # the deadline had already passed with no IDVA allocated
    IdvaAllocation.objects.create(case=declined_late, due_by=due, declined_by_victim=True, declined_at=after)
    within = figure("idva_within_48_hours", marac)
    assert (within.numerator, within.denominator) == (1, 2)


def test_it_shares_actions_done_by_their_due_date(marac, coordinator):
    held = meeting(marac)
    heard = case(marac)
    on = listing(held, heard)
    due = datetime.date(2026, 5, 20)
    agency = AgencyFactory()

    def action(**fields):
        return Action.objects.create(
            listing=on, case=heard, owner_agency=agency, description="Flag", created_by=coordinator, **fields
        )

    # Half past eleven at night in London is the next day in UTC: the local day is the one that counts.
    evening = datetime.datetime(2026, 5, 20, 23, 30, tzinfo=LONDON)
    action(for_whom=ForWhom.VICTIM, due_on=due, status=ActionStatus.DONE, closed_at=evening)
    late = datetime.datetime(2026, 5, 21, 9, tzinfo=LONDON)
    action(for_whom=ForWhom.PERPETRATOR, due_on=due, status=ActionStatus.DONE, closed_at=late)
    action(for_whom=ForWhom.CHILDREN, due_on=due)
    action(for_whom=ForWhom.VICTIM, due_on=datetime.date(2026, 8, 1))  # due next quarter
    on_time = figure("actions_on_time", marac)
    assert (on_time.numerator, on_time.denominator) == (1, 3)
    assert figure("perpetrator_actions", marac).value == 100.0


def test_it_shares_core_agency_places_attended_or_covered_in_writing(marac):
    core_police, core_housing = police(marac), AgencyFactory(agency_type=AgencyType.HOUSING)
    supporting = AgencyFactory(agency_type=AgencyType.EDUCATION)
    MaracAgency.objects.create(marac=marac, agency=core_police, is_core=True)
    MaracAgency.objects.create(marac=marac, agency=core_housing, is_core=True)
    MaracAgency.objects.create(marac=marac, agency=supporting, is_core=False)
    first, second = meeting(marac), meeting(marac, datetime.date(2026, 6, 9))
    meeting(marac, datetime.date(2026, 6, 30))  # no register kept: left out
    rep = UserFactory()
    Attendance.objects.create(meeting=first, user=rep, agency=core_police, capacity=AttendanceCapacity.REPRESENTATIVE)
    Attendance.objects.create(
        meeting=first, agency=core_housing, capacity=AttendanceCapacity.WRITTEN_SUBMISSION, present=False
    )
    Attendance.objects.create(meeting=first, agency=supporting, capacity=AttendanceCapacity.REPRESENTATIVE)
    Attendance.objects.create(meeting=second, agency=core_police, capacity=AttendanceCapacity.DEPUTY)
    Attendance.objects.create(meeting=second, agency=core_housing, capacity=AttendanceCapacity.DEPUTY, present=False)
    attended = figure("core_attendance", marac)
    assert (attended.numerator, attended.denominator, attended.value) == (3, 4, 75.0)
    assert figure("education_attendance", marac).value == 50.0


def test_it_counts_information_only_listings_that_break_the_rules(marac):
    held = meeting(marac)
    with_children = case(marac)
    add_party(with_children, PartyRole.CHILD)
    listing(held, with_children, kind=ListingKind.INFORMATION_ONLY)
    listing(held, case(marac, victim_pregnant=True), kind=ListingKind.INFORMATION_ONLY)
    listing(held, case(marac), kind=ListingKind.INFORMATION_ONLY)
    listing(held, case(marac))
    assert figure("information_only_against_the_rules", marac).value == 2
    assert figure("information_only_share", marac).value == 75.0


def test_it_shares_cases_heard_with_the_victims_details_recorded(marac):
    case(
        marac, victim__ethnicity=Ethnicity.ASIAN, victim__sexuality=Sexuality.HETEROSEXUAL, victim__has_disability=False
    )
    case(marac, victim__ethnicity=Ethnicity.NOT_KNOWN, victim__has_disability=False)
    assert figure("data_recorded", marac).value == 50.0


# --- suppression and the report ---------------------------------------------------------------------------


def test_it_suppresses_counts_from_one_to_five():
    percent, count = INDICATORS_BY_KEY["repeat_cases"], INDICATORS_BY_KEY["referrals"]
    small = cell_for(percent, Figure.percent(3, 40), suppress=True, threshold=5)
    assert (small.value_text, small.numerator_text, small.denominator_text) == ("suppressed", "<6", "40")
    assert cell_for(count, Figure.count(5), suppress=True, threshold=5).value_text == "<6"
    assert cell_for(count, Figure.count(0), suppress=True, threshold=5).value_text == "0"
    assert cell_for(count, Figure.count(6), suppress=True, threshold=5).value_text == "6"
    assert cell_for(count, Figure.count(3), suppress=False, threshold=5).value_text == "3"
    small_whole = cell_for(percent, Figure.percent(0, 4), suppress=True, threshold=5)
    assert (small_whole.value_text, small_whole.denominator_text) == ("suppressed", "<6")


def test_it_reads_the_threshold_from_the_setting(settings):
    assert suppression_threshold() == 5
    settings.OPENMARAC_SUPPRESSION_THRESHOLD = 10
    assert suppression_threshold() == 10
    rate = cell_for(INDICATORS_BY_KEY["cases_per_10k"], Figure.per_10k_a_year(8, 10000, 3), suppress=True, threshold=10)
    assert rate.value_text == "suppressed"


def test_it_shows_each_marac_and_the_combined_figures(marac, other_marac):
    records_begin(marac, other_marac)
    cases(marac, 3, is_repeat=True)
    cases(marac, 7)
    cases(other_marac, 10, is_repeat=True)
    report = build_report(
        maracs=[(marac.pk, marac.name), (other_marac.pk, other_marac.name)],
        period=QUARTER,
        suppress=False,
        threshold=5,
        keys=["repeat_cases", "cases_heard"],
    )
    assert [column.label for column in report.columns] == [marac.name, other_marac.name, "Combined"]
    rows = {row.indicator.key: row for group in report.groups for row in group.rows}
    assert [cell.value_text for cell in rows["repeat_cases"].cells] == ["30.0%", "100.0%", "65.0%"]
    assert [cell.value_text for cell in rows["cases_heard"].cells] == ["10", "10", "20"]


def test_it_decides_the_scorecard_from_the_benchmarks(marac):
    PopulationFigure.objects.create(marac=marac, local_authority="North", year=2026, adult_female_population=10000)
    records_begin(marac)
    cases(marac, 4, is_repeat=True)
    cases(marac, 6)
    report = build_report(maracs=[(marac.pk, marac.name)], period=QUARTER, suppress=False, threshold=5)
    statuses = {row.item.statement: row.statuses[0] for row in report.scorecard}
    assert statuses["Agencies identify and refer repeat cases back to MARAC"] == "met"  # 40%
    assert statuses["The number of referrals is at least 80% of SafeLives' recommendation"] == "met"  # 40
    assert statuses["Core agencies consistently attend and participate in the MARAC"] == "no data"
    assert statuses["Thresholds are clear and appropriate"] == "needs a person's judgement"
    # Where small numbers are suppressed, 4 repeats of 10 are: judged, the item would say where the 4 lies.
    suppressed = build_report(maracs=[(marac.pk, marac.name)], period=QUARTER, suppress=True, threshold=5)
    statuses = {row.item.statement: row.statuses[0] for row in suppressed.scorecard}
    assert statuses["Agencies identify and refer repeat cases back to MARAC"] == "suppressed"
    assert statuses["The number of referrals is at least 80% of SafeLives' recommendation"] == "met"


def test_it_defines_every_indicator_once_with_a_source():
    keys = [indicator.key for indicator in INDICATORS]
    assert len(keys) == len(set(keys))
    assert all(indicator.sources and indicator.definition for indicator in INDICATORS)
    assert all(indicator.denominator for indicator in INDICATORS if indicator.unit == Unit.PERCENT)


def test_it_keeps_docs_indicators_md_up_to_date():
    call_command(IndicatorsDoc(), check=True)


def test_it_runs_every_indicator_on_an_empty_marac():
    empty = MaracFactory()
    for indicator in INDICATORS:
        indicator.compute(scope(empty))


def test_it_leaves_out_cases_referred_outside_the_period_from_referrals(marac):
    case(marac, referred_on=REFERRED_ON)
    case(marac, referred_on=datetime.date(2026, 7, 1), heard_on=HEARD_ON)
    assert figure("referrals", marac).value == 1
