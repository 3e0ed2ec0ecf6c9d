"""The sets of records the indicators count, as querysets for a scope (some MARACs, one period).

Restricted cases are in every set: they are counted, never shown. Nothing here leaves the database as a row;
the indicators aggregate these querysets.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from django.db.models import Case as CaseWhen
from django.db.models import Exists, OuterRef, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Extract, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from cases.models import Case, CaseParty, PartyRole
from meetings.models import Listing, Meeting, MeetingStatus, Outcome
from reports.periods import Period


@dataclass(frozen=True)
class Scope:
    marac_ids: tuple[int, ...]
    period: Period

    def year_before(self) -> "Scope":
        return Scope(self.marac_ids, self.period.year_before())

    def previous(self) -> "Scope":
        return Scope(self.marac_ids, self.period.previous())

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.period.start, time.min))

    @property
    def ends_before(self) -> datetime:
        """Midnight after the last day: datetimes in the period are >= starts_at and < ends_before."""
        return timezone.make_aware(datetime.combine(self.period.end + timedelta(days=1), time.min))


class _IntegerPart:
    """On PostgreSQL, a date's year, month or day as date_part(...)::integer rather than EXTRACT, which gives a
    numeric there: the same whole number, several times faster in the wide aggregates of a national report."""

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        part = cast(Extract, self)
        sql, params = compiler.compile(part.lhs)
        return f"date_part('{part.lookup_name}', {sql})::integer", params


class _Year(_IntegerPart, ExtractYear):
    pass


class _Month(_IntegerPart, ExtractMonth):
    pass


class _Day(_IntegerPart, ExtractDay):
    pass


def age_on(born: str, on: str | OuterRef) -> CombinedExpression:
    """Age in whole years on a date, worked out in the database: the years between, less one if the birthday
    had not yet come round that year. `on` may be the outer query's date (OuterRef), which keeps a subquery
    correlated row by row rather than hashed over every row of the table."""
    birthday_to_come = GreaterThan(_Month(born) * 100 + _Day(born), _Month(on) * 100 + _Day(on))
    not_yet = CaseWhen(When(birthday_to_come, then=Value(1)), default=Value(0))
    return _Year(on) - _Year(born) - not_yet


def with_facts(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with what several indicators ask of them: the victim's age when referred, whether there are
    children, and whether anyone named as a perpetrator was under 18 when the case was referred."""
    children = CaseParty.objects.filter(case=OuterRef("pk"), role=PartyRole.CHILD)
    young_perpetrators = (
        CaseParty.objects.filter(case=OuterRef("pk"), role=PartyRole.PERPETRATOR)
        .annotate(age=age_on("person__date_of_birth", OuterRef("referred_on")))
        .filter(age__lt=18)
    )
    return cases.annotate(
        victim_age=age_on("victim__date_of_birth", "referred_on"),
        has_children=Exists(children),
        perpetrator_under_18=Exists(young_perpetrators),
    )


def referred(scope: Scope) -> QuerySet[Case]:
    """Referrals: cases referred to these MARACs in the period (every accepted referral is a case)."""
    return Case.objects.filter(
        marac_id__in=scope.marac_ids, referred_on__gte=scope.period.start, referred_on__lte=scope.period.end
    )


def heard(scope: Scope) -> QuerySet[Case]:
    """Cases heard: cases whose hearing at these MARACs fell in the period."""
    return Case.objects.filter(
        marac_id__in=scope.marac_ids, heard_on__gte=scope.period.start, heard_on__lte=scope.period.end
    )


def meetings_held(scope: Scope) -> QuerySet[Meeting]:
    """Meetings of these MARACs in the period that have already started."""
    return Meeting.objects.filter(
        marac_id__in=scope.marac_ids,
        starts_at__gte=scope.starts_at,
        starts_at__lt=min(scope.ends_before, timezone.now()),
    )


def discussed(scope: Scope) -> QuerySet[Listing]:
    """Listings discussed at meetings held in the period: every listing except those held over."""
    return Listing.objects.filter(meeting__in=meetings_held(scope)).exclude(outcome=Outcome.HELD_OVER)


def minuted(scope: Scope) -> QuerySet[Listing]:
    """Listings discussed at meetings run and closed in OpenMARAC, whose research, minutes and actions are
    therefore complete. Meetings recorded elsewhere (or imported) would otherwise count as "nothing done"."""
    return discussed(scope).filter(meeting__state__status=MeetingStatus.CLOSED)


def with_children_flag(listings: QuerySet[Listing]) -> QuerySet[Listing]:
    children = CaseParty.objects.filter(case=OuterRef("case_id"), role=PartyRole.CHILD)
    return listings.annotate(has_children=Exists(children))
