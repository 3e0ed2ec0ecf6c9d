"""The indicators part of the open API under /api/v1 (issue 8): the boards' figures for a MARAC and a period, and
the definitions behind them. Aggregates only, never a person.

The figures are the dashboard's (reports.report.build_report over reports.indicators), with small numbers always
suppressed: whatever is published from OpenMARAC is suppressed, as the downloads are, whoever asks (reports/views.py;
only the coordinator's SafeLives meeting-level return, for submission, is exact). Each
reading is audited at the MARAC as an export of its figures, as a download is.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from api.core import ApiError, Day, api_permission, marac_ids_for
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac
from reports.figures import Direction, Unit
from reports.indicators import GROUPS, INDICATORS, INDICATORS_BY_KEY, Indicator
from reports.periods import PeriodKind, period_note, suppressed_period
from reports.report import Cell, build_report
from reports.suppression import suppression_threshold

router = Router(tags=["indicators"])

PERMISSION = "reports.view_aggregates"
GROUP_TITLES = {group.key: group.title for group in GROUPS}
# Comparisons reach back a year and forward a day, so the calendar's ends stay well out of reach.
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


class BenchmarkDefinition(Schema):
    name: str
    value: float
    direction: Direction
    wording: str = Field(description='For example "at least 40 per 10,000"')
    source: str
    local_reading: bool = Field(description="The figure is our reading of words like 'consistently'")


class IndicatorDefinition(Schema):
    key: str
    group: str
    group_title: str
    name: str
    definition: str
    numerator: str
    denominator: str = Field(description="Empty for a plain count")
    unit: Unit
    sources: list[str]
    counts_people: bool = Field(description="Counts of cases or people are suppressed when small")
    benchmarks: list[BenchmarkDefinition]


def _definition(indicator: Indicator) -> dict[str, Any]:
    return {
        "key": indicator.key,
        "group": indicator.group,
        "group_title": GROUP_TITLES[indicator.group],
        "name": indicator.name,
        "definition": indicator.definition,
        "numerator": indicator.numerator,
        "denominator": indicator.denominator,
        "unit": indicator.unit,
        "sources": list(indicator.sources),
        "counts_people": indicator.counts_people,
        "benchmarks": [
            {
                "name": benchmark.name,
                "value": benchmark.value,
                "direction": benchmark.direction,
                "wording": benchmark.wording_in(indicator.unit),
                "source": benchmark.source,
                "local_reading": benchmark.local_reading,
            }
            for benchmark in indicator.benchmarks
        ],
    }


@router.get(
    "/indicators/definitions",
    response=list[IndicatorDefinition],
    summary="Every indicator's definition, as docs/indicators.md gives them",
)
@api_permission(PERMISSION)
def indicator_definitions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_definition(indicator) for indicator in INDICATORS]


class IndicatorQuery(Schema):
    marac: int = Field(description="The MARAC (one where you may see its figures)")
    period: PeriodKind = Field(PeriodKind.ROLLING_12_MONTHS, description="The kind of period")
    on: Day | None = Field(
        None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="A day in the period (for rolling 12 months, its last day, moved back to the end of the latest "
        "month over, as small numbers are suppressed); today when left out",
    )
    key: list[str] | None = Field(None, description="Only these indicators (repeat key=...); all when left out")


class PeriodOut(Schema):
    kind: PeriodKind
    label: str
    start: datetime.date
    end: datetime.date = Field(description="The last day of the period, included")
    counted_to: datetime.date = Field(
        description="The last day counted: the end, or today for a period that has not ended (whose changes on an "
        "earlier period are then null)"
    )
    note: str = Field(description="Where the period is not over, or was moved to a month's end: why; else empty")


class BenchmarkResultOut(Schema):
    name: str
    wording: str
    met: bool | None = Field(description="null when there is no figure to judge")


class IndicatorValue(Schema):
    key: str
    group: str
    name: str
    unit: Unit
    value: float | None = Field(description="null when there is nothing to divide by, or when suppressed")
    value_text: str = Field(description='As the dashboard shows it: "31.0%", "564", "<6", "suppressed", "no data"')
    numerator: int | None = Field(description="null when suppressed")
    denominator: int | None = Field(description="null for a plain count, or when suppressed")
    numerator_text: str
    denominator_text: str
    suppressed: bool
    benchmarks: list[BenchmarkResultOut]


class IndicatorValues(Schema):
    marac_id: int
    marac: str
    period: PeriodOut
    suppression_threshold: int = Field(description="Counts from 1 to this are shown only as <threshold+1>")
    values: list[IndicatorValue]


def _value(indicator: Indicator, cell: Cell) -> dict[str, Any]:
    hidden = cell.suppressed
    figure = cell.figure
    # A denominator that counts no one (the population of a rate per 10,000 women, the IDVAs of a caseload) is
    # kept: it identifies nobody.
    denominator_shown = not hidden or not indicator.denominator_counts_people
    return {
        "key": indicator.key,
        "group": indicator.group,
        "name": indicator.name,
        "unit": indicator.unit,
        "value": None if hidden else figure.value,
        "value_text": cell.value_text,
        "numerator": None if hidden else figure.numerator,
        "denominator": figure.denominator if denominator_shown else None,
        "numerator_text": cell.numerator_text,
        "denominator_text": cell.denominator_text,
        "suppressed": hidden,
        "benchmarks": [
            {"name": result.benchmark.name, "wording": result.benchmark.wording_in(indicator.unit), "met": result.met}
            for result in cell.results
        ],
    }


@router.get(
    "/indicators",
    response=IndicatorValues,
    summary="The indicators for a MARAC and a period, small numbers suppressed",
    description="The dashboard's figures and definitions (GET /indicators/definitions). Aggregates only: counts "
    "from 1 to the suppression threshold, and any rate built on one, are withheld, as in every download.",
)
@api_permission(PERMISSION)
def indicator_values(request: HttpRequest, query: Query[IndicatorQuery]) -> dict[str, Any]:
    (marac_id,) = marac_ids_for(request, PERMISSION, query.marac)
    unknown = sorted(set(query.key or ()) - INDICATORS_BY_KEY.keys())
    if unknown:
        raise ApiError(
            422, "Unknown indicator: see errors", {"query.key": [f"No indicator {key!r}" for key in unknown]}
        )
    marac = Marac.objects.get(pk=marac_id)
    today = timezone.localdate()
    period, moved_from = suppressed_period(query.period, query.on or today, today=today)
    threshold = suppression_threshold()
    report = build_report(
        maracs=[(marac.pk, marac.name)], period=period, suppress=True, threshold=threshold, keys=query.key or ()
    )
    audit_record(
        action=AuditAction.EXPORT,
        object_type="reports.indicators",
        marac_id=marac.pk,
        user=request.user,
        summary=f"Indicators through the API for {period.label}: {sum(len(group.rows) for group in report.groups)}",
    )
    return {
        "marac_id": marac.pk,
        "marac": marac.name,
        "period": {
            "kind": period.kind,
            "label": period.label,
            "start": period.start,
            "end": period.end,
            "counted_to": period.last_day,
            "note": period_note(period, moved_from),
        },
        "suppression_threshold": threshold,
        "values": [_value(row.indicator, row.cells[0]) for group in report.groups for row in group.rows],
    }
