"""Referrals by postcode district, for the council's own mapping tools (LSCB 000, Statistics/performance
measures: "Postcode data to specific Marac referrals link to council corporate 'mapping' resource").

Counted in the database from the outward code kept in clear on each address (people.models.Address); the
full address stays encrypted and never leaves. Everything here is downloaded, so small counts are suppressed.
"""

from django.db.models import Count, OuterRef, Q, Subquery

from people.models import Address
from reports.cohorts import Scope, referred
from reports.exports import Cell
from reports.suppression import count_text

NOT_KNOWN = "not known"
HEADINGS = ["postcode_district", "referrals", "period_start", "period_end"]


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


def district_rows(scope: Scope, *, threshold: int) -> list[list[Cell]]:
    """The CSV's rows: headings, then a row per district with counts from 1 to the threshold suppressed."""
    start, end = scope.period.start.isoformat(), scope.period.end.isoformat()
    rows: list[list[Cell]] = [list(HEADINGS)]
    for district, referrals in referrals_by_district(scope):
        text = count_text(referrals, threshold)
        rows.append([district, referrals if text == str(referrals) else text, start, end])
    return rows
