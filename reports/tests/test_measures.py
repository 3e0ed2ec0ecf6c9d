"""Many MARACs side by side (reports.measures.evaluate, used by build_report) give exactly the figures each
MARAC, and all of them together, give on their own: grouping the queries by MARAC changes no figure."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import CaseParty, PartyRole
from demo.generator import generate_area
from marac.models import Marac, PopulationBreakdown, PopulationDimension, PopulationFigure
from referrals.risk import age_on as age_by_the_rules
from reports.cohorts import Scope, age_on, discussed, heard, referred
from reports.indicators import INDICATORS
from reports.meeting_return import _BY_AGENCY, _COUNTS, COUNT_KEYS, MeetingRow, meeting_return
from reports.periods import PeriodKind, period_containing
from reports.report import build_report
from reports.tests.helpers import case

# The demo area (its meetings run in OpenMARAC: research, actions, attendance, IDVAs), an area whose meetings were
# not, its records starting a quarter later, a MARAC with nothing in it and one with a single case.
END = date(2026, 6, 30)
QUARTER = period_containing(PeriodKind.QUARTER, END)
YEAR = period_containing(PeriodKind.ROLLING_12_MONTHS, END)


@pytest.fixture(scope="module")
def maracs(django_db_setup, django_db_blocker) -> Iterator[list[tuple[int, str]]]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            north = generate_area(seed=5, start=date(2026, 1, 1), end=END)
            west = generate_area(
                seed=6,
                start=date(2026, 4, 1),
                end=END,
                name="Westmere MARAC",
                local_authorities=("Westmere",),
                postcode_areas=("WM",),
                reference_prefix="WM",
                adult_female_population=60_000,
                with_users=False,  # its meetings not run in OpenMARAC: no research, actions or register
            )
            figure = PopulationFigure.objects.filter(marac_id=west.marac_id).first()
            PopulationBreakdown.objects.create(
                figure=figure, dimension=PopulationDimension.ETHNICITY, category="white", count=50_000
            )
            PopulationBreakdown.objects.create(
                figure=figure, dimension=PopulationDimension.ETHNICITY, category="asian", count=10_000
            )
            empty = Marac.objects.create(name="Empty MARAC")
            # A case referred in the period but not yet heard, at a MARAC with no meetings.
            case(Marac.objects.create(name="Quiet MARAC"), referred_on=date(2026, 5, 1), heard_on=None)
            ids = [north.marac_id, west.marac_id, empty.pk, Marac.objects.get(name="Quiet MARAC").pk]
            yield list(Marac.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("period", [QUARTER, YEAR], ids=["quarter", "year"])
def test_each_column_of_a_report_is_the_figure_worked_out_alone(maracs, period):
    report = build_report(maracs=maracs, period=period, suppress=False, threshold=5)
    scopes = [Scope((marac_id,), period) for marac_id, _ in maracs] + [Scope(tuple(pk for pk, _ in maracs), period)]
    shown = {row.indicator.key: [cell.figure for cell in row.cells] for group in report.groups for row in group.rows}
    for indicator in INDICATORS:
        alone = [indicator.compute(scope) for scope in scopes]
        assert shown[indicator.key] == alone, indicator.key
    # The data does exercise the indicators: most have a figure somewhere.
    with_data = [key for key, figures in shown.items() if any(figure.value for figure in figures)]
    assert len(with_data) > len(INDICATORS) // 2


@pytest.mark.django_db
def test_a_report_of_one_marac_is_its_figures(maracs):
    marac_id, name = maracs[0]
    report = build_report(maracs=[(marac_id, name)], period=QUARTER, suppress=False, threshold=5)
    for group in report.groups:
        for row in group.rows:
            assert [cell.figure for cell in row.cells] == [row.indicator.compute(Scope((marac_id,), QUARTER))]


def _meeting_return_by_distinct_counts(scope: Scope) -> list[MeetingRow]:
    """The meeting return as first written: every count DISTINCT over listings joined to the cases' parties."""
    young_perpetrators = (
        CaseParty.objects.filter(case=OuterRef("case_id"), role=PartyRole.PERPETRATOR)
        .annotate(age=age_on("person__date_of_birth", "case__referred_on"))
        .filter(age__lt=18)
    )
    aggregates: dict[str, Any] = {
        key: Count("case", filter=condition, distinct=True) for key, (_, condition) in _COUNTS.items()
    }
    aggregates["children"] = Count("case__parties", filter=Q(case__parties__role=PartyRole.CHILD), distinct=True)
    for key, agency_type in _BY_AGENCY.items():
        aggregates[key] = Count("case", filter=Q(case__referring_agency__agency_type=agency_type), distinct=True)
    rows = (
        discussed(scope)
        .annotate(
            victim_age=age_on("case__victim__date_of_birth", "case__referred_on"),
            perpetrator_under_18=Exists(young_perpetrators),
        )
        .values("meeting_id", "meeting__starts_at", "meeting__marac__name")
        .annotate(**aggregates)
        .order_by("meeting__starts_at", "meeting__marac__name")
    )
    return [
        MeetingRow(
            marac=row["meeting__marac__name"],
            held_on=timezone.localtime(row["meeting__starts_at"]).date(),
            counts={key: row[key] for key in COUNT_KEYS},
        )
        for row in rows
    ]


