"""A rate a year (cases heard per 10,000 adult women) is scaled by the days counted, whatever the kind of period:
the cases over the days counted, times the days of the 12 months ending on the last day counted."""

import datetime

import pytest

from marac.models import PopulationFigure
from reports.indicators import INDICATORS_BY_KEY
from reports.periods import PeriodKind, period_containing
from reports.tests.helpers import cases, records_begin, scope

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 15)
OCTOBER_ENDS = datetime.date(2026, 10, 31)


def _rate(marac, period):
    return INDICATORS_BY_KEY["cases_per_10k"].compute(scope(marac, period=period)).value


@pytest.fixture
def heard_in_october(marac):
    PopulationFigure.objects.create(marac=marac, local_authority="North", year=2026, adult_female_population=10000)
    records_begin(marac)
    cases(marac, 6, referred_on=datetime.date(2026, 10, 1), heard_on=datetime.date(2026, 10, 13))
    return marac


def test_it_gives_a_month_and_its_quarter_counted_to_the_months_end_the_same_rate(heard_in_october):
    month = period_containing(PeriodKind.MONTH, OCTOBER)
    quarter = period_containing(PeriodKind.QUARTER, OCTOBER, today=OCTOBER_ENDS)
    assert quarter.last_day == OCTOBER_ENDS and not quarter.is_over

    # 6 cases in 31 days, among 10,000 women: 6 x 365 / 31 a year.
    assert _rate(heard_in_october, month) == _rate(heard_in_october, quarter) == pytest.approx(6 * 365 / 31)


def test_it_scales_a_whole_quarter_by_its_days_not_by_four(heard_in_october):
    quarter = period_containing(PeriodKind.QUARTER, OCTOBER)  # October to December: 92 days
    assert _rate(heard_in_october, quarter) == pytest.approx(6 * 365 / 92)


@pytest.mark.parametrize("kind", [PeriodKind.YEAR, PeriodKind.FINANCIAL_YEAR])
def test_it_gives_a_whole_year_its_own_count(heard_in_october, kind):
    assert _rate(heard_in_october, period_containing(kind, OCTOBER)) == pytest.approx(6.0)


def test_it_gives_a_year_with_29_february_its_own_count(marac):
    PopulationFigure.objects.create(marac=marac, local_authority="North", year=2027, adult_female_population=10000)
    records_begin(marac)
    cases(marac, 40, referred_on=datetime.date(2028, 2, 29), heard_on=datetime.date(2028, 3, 7))
    financial_year = period_containing(PeriodKind.FINANCIAL_YEAR, datetime.date(2028, 2, 29))  # 366 days
    assert _rate(marac, financial_year) == pytest.approx(40.0)
