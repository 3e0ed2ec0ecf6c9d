"""The age the reports work out in the database (reports.cohorts.age_on) is the age the referral rules work out
(referrals.risk.age_on): whole years, a birthday on 29 February coming round on 1 March in other years. On
PostgreSQL it is worked out with age(), on SQLite from the date's parts; both are checked by the test runs."""

from datetime import date

import pytest
from django.db.models import DateField, Value
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from marac.models import Marac
from referrals.risk import age_on as age_by_the_rules
from reports.cohorts import _Age

pytestmark = pytest.mark.django_db


def _age_in_the_database(born: date, on: date) -> int:
    if not Marac.objects.exists():
        Marac.objects.create(name="Ageing MARAC")
    age = _Age(Value(born, output_field=DateField()), Value(on, output_field=DateField()))
    return Marac.objects.annotate(age=age).values_list("age", flat=True)[0]


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


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    on=st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
)
def test_it_agrees_with_the_referral_rules_for_any_dates(born, on):
    if born <= on:
        assert _age_in_the_database(born, on) == age_by_the_rules(born, on)
