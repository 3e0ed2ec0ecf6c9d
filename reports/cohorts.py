"""The sets of records the indicators count, as querysets for a scope (some MARACs, one period).

Restricted cases are in every set: they are counted, never shown. Nothing here leaves the database as a row;
the indicators aggregate these querysets.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet
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
        """Midnight after the last day counted (today, in a period not over yet): datetimes in the period are
        >= starts_at and < ends_before."""
        return timezone.make_aware(datetime.combine(self.period.last_day + timedelta(days=1), time.min))


class _Age(Func):
    """Age in whole years on a date: the years between, less one if the birthday had not yet come round that
    year (month and day of birth after the month and day of the date)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        (born, born_params), (on, on_params) = (compiler.compile(part) for part in self.get_source_expressions())

        def part(name: str, sql: str, params: list[Any]) -> tuple[str, list[Any]]:
            extracted, extracted_params = connection.ops.date_extract_sql(name, sql, tuple(params))
            return f"CAST({extracted} AS integer)", list(extracted_params)

        return _years_between(part, (born, list(born_params)), (on, list(on_params)))

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        """age() does the same borrowing in one call, several times cheaper in the wide aggregates of a national
        report than extracting six date parts (and the planner cannot share one age between the aggregates
        that test it). It counts towards zero where the birth is after the date, so that case keeps the sum.
        date_part(...)::integer, not EXTRACT, which gives a slower numeric there."""
        (born, born_params), (on, on_params) = (compiler.compile(part) for part in self.get_source_expressions())

        def part(name: str, sql: str, params: list[Any]) -> tuple[str, list[Any]]:
            return f"date_part('{name}', {sql})::integer", params

        fallback, fallback_params = _years_between(part, (born, list(born_params)), (on, list(on_params)))
        return (
            f"CASE WHEN {born} <= {on} THEN date_part('year', age({on}, {born}))::integer ELSE {fallback} END",
            [*born_params, *on_params, *on_params, *born_params, *fallback_params],
        )


_Part = Callable[[str, str, list[Any]], tuple[str, list[Any]]]


def _years_between(part: _Part, born: tuple[str, list[Any]], on: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    """The years between, less one if the birthday is yet to come that year, from date parts as `part` gives."""
    pieces = [
        part("year", *on), part("year", *born), part("month", *born), part("day", *born), part("month", *on),
        part("day", *on),
    ]  # fmt: skip
    sql = "({} - {} - CASE WHEN {} * 100 + {} > {} * 100 + {} THEN 1 ELSE 0 END)".format(*(sql for sql, _ in pieces))
    return sql, [param for _, params in pieces for param in params]


def age_on(born: str, on: str | OuterRef) -> Func:
    """Age in whole years on a date, worked out in the database. `on` may be the outer query's date (OuterRef),
    which keeps a subquery correlated row by row rather than hashed over every row of the table."""
    return _Age(F(born), on if isinstance(on, OuterRef) else F(on))


# Where the indicators' age bands begin (16-17, 18-24, 25-34, 35-44, 45-54, 55 and over).
AGE_BAND_STARTS = (16, 18, 25, 35, 45, 55)


class _AgeBand(Func):
    """Which band an age falls in: 0 below the first start, n from the n-th start (counting from 1) up to the
    next one, NULL where the age is not known."""

    output_field = IntegerField()
    arity = 1

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        age, params = compiler.compile(self.get_source_expressions()[0])
        bands = " ".join(f"WHEN {age} < {start} THEN {band}" for band, start in enumerate(AGE_BAND_STARTS))
        return (
            f"CASE WHEN {age} IS NULL THEN NULL {bands} ELSE {len(AGE_BAND_STARTS)} END",
            list(params) * (len(AGE_BAND_STARTS) + 1),
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        """The date of birth against the date less each band's start in years (_born_after), with no age worked
        out: a quarter cheaper than width_bucket() over age() in a national report's age bands."""
        age = self.get_source_expressions()[0]
        (born, born_params), (on, on_params) = (compiler.compile(part) for part in age.get_source_expressions())
        bands = " ".join(
            f"WHEN {_born_after(born, on, start)} THEN {band}" for band, start in enumerate(AGE_BAND_STARTS)
        )
        params = [*born_params] + [*born_params, *on_params] * len(AGE_BAND_STARTS)
        return f"CASE WHEN {born} IS NULL THEN NULL {bands} ELSE {len(AGE_BAND_STARTS)} END", params


def _born_after(born: str, on: str, years: int) -> str:
    """SQL for "under `years` old on the date" in PostgreSQL: born after the date less that many years. The same as
    the whole years of _Age, 29 February included: 28 February 2026 less 18 years is 28 February 2008, after
    which a birth on 29 February 2008 comes (17 that day); on 1 March 2026 it does not (18)."""
    return f"{born} > {on} - interval '{int(years)} years'"


class _Under(Func):
    """Whether someone was under an age on a date (false where the date of birth is not known). On PostgreSQL a
    comparison of dates, three times cheaper than working the age out (a national report tests it for every
    perpetrator of every case counted); elsewhere the age worked out, compared."""

    output_field = BooleanField()
    arity = 2

    def __init__(self, born: Any, on: Any, *, years: int) -> None:
        super().__init__(born, on)
        self.years = years

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        age, params = compiler.compile(_Age(*self.get_source_expressions()))
        return f"({age} < %s)", [*params, self.years]

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        (born, born_params), (on, on_params) = (compiler.compile(part) for part in self.get_source_expressions())
        return f"({_born_after(born, on, self.years)})", [*born_params, *on_params]


def under(born: str, on: str, years: int) -> Func:
    """Whether someone was under an age on a date, worked out in the database (false where not known)."""
    return _Under(F(born), F(on), years=years)


def age_band_on(born: str, on: str) -> Func:
    """The band (of AGE_BAND_STARTS) of someone's age on a date, NULL if their date of birth is not known."""
    return _AgeBand(age_on(born, on))


def a_young_perpetrator(case: str, referred_on: str) -> Exists:
    """Whether anyone named as a perpetrator on the outer query's case was under 18 when it was referred."""
    young_perpetrators = CaseParty.objects.filter(case=OuterRef(case), role=PartyRole.PERPETRATOR).filter(
        _Under(F("person__date_of_birth"), OuterRef(referred_on), years=18)
    )
    return Exists(young_perpetrators)


def with_young_perpetrator(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases where anyone named as a perpetrator was under 18 when the case was referred."""
    return cases.filter(a_young_perpetrator("pk", "referred_on"))


def referred(scope: Scope) -> QuerySet[Case]:
    """Referrals: cases referred to these MARACs in the period (every accepted referral is a case)."""
    return Case.objects.filter(in_period(scope, "referred_on"))


def heard(scope: Scope) -> QuerySet[Case]:
    """Cases heard: cases whose hearing at these MARACs fell in the period."""
    return Case.objects.filter(in_period(scope, "heard_on"))


def in_period(scope: Scope, day: str, *, through: str = "") -> Q:
    """Cases of these MARACs whose day (referred_on, heard_on) is in the period; `through` is the path to the
    case from rows related to it ("case__"). A condition on the rows' own join, which PostgreSQL follows from
    the cases picked out, where `case__in=heard(scope)` made it hash every case there is."""
    return Q(
        **{
            f"{through}marac_id__in": scope.marac_ids,
            f"{through}{day}__gte": scope.period.start,
            f"{through}{day}__lte": scope.period.last_day,
        }
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