@pytest.mark.django_db
def test_the_meeting_return_counts_as_its_first_definition_did(maracs):
    scope = Scope(tuple(pk for pk, _ in maracs), YEAR)
    rows = meeting_return(scope)
    assert len(rows) > 20
    assert sum(row.counts["children"] for row in rows) > 100
    assert rows == _meeting_return_by_distinct_counts(scope)


@pytest.mark.django_db
def test_it_does_not_ask_for_rows_within_a_set_that_has_none(maracs):
    empty = [(marac_id, name) for marac_id, name in maracs if name == "Empty MARAC"]
    with CaptureQueriesContext(connection) as queries:
        report = build_report(maracs=empty, period=YEAR, suppress=False, threshold=5)
    asked = " ".join(query["sql"] for query in queries.captured_queries)
    # Nothing discussed: nothing minuted, so no research, links or information-only listings to look at.
    assert "meetings_processlink" not in asked
    assert "meetings_childresearch" not in asked
    shown = {row.indicator.key: row.cells[0].figure for group in report.groups for row in group.rows}
    assert shown["other_arrangements"].numerator == 0
    assert shown["information_only_against_the_rules"].numerator == 0


@pytest.mark.django_db
def test_victims_ages_are_counted_by_band_as_the_referral_rules_work_them_out(maracs):
    scope = Scope(tuple(pk for pk, _ in maracs), YEAR)
    report = build_report(maracs=maracs, period=YEAR, suppress=False, threshold=5)
    shown = {row.indicator.key: row.cells[-1].figure for group in report.groups for row in group.rows}
    ages = {
        cohort: [
            age_by_the_rules(born, referred_on)
            for born, referred_on in rows(scope).values_list("victim__date_of_birth", "referred_on")
            if born is not None
        ]
        for cohort, rows in (("referred", referred), ("heard", heard))
    }

    def aged(cohort: str, youngest: int, oldest: int = 200) -> int:
        return sum(1 for age in ages[cohort] if youngest <= age <= oldest)

    assert shown["victims_16_17"].numerator == aged("heard", 16, 17)
    assert shown["victims_55_plus"].numerator == aged("heard", 55) > 0
    assert shown["referrals_16_17"].numerator == aged("referred", 16, 17)
    for band, (youngest, oldest) in {"18_24": (18, 24), "35_44": (35, 44), "55_plus": (55, 200)}.items():
        figure = shown[f"population_age_{band}"]
        assert (figure.numerator, figure.denominator) == (aged("referred", youngest, oldest), aged("referred", 16))
