"""A first aggregate view for boards: counts only, small numbers suppressed. The full set of indicators
(the SafeLives return, WM and LSCB measures) is the reporting issue's work."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncQuarter

from marac.models import Marac

SUPPRESSION_THRESHOLD = 5  # counts 1-5 are shown as "fewer than 6" in anything a board sees


@dataclass(frozen=True)
class QuarterRow:
    quarter_start: date
    cases: str
    repeats: str
    with_children: str


def suppress(count: int, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    if 1 <= count <= threshold:
        return f"fewer than {threshold + 1}"
    return str(count)


def quarterly_summary(*, marac: Marac) -> list[QuarterRow]:
    from cases.models import Case, PartyRole

    rows = (
        Case.objects.filter(marac=marac, heard_on__isnull=False)
        .annotate(quarter=TruncQuarter("heard_on"))
        .values("quarter")
        .annotate(
            cases=Count("id", distinct=True),
            repeats=Count("id", filter=Q(is_repeat=True), distinct=True),
            with_children=Count("id", filter=Q(parties__role=PartyRole.CHILD), distinct=True),
        )
        .order_by("quarter")
    )
    return [
        QuarterRow(row["quarter"], suppress(row["cases"]), suppress(row["repeats"]), suppress(row["with_children"]))
        for row in rows
    ]
