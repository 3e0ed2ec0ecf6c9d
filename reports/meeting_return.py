"""The SafeLives meeting-level return: one row per meeting held, with its cases, repeats, children, referrals
by agency and the diversity counts (BD Evaluation: "All MARAC data is collected monthly and entered into the
Safelives MARAC spreadsheet"; BD Equality Impact Data: the quarterly return). Three counts grouped by meeting."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import CaseParty, PartyRole
from marac.models import AgencyType
from meetings.models import Listing, ListingKind
from reports.cohorts import Scope, a_young_perpetrator, discussed, meetings_held, under
from reports.fanout import run_jobs, side_by_side_on
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


_VICTIM_UNDER_16 = under("case__victim__date_of_birth", "case__referred_on", 16)
_VICTIM_UNDER_18 = under("case__victim__date_of_birth", "case__referred_on", 18)

_COUNTS: dict[str, tuple[str, Q | None]] = {
    "cases": ("Cases discussed", None),
    "repeats": ("Repeat cases", Q(case__is_repeat=True)),
    "information_only": ("Information-only cases", Q(kind=ListingKind.INFORMATION_ONLY)),
    "bme": ("Victim BME", _on_case(IS_BME)),
    "lgbt": ("Victim LGBT", _on_case(IS_LGBT)),
    "disability": ("Victim disabled", Q(case__victim__has_disability=True)),
    "male": ("Victim male", _on_case(IS_MALE)),
    "aged_16_17": ("Victim aged 16-17", Q(_VICTIM_UNDER_18) & ~Q(_VICTIM_UNDER_16)),
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
    # its cases, and summing its listings' children counts the children in its households (a DISTINCT on every
    # count over a join of the cases' parties was many times slower at national scale). What needs a look at a
    # case's other parties (its children, a young perpetrator) is a query of its own, grouped by meeting: in
    # the wide count's FILTER it would be a subquery run once a listing, which also keeps PostgreSQL from
    # sharing the wide count between parallel workers.
    listings = discussed(scope)
    aggregates: dict[str, Any] = {
        key: Count("pk", filter=condition) for key, (_, condition) in _COUNTS.items() if key not in _ON_THEIR_OWN
    }
    for key, agency_type in _BY_AGENCY.items():
        aggregates[key] = Count("pk", filter=Q(case__referring_agency__agency_type=agency_type))
    # Grouped by meeting alone (hashed, not sorted on dates and names); the meetings' details come on their own.
    # The four queries run side by side for several MARACs (reports.fanout).
    results: list[Any] = run_jobs(
        [
            lambda: list(listings.values("meeting_id").annotate(**aggregates).order_by()),
            lambda: _per_meeting(listings.filter(a_young_perpetrator("case_id", "case__referred_on"))),
            lambda: _children_per_meeting(listings),
            lambda: list(meetings_held(scope).values_list("pk", "starts_at", "marac__name")),
        ],
        side_by_side=side_by_side_on(Listing, marac_count=len(scope.marac_ids)),
    )
    grouped: list[dict[str, Any]] = results[0]
    young: dict[int, int] = results[1]
    children: dict[int, int] = results[2]
    held: list[tuple[int, Any, str]] = results[3]
    rows = {row["meeting_id"]: row for row in grouped}
    meetings = [meeting for meeting in held if meeting[0] in rows]  # those with a listing discussed
    return [
        MeetingRow(
            marac=marac,
            held_on=timezone.localtime(starts_at).date(),
            counts={
                **{key: rows[meeting_id][key] for key in COUNT_KEYS if key in rows[meeting_id]},
                "perpetrator_under_18": young.get(meeting_id, 0),
                "children": children.get(meeting_id, 0),
            },
        )
        for meeting_id, starts_at, marac in sorted(meetings, key=lambda meeting: (meeting[1], meeting[2], meeting[0]))
    ]


_ON_THEIR_OWN = ("perpetrator_under_18",)


def _per_meeting(rows: QuerySet[Listing]) -> dict[int, int]:
    return dict(rows.values("meeting_id").annotate(n=Count("pk")).values_list("meeting_id", "n").order_by())


def _children_per_meeting(listings: QuerySet[Listing]) -> dict[int, int]:
    """Each listing's children counted from its case's parties by the listing's case id (no join to the cases)."""
    children = (
        CaseParty.objects.filter(case=OuterRef("case_id"), role=PartyRole.CHILD)
        .order_by()
        .values("case")
        .annotate(n=Count("*"))
        .values("n")
    )
    counted = listings.annotate(children=Coalesce(Subquery(children), 0)).values("meeting_id")
    return dict(counted.annotate(n=Sum("children")).values_list("meeting_id", "n").order_by())
