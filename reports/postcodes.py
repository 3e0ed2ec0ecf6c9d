"""Referrals by postcode district, for the council's own mapping tools (LSCB 000, Statistics/performance
measures: "Postcode data to specific Marac referrals link to council corporate 'mapping' resource").

Counted in the database from the outward code kept in clear on each address (people.models.Address); the
full address stays encrypted and never leaves. Everything here is downloaded, so small counts are suppressed,
and so is any count that the others would give away by subtraction (reports.suppression.withhold): the districts
add up to the cases referred, which the dashboard shows beside the download.
"""

from collections.abc import Sequence

from django.db.models import Count, OuterRef, Q, Subquery

from people.models import Address
from reports.cohorts import Scope, referred
from reports.exports import Cell
from reports.suppression import AdditiveGroup, Withholding, withhold

NOT_KNOWN = "not known"
HEADINGS = ["postcode_district", "referrals", "period_start", "period_end"]
# The districts' total: not a row of the CSV, but the dashboard's "Referrals" for the same MARACs and period (both
# count reports.cohorts.referred), so a reader has it. A district is an outward code ("NB1"): never this.
ALL_DISTRICTS = "all districts"


def referrals_by_district(scope: Scope) -> list[tuple[str, int]]:
    """(postcode district, cases referred) in district order, "not known" last. The district is that of the
    victim's address on the day of referral; where several were current, the one lived at most recently.
    A confidential address (a refuge, or where the victim has fled to) is counted as not known, so a map
    never points at it."""
    current = (
        Address.objects.filter(person=OuterRef("victim"), confidential=False)
        .filter(Q(lived_from__isnull=True) | Q(lived_from__lte=OuterRef("referred_on")))
        .filter(Q(lived_to__isnull=True) | Q(lived_to__gte=OuterRef("referred_on")))
        .exclude(postcode_district="")
        .order_by("-lived_from", "-pk")
        .values("postcode_district")[:1]
    )
    rows = (
        referred(scope)
        .annotate(district=Subquery(current))
        .values("district")
        .annotate(referrals=Count("pk"))
        .values_list("district", "referrals")
    )
    counts = [(district or NOT_KNOWN, referrals) for district, referrals in rows]
    return sorted(counts, key=lambda row: (row[0] == NOT_KNOWN, row[0]))


def district_withholding(districts: Sequence[tuple[str, int]], threshold: int) -> Withholding[str]:
    """The districts' counts to withhold: those from 1 to the threshold, and those that would give one away. Every
    case referred is counted in exactly one row (its district, or not known), so the rows are the parts of the
    cases referred: with one row withheld, the total less the rows shown would be it."""
    counts = dict(districts)
    counts[ALL_DISTRICTS] = sum(counts.values())
    parts = tuple(district for district, _ in districts)
    return withhold(counts, [AdditiveGroup(ALL_DISTRICTS, parts)], threshold)


def district_rows(scope: Scope, *, threshold: int) -> list[list[Cell]]:
    """The CSV's rows: headings, then a row per district, withheld counts read as "<6" or "suppressed"."""
    start, end = scope.period.start.isoformat(), scope.period.end.isoformat()
    districts = referrals_by_district(scope)
    withholding = district_withholding(districts, threshold)
    rows: list[list[Cell]] = [list(HEADINGS)]
    for district, referrals in districts:
        shown_as = withholding.shown_as(district, threshold)
        rows.append([district, referrals if shown_as is None else shown_as, start, end])
    return rows
