"""The age the reports work out in the database (reports.cohorts.age_on) is the age the referral rules work out
(referrals.risk.age_on): whole years, a birthday on 29 February coming round on 1 March in other years. On
PostgreSQL it is worked out with age() (bands and "under 18" by comparing dates), on SQLite from the date's parts;
both are checked by the test runs."""

from datetime import date

import pytest
from django.db.models import DateField, Value
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from marac.models import Marac
from referrals.risk import age_on as age_by_the_rules
from reports.cohorts import AGE_BAND_STARTS, _Age, _AgeBand, _Under

pytestmark = pytest.mark.django_db


def _age_in_the_database(born: date, on: date, *, band: bool = False) -> int:
    if not Marac.objects.exists():
        Marac.objects.create(name="Ageing MARAC")
    age = _Age(Value(born, output_field=DateField()), Value(on, output_field=DateField()))
    return Marac.objects.annotate(age=_AgeBand(age) if band else age).values_list("age", flat=True)[0]


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        (date(2008, 3, 1), date(2024, 2, 29), 15),
        (date(1970, 12, 31), date(2026, 1, 1), 55),
        (date(1971, 1, 1), date(2026, 1, 1), 55),
        (date(2026, 1, 1), date(2026, 1, 1), 0),
    ],
)
def test_it_works_out_whole_years_with_birthdays_on_29_february(born, on, age):
    assert _age_in_the_database(born, on) == age


def test_a_birth_after_the_date_gives_the_years_between_less_one_as_before():
    # A data error (born after the referral), kept as it always was: no indicator's band reaches below 0.
    assert _age_in_the_database(date(2010, 5, 1), date(2009, 3, 1)) == -2


BIRTHS = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(born=BIRTHS, on=DAYS)
def test_it_agrees_with_the_referral_rules_for_any_dates(born, on):
    if born <= on:
        assert _age_in_the_database(born, on) == age_by_the_rules(born, on)


def _band_by_the_rules(age: int) -> int:
    """0 below 16, 1 for 16-17, 2 for 18-24 ... 6 for 55 and over."""
    return sum(1 for start in AGE_BAND_STARTS if age >= start)


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        (date(2010, 6, 2), date(2026, 6, 1), 0),  # 15, a day short of 16
        (date(2010, 6, 1), date(2026, 6, 1), 1),  # 16 that day
        (date(2008, 6, 2), date(2026, 6, 1), 1),  # still 17
        (date(2008, 6, 1), date(2026, 6, 1), 2),  # 18
        (date(1971, 6, 2), date(2026, 6, 1), 5),  # 54
        (date(1971, 6, 1), date(2026, 6, 1), 6),  # 55
        (date(1900, 1, 1), date(2026, 6, 1), 6),  # recorded as 126: 55 and over, as any age past 55
        (date(2027, 1, 1), date(2026, 6, 1), 0),  # born after the date: in no band from 16
    ],
)
def test_it_puts_an_age_in_the_band_the_indicators_count_it_in(born, on, band):
    assert _age_in_the_database(born, on, band=True) == band


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(born=BIRTHS, on=DAYS)
def test_its_bands_agree_with_the_referral_rules_for_any_dates(born, on):
    if born <= on:
        assert _age_in_the_database(born, on, band=True) == _band_by_the_rules(age_by_the_rules(born, on))


def _under_in_the_database(born: date | None, on: date, years: int) -> bool:
    if not Marac.objects.exists():
        Marac.objects.create(name="Ageing MARAC")
    under = _Under(Value(born, output_field=DateField()), Value(on, output_field=DateField()), years=years)
    return Marac.objects.filter(under).exists()


@pytest.mark.parametrize(
    ("born", "on", "under_18"),
    [
        (date(2008, 2, 29), date(2026, 2, 28), True),  # 17: the birthday comes round on 1 March
        (date(2008, 2, 29), date(2026, 3, 1), False),
        (date(2006, 3, 1), date(2024, 2, 29), True),  # 17 on a 29 February
        (date(2006, 2, 28), date(2024, 2, 29), False),
        (date(2008, 6, 2), date(2026, 6, 1), True),  # a day short of 18
        (date(2008, 6, 1), date(2026, 6, 1), False),  # 18 that day
        (None, date(2026, 6, 1), False),  # not known: not counted as under 18
    ],
)
def test_under_an_age_is_whole_years_as_the_rules_count_them(born, on, under_18):
    assert _under_in_the_database(born, on, 18) is under_18


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(born=BIRTHS, on=DAYS, years=st.sampled_from([16, 18, 25, 55]))
def test_under_an_age_agrees_with_the_referral_rules_for_any_dates(born, on, years):
    if born <= on:
        assert _under_in_the_database(born, on, years) is (age_by_the_rules(born, on) < years)
