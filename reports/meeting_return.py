"""The SafeLives meeting-level return: one row per meeting held, with its cases, repeats, children, referrals
by agency and the diversity counts (BD Evaluation: "All MARAC data is collected monthly and entered into the
Safelives MARAC spreadsheet"; BD Equality Impact Data: the quarterly return). One grouped query."""

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import CaseParty, PartyRole
from marac.models import AgencyType
from meetings.models import ListingKind
from reports.cohorts import Scope, age_on, discussed
from reports.indicators import IS_BME, IS_LGBT, IS_MALE


@dataclass(frozen=True)
class Column:
    key: str
    heading: str


def _on_case(condition: Q) -> Q:
    """A condition written for a case (victim__...) applied through a listing (case__victim__...)."""
    return Q(
        *[_on_case(child) if isinstance(child, Q) else _lookup_on_case(child) for child in condition.children],
        _connector=condition.connector,
        _negated=condition.negated,
    )


def _lookup_on_case(child: Any) -> tuple[str, Any]:
    lookup, value = child
    return f"case__{lookup}", value


_COUNTS: dict[str, tuple[str, Q | None]] = {
    "cases": ("Cases discussed", None),
    "repeats": ("Repeat cases", Q(case__is_repeat=True)),
    "information_only": ("Information-only cases", Q(kind=ListingKind.INFORMATION_ONLY)),
    "bme": ("Victim BME", _on_case(IS_BME)),
    "lgbt": ("Victim LGBT", _on_case(IS_LGBT)),
    "disability": ("Victim disabled", Q(case__victim__has_disability=True)),
    "male": ("Victim male", _on_case(IS_MALE)),
    "aged_16_17": ("Victim aged 16-17", Q(victim_age__gte=16, victim_age__lte=17)),
    "perpetrator_under_18": ("Perpetrator under 18", Q(perpetrator_under_18=True)),
    "pregnant": ("Victim pregnant", Q(case__victim_pregnant=True)),
}
_BY_AGENCY = {f"from_{agency_type.value}": agency_type for agency_type in AgencyType}

COLUMNS: tuple[Column, ...] = (
    Column("marac", "MARAC"),
    Column("held_on", "Meeting date"),
    *(Column(key, heading) for key, (heading, _) in _COUNTS.items()),
    Column("children", "Children in the households"),
    *(Column(key, f"Referred by: {agency_type.label}") for key, agency_type in _BY_AGENCY.items()),
)
COUNT_KEYS = tuple(column.key for column in COLUMNS[2:])


@dataclass(frozen=True)
class MeetingRow:
    marac: str
    held_on: date
    counts: dict[str, int]


def meeting_return(scope: Scope) -> list[MeetingRow]:
    # A case is listed at most once a meeting (case_once_per_meeting), so counting a meeting's listings counts
    # its cases; children are counted per listing and summed, rather than joined in (which would need DISTINCT
    # on every count, many times slower at national scale).
    young_perpetrators = (
        CaseParty.objects.filter(case=OuterRef("case_id"), role=PartyRole.PERPETRATOR)
        .annotate(age=age_on("person__date_of_birth", OuterRef("case__referred_on")))
        .filter(age__lt=18)
    )
    children = (
        CaseParty.objects.filter(case=OuterRef("case_id"), role=PartyRole.CHILD)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    aggregates: dict[str, Any] = {key: Count("pk", filter=condition) for key, (_, condition) in _COUNTS.items()}
    aggregates["children"] = Coalesce(Sum("children"), 0)
    for key, agency_type in _BY_AGENCY.items():
        aggregates[key] = Count("pk", filter=Q(case__referring_agency__agency_type=agency_type))
    rows = (
        discussed(scope)
        .annotate(
            victim_age=age_on("case__victim__date_of_birth", "case__referred_on"),
            perpetrator_under_18=Exists(young_perpetrators),
            children=Coalesce(Subquery(children), 0),
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
        for row in cast(list[dict[str, Any]], list(rows))  # one row per meeting, already counted
    ]
