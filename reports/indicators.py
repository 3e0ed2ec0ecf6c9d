"""Every indicator the boards see, defined once: what it counts, where the measure comes from, what it is
judged against, and how the database works it out. docs/indicators.md is generated from these definitions
(`manage.py indicators_doc`); the dashboard and the exports read them too.

Each indicator's compute is a Measure (reports.measures): called with a Scope (some MARACs and one period) it
runs aggregates in the database (Count with Q filters, Exists), and no case row ever comes back to Python; for
many MARACs side by side, reports.measures.evaluate shares each query among the indicators and groups it by MARAC.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from actions.models import Action, ActionStatus, ForWhom
from cases.models import Case, CaseParty, PartyRole
from marac.models import (
    AgeBand,
    AgencyType,
    Marac,
    MaracAgency,
    PopulationBreakdown,
    PopulationDimension,
    PopulationFigure,
)
from meetings.models import (
    Attendance,
    AttendanceCapacity,
    ChildResearch,
    ChildStatus,
    ListingKind,
    Meeting,
    MeetingStatus,
    Outcome,
    ProcessLink,
    ProcessLinkKind,
    VictimVoice,
)
from people.models import Ethnicity, Gender, Sexuality
from referrals.models import Consent, IdvaAllocation, Referral, ReferralStatus, Transfer
from reports.cohorts import (
    AGE_BAND_STARTS,
    Scope,
    age_band_on,
    discussed,
    heard,
    in_period,
    meetings_held,
    minuted,
    referred,
    with_children_flag,
    with_young_perpetrator,
)
from reports.figures import Benchmark, Direction, Figure, Unit, source_name
from reports.measures import ROWS, By, Lookup, Measure, Part, Source, Tally, Values
from reports.periods import Period, PeriodKind, period_containing

Compute = Measure  # called with a Scope, gives a Figure; reports.measures.evaluate works out many at once

# The seed passages the measures come from (seed file number, document, heading).
WM_QUANTITATIVE = "002 West Midlands MARAC Performance and Quality Assurance Framework, the quantitative list"
WM_QUALITATIVE = "002 West Midlands MARAC Performance and Quality Assurance Framework, the qualitative list"
WM_GOOD = "002 West Midlands MARAC Performance and Quality Assurance Framework, What good looks like"
LSCB_STATISTICS = "000 SafeLives LSCB template, Statistics/performance measures/activity data"
LSCB_IN_LINE = "000 SafeLives LSCB template, The Marac is performing in line with SafeLives recommendations"
LSCB_REPRESENTED = "000 SafeLives LSCB template, All organisations with a role to safeguard children are represented"
BD_EQUALITY = "004 Barking and Dagenham MARAC toolkit, Equality Impact Data (the SafeLives quarterly return)"
WM_IDVA_CONTACT = (
    WM_GOOD + ": An IDVA proactively contacts and attempts to engage victims within 48 hours of receiving a referral"
)
BD_VICTIM_CONTACT = "004 Barking and Dagenham MARAC toolkit, Victim contact before the meeting (IDSVA within 48 hours)"
BD_COMPLETION = "004 Barking and Dagenham MARAC toolkit, Completion of Actions"
BD_ATTENDANCE = "004 Barking and Dagenham MARAC toolkit, Attendance"
BD_INFORMATION_ONLY = "004 Barking and Dagenham MARAC toolkit, Cases for information only"
BD_OTHER_MARACS = "004 Barking and Dagenham MARAC toolkit, Referrals to other MARAC's"


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    about: str


GROUPS = (
    Group("volume", "Referrals and cases heard", "West Midlands' quantitative list: how much the MARAC does."),
    Group("victims", "Victims and children", "Who the cases heard are about."),
    Group("agencies", "Referrals by agency", "Who refers: West Midlands' breakdown and the LSCB's sources."),
    Group(
        "diversity",
        "Quarterly diversity return",
        "Barking and Dagenham's list for the SafeLives return, then West Midlands' victims against the local "
        "population.",
    ),
    Group("children", "Children's measures", "The LSCB's children's measures the data can answer."),
    Group("links", "Links to other arrangements", "Cases linked to other safeguarding processes and MARACs."),
    Group("quality", "Against the recommendations", "Figures with a benchmark: met or not met."),
)


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    name: str
    definition: str
    numerator: str
    denominator: str  # "" for a plain count
    sources: tuple[str, ...]
    unit: Unit
    compute: Compute
    benchmarks: tuple[Benchmark, ...] = ()
    # Counts of cases or people are suppressed when small; counts of meetings and agencies need not be.
    counts_people: bool = True
    # Whether the denominator is itself a count of cases or people, suppressed when small like the numerator.
    # Not for a staff count (the IDVAs allocated a case) or a population figure (adult women): those identify
    # nobody, and suppressing them would hide every figure built on a small team.
    denominator_counts_people: bool = True

    @property
    def source_names(self) -> list[str]:
        return [source_name(source) for source in self.sources]

    @property
    def benchmark_wordings(self) -> list[str]:
        return [benchmark.wording_in(self.unit) for benchmark in self.benchmarks]


# "Run in OpenMARAC": a meeting closed in OpenMARAC, so its research, minutes and actions are all here; meetings
# recorded elsewhere or imported say nothing about them and are left out, not counted as failures.

# --- computations ------------------------------------------------------------------------------------------
# Each indicator is a Measure (reports.measures): counts over sets of rows (Tally) and per-MARAC data (Lookup),
# finished into a Figure. Tallies over the same rows share one query when many MARACs are reported together.


REFERRED = Source("referred", referred, "marac_id")
HEARD = Source("heard", heard, "marac_id")
# What needs a look at a case's other parties is a set of rows of its own, the look-up in the query's WHERE (a
# join): in a count's FILTER it would be a subquery run once a case, which also keeps PostgreSQL from sharing
# the wide count of all the others between its parallel workers.
REFERRED_WITH_YOUNG_PERPETRATOR = Source(
    "referred_with_young_perpetrator", lambda scope: with_young_perpetrator(referred(scope)), "marac_id", REFERRED
)


def _submitted_referrals(scope: Scope) -> QuerySet[Referral]:
    return Referral.objects.filter(
        marac_id__in=scope.marac_ids, submitted_at__gte=scope.starts_at, submitted_at__lt=scope.ends_before
    ).exclude(status=ReferralStatus.DRAFT)


SUBMITTED = Source("submitted", _submitted_referrals, "marac_id")
CHILDREN_HEARD = Source(
    "children_heard",
    lambda scope: CaseParty.objects.filter(in_period(scope, "heard_on", through="case__"), role=PartyRole.CHILD),
    "case__marac_id",
    HEARD,
)
DISCUSSED = Source("discussed", discussed, "meeting__marac_id")
# Information-only listings, with whether the case has children: a subquery in a count's FILTER runs once a row
# and keeps PostgreSQL from sharing the count between parallel workers, so only these few rows carry it.
DISCUSSED_INFORMATION_ONLY = Source(
    "discussed_information_only",
    lambda scope: with_children_flag(discussed(scope).filter(kind=ListingKind.INFORMATION_ONLY)),
    "meeting__marac_id",
    DISCUSSED,
)
MINUTED = Source("minuted", minuted, "meeting__marac_id", DISCUSSED)
MINUTED_WITH_CHILDREN = Source(
    "minuted_with_children",
    lambda scope: with_children_flag(minuted(scope)).filter(Q(has_children=True)),
    "meeting__marac_id",
    MINUTED,
)


@dataclass(frozen=True)
class _Cases:
    """Cases of a cohort (referred or heard) that meet a condition."""

    source: Source
    condition: Q | None = None


_COHORTS: dict[Callable[[Scope], QuerySet[Case]], _Cases] = {referred: _Cases(REFERRED), heard: _Cases(HEARD)}


def _cases(cohort: "Callable[[Scope], QuerySet[Case]] | _Cases") -> _Cases:
    return cohort if isinstance(cohort, _Cases) else _COHORTS[cohort]


def _counting(cases: _Cases) -> Count:
    return Count("pk", filter=cases.condition) if cases.condition else ROWS


def _percent(tally: Tally, part: str = "matching", whole: str = "total") -> Callable[[Scope, Values], Figure]:
    return lambda scope, values: Figure.percent(values[tally][part], values[tally][whole])


def _count(tally: Tally, name: str = "n") -> Callable[[Scope, Values], Figure]:
    return lambda scope, values: Figure.count(values[tally][name])


def _share_of(whole: Source, part: Source) -> Measure:
    """The share of one set of rows (cases referred with a young perpetrator, say) in another that holds it."""
    total, matching = Tally(whole, {"n": ROWS}), Tally(part, {"n": ROWS})
    return Measure((total, matching), lambda scope, values: Figure.percent(values[matching]["n"], values[total]["n"]))


# Each cohort's cases by the band of the victim's age when referred, counted in the query that counts the cohort's
# other figures (its value: {"n": {band: cases}}): each case's age worked out once, where a count for each band
# would work it out again for every band, and a query of its own would look up every victim again.
VICTIM_AGE_BAND = By("victim_age_band", lambda: age_band_on("victim__date_of_birth", "referred_on"))
REFERRED_AGES = Tally(REFERRED, {"n": ROWS}, by=VICTIM_AGE_BAND)
HEARD_AGES = Tally(HEARD, {"n": ROWS}, by=VICTIM_AGE_BAND)


def _aged(bands: Mapping[int | None, int], youngest: int, oldest: int | None = None) -> int:
    """Cases whose victim was aged from youngest to oldest (or over, without oldest) when referred: youngest and
    oldest + 1 must each be where a band starts (AGE_BAND_STARTS)."""
    first = AGE_BAND_STARTS.index(youngest) + 1
    last = len(AGE_BAND_STARTS) if oldest is None else AGE_BAND_STARTS.index(oldest + 1)
    return sum(bands.get(band, 0) for band in range(first, last + 1))


def _share_aged(cohort: Callable[[Scope], QuerySet[Case]], youngest: int, oldest: int | None = None) -> Measure:
    total = Tally(_cases(cohort).source, {"n": ROWS})
    ages = REFERRED_AGES if cohort is referred else HEARD_AGES

    def finish(scope: Scope, values: Values) -> Figure:
        return Figure.percent(_aged(values[ages]["n"], youngest, oldest), values[total]["n"])

    return Measure((total, ages), finish)


def _share_of_cases(cohort: Callable[[Scope], QuerySet[Case]], condition: Q) -> Measure:
    tally = Tally(_cases(cohort).source, {"total": ROWS, "matching": Count("pk", filter=condition)})
    return Measure((tally,), _percent(tally))


def _count_of(cohort: "Callable[[Scope], QuerySet[Case]] | _Cases") -> Measure:
    cases = _cases(cohort)
    tally = Tally(cases.source, {"n": _counting(cases)})
    return Measure((tally,), _count(tally))


class RecordsBegin(Lookup):
    """The day each MARAC's records begin: its first meeting held here, run in OpenMARAC (opened, or its case list
    sent out) or brought in by an import of its history (imports.services gives those a case list sent out). Its
    first case will not do: the earlier cases that repeats follow are brought in, or typed in, without the rest of
    their year, and meetings merely scheduled (no state, or never opened) say nothing about what was recorded."""

    def fetch(self, marac_ids: Sequence[int], period: Period) -> dict[int, Any]:
        # Each MARAC's first such meeting from its (marac, starts_at) index, one short look-up per MARAC.
        held = Q(state__case_list_released_at__isnull=False) | Q(state__status__in=_OPENED)
        first = (
            Meeting.objects.filter(held, marac=OuterRef("pk"), starts_at__lte=timezone.now())
            .order_by("starts_at")
            .values("starts_at")[:1]
        )
        rows = Marac.objects.filter(pk__in=marac_ids).annotate(first=Subquery(first)).values_list("pk", "first")
        return {marac_id: timezone.localdate(first) for marac_id, first in rows.order_by() if first is not None}


_OPENED = [MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED]
RECORDS_BEGIN = RecordsBegin()


def _covered(records_begin: dict[int, Any], scope: Scope) -> bool:
    return len(records_begin) == len(set(scope.marac_ids)) and all(
        first <= scope.period.start for first in records_begin.values()
    )


def records_cover(scope: Scope) -> bool:
    """Whether every MARAC in the scope has its records from the start of the period on: before they begin, a
    count is of the few cases brought in (those a later repeat follows) and a rate or comparison would mislead."""
    return _covered(RECORDS_BEGIN.fetch(scope.marac_ids, scope.period), scope)


def _records_begin_on(records_begin: dict[int, Any], scope: Scope) -> str:
    if len(records_begin) < len(set(scope.marac_ids)):
        return "no meeting is recorded as held here" + ("" if len(scope.marac_ids) == 1 else " for a MARAC chosen")
    return f"they begin with the first meeting held here, on {max(records_begin.values()):%-d %B %Y}"


def not_covered(compared: Period, records_begin: dict[int, Any], scope: Scope) -> str:
    """Why a change has no value when the records do not reach back far enough."""
    return (
        f"the records held do not reach back to {compared.start:%-d %B %Y}, the start of the period compared "
        f"({_records_begin_on(records_begin, scope)}), so its count is incomplete and a change would mislead"
    )


def before_records(records_begin: dict[int, Any], scope: Scope) -> str:
    """Why a figure judged against a benchmark has no value in a period the records do not cover."""
    return (
        f"the records held do not reach back to {scope.period.start:%-d %B %Y}, the start of this period "
        f"({_records_begin_on(records_begin, scope)}), so its count is incomplete and would be judged unfairly"
    )


def _judged_where_records_cover(measure: Measure) -> Measure:
    """A figure that a missing history would make look bad against its benchmark (too few cases heard, too few
    repeats among them) has no value where the records do not cover the period: not "not met"."""

    def finish(scope: Scope, values: Values) -> Figure:
        figure = measure.finish(scope, values)
        if _covered(values[RECORDS_BEGIN], scope):
            return figure
        return Figure(figure.numerator, figure.denominator, None, before_records(values[RECORDS_BEGIN], scope))

    return Measure((*measure.parts, RECORDS_BEGIN), finish)


NOT_OVER = "this period has not ended, so it cannot yet be compared with a whole period"


def _change_in(cohort: "Callable[[Scope], QuerySet[Case]] | _Cases", earlier: Callable[[Period], Period]) -> Measure:
    cases = _cases(cohort)
    now = Tally(cases.source, {"n": _counting(cases)})
    before = Tally(cases.source, {"n": _counting(cases)}, shift=earlier)

    def finish(scope: Scope, values: Values) -> Figure:
        counted_now, counted_before = values[now]["n"], values[before]["n"]
        if not scope.period.is_over:  # part of a period against a whole one would fall short
            return Figure(counted_now, counted_before, None, NOT_OVER)
        compared = earlier(scope.period)
        if not _covered(values[RECORDS_BEGIN], Scope(scope.marac_ids, compared)):
            return Figure(counted_now, counted_before, None, not_covered(compared, values[RECORDS_BEGIN], scope))
        return Figure.change(counted_now, counted_before)

    return Measure((now, before, RECORDS_BEGIN), finish)


def _year_before(period: Period) -> Period:
    return period.year_before()


def _previous(period: Period) -> Period:
    return period.previous()


def _nearest_year(years: dict[int, Any], wanted: int) -> int:
    """The year the period starts in; where that year's figure is missing, the latest earlier year, else the
    earliest later year."""
    earlier = [year for year in years if year <= wanted]
    return max(earlier) if earlier else min(years)


class Population(Lookup):
    """Each MARAC's adult female population by year, summed over its local authorities."""

    def fetch(self, marac_ids: Sequence[int], period: Period) -> dict[int, Any]:
        by_marac: dict[int, dict[int, int]] = {}
        rows = (
            PopulationFigure.objects.filter(marac_id__in=marac_ids)
            .values("marac_id", "year")
            .annotate(total=Sum("adult_female_population"))
            .order_by()
        )
        for row in rows:  # one row per MARAC and year, already summed over its local authorities
            by_marac.setdefault(row["marac_id"], {})[row["year"]] = row["total"]
        return by_marac


POPULATION = Population()


def _population_of(by_marac: dict[int, dict[int, int]], period: Period) -> int:
    return sum(years[_nearest_year(years, period.start.year)] for years in by_marac.values())


def adult_female_population(scope: Scope) -> int:
    """The MARACs' adult female population for the year the period starts in; where that year's figure is
    missing, the latest earlier year's, else the earliest later year's."""
    return _population_of(POPULATION.fetch(scope.marac_ids, scope.period), scope.period)


class Breakdowns(Lookup):
    """Each MARAC's adult women by dimension (ethnic group, age band), year and category, summed over its local
    authorities: {dimension: {year: {category: women}}}. Every dimension in one query."""

    def fetch(self, marac_ids: Sequence[int], period: Period) -> dict[int, Any]:
        rows = (
            PopulationBreakdown.objects.filter(figure__marac_id__in=marac_ids)
            .values("figure__marac_id", "dimension", "figure__year", "category")
            .annotate(total=Sum("count"))
            .order_by()
        )
        by_marac: dict[int, dict[str, dict[int, dict[str, int]]]] = {}
        for row in rows:  # summed over local authorities: one row per MARAC, dimension, year and category
            years = by_marac.setdefault(row["figure__marac_id"], {}).setdefault(row["dimension"], {})
            years.setdefault(row["figure__year"], {})[row["category"]] = row["total"]
        return by_marac


BREAKDOWNS = Breakdowns()


def _breakdown_of(
    by_marac: dict[int, dict[str, dict[int, dict[str, int]]]], dimension: PopulationDimension, period: Period
) -> dict[str, int]:
    totals: dict[str, int] = {}
    for dimensions in by_marac.values():
        years = dimensions.get(dimension)
        if not years:  # this MARAC's breakdown by the dimension is not held
            continue
        for category, count in years[_nearest_year(years, period.start.year)].items():
            totals[category] = totals.get(category, 0) + count
    return totals


def population_breakdown(scope: Scope, dimension: PopulationDimension) -> dict[str, int]:
    """The MARACs' adult women by category (ethnic group or age band), each MARAC's figures taken from the
    year chosen as for the adult female population, among the years whose breakdown is held."""
    return _breakdown_of(BREAKDOWNS.fetch(scope.marac_ids, scope.period), dimension, scope.period)


def share_of_a_year(period: Period) -> float:
    """The days counted as a share of a year: of the 365 or 366 days of the 12 months ending on the last day counted.
    One rule for every kind of period, so a month and a quarter counted to the same day give the same rate for the
    same cases, and a whole year (calendar, financial or rolling) gives its own count."""
    days_counted = max(0, (period.last_day - period.start).days + 1)
    year = period_containing(PeriodKind.ROLLING_12_MONTHS, period.last_day)
    return days_counted / ((year.end - year.start).days + 1)


def _cases_per_10k() -> Measure:
    tally = Tally(HEARD, {"n": ROWS})

    def finish(scope: Scope, values: Values) -> Figure:
        population = _population_of(values[POPULATION], scope.period)
        # Scaled by the days counted, not by months (a month is not a twelfth of a year's days): as a 12-month
        # period of which share_of_a_year is counted, per_10k_a_year divides the cases by that share.
        share = share_of_a_year(scope.period)
        return Figure.per_10k_a_year(values[tally]["n"], population, 12, share_counted=share)

    return _judged_where_records_cover(Measure((tally, POPULATION), finish))


def _threshold(met: bool) -> Measure:
    tally = Tally(SUBMITTED, {"total": ROWS, "matching": Count("pk", filter=Q(criteria_result__met=met))})
    return Measure((tally,), _percent(tally))


def _against_population(
    dimension: PopulationDimension, category: str, part: Part, counts: Callable[[Values], tuple[int, int]]
) -> Measure:
    """Victims' share of a category over the population's share: 1.0 when referrals mirror the population,
    0.5 when the group is half as present among victims as among local women. counts: the cases referred in
    the category and those whose category is known, from the part's values."""

    def finish(scope: Scope, values: Values) -> Figure:
        matching, total = counts(values)
        population = _breakdown_of(values[BREAKDOWNS], dimension, scope.period)
        population_total, in_category = sum(population.values()), population.get(category, 0)
        if not total:
            return Figure(matching, total, None, "no case referred in the period has the victim's details recorded")
        if not in_category:
            return Figure(matching, total, None, "the local population figures for this group are not held")
        return Figure(matching, total, (matching / total) / (in_category / population_total))

    return Measure((part, BREAKDOWNS), finish)


def _against_population_by_ethnicity(group: Ethnicity) -> Measure:
    known = ~Q(victim__ethnicity=Ethnicity.NOT_KNOWN)
    matching = Q(victim__ethnicity=group)  # never "not known": within the known
    tally = Tally(REFERRED, {"total": Count("pk", filter=known), "matching": Count("pk", filter=matching)})

    def counts(values: Values) -> tuple[int, int]:
        return values[tally]["matching"], values[tally]["total"]

    return _against_population(PopulationDimension.ETHNICITY, group.value, tally, counts)


def _against_population_by_age(band: AgeBand) -> Measure:
    youngest, oldest = AGE_BAND_RANGES[band]
    return _against_population(
        PopulationDimension.AGE_BAND,
        band.value,
        REFERRED_AGES,
        lambda values: (_aged(values[REFERRED_AGES]["n"], youngest, oldest), _aged(values[REFERRED_AGES]["n"], 16)),
    )


def _consent_share(field: str, answer: Consent) -> Measure:
    # Referrals submitted before consent was kept as a field have it blank: left out, not counted as "no".
    recorded = ~Q(**{field: ""})
    tally = Tally(
        SUBMITTED,
        {"total": Count("pk", filter=recorded), "matching": Count("pk", filter=recorded & Q(**{field: answer}))},
    )
    return Measure((tally,), _percent(tally))


# The children's parties counted by their case (never empty), which PostgreSQL reads from the parties' index
# alone, where counting their ids would also read every party's row.
CHILDREN = Count("case")


def _children_in_households() -> Measure:
    tally = Tally(CHILDREN_HEARD, {"n": CHILDREN})
    return Measure((tally,), _count(tally))


def _victims_with_children() -> Measure:
    """Cases heard with a child: the distinct cases among the children's parties of cases heard, counted in the
    same query as the children (each case is of one MARAC, so the MARACs' counts add up)."""
    total = Tally(HEARD, {"n": ROWS})
    matching = Tally(CHILDREN_HEARD, {"n": Count("case", distinct=True)}, distinct_within_marac=True)
    return Measure((total, matching), lambda scope, values: Figure.percent(values[matching]["n"], values[total]["n"]))


IDVA_ALLOCATED = Source(
    "idva_allocated",
    lambda scope: IdvaAllocation.objects.filter(
        case__marac_id__in=scope.marac_ids,
        idva__isnull=False,
        allocated_at__gte=scope.starts_at,
        allocated_at__lt=scope.ends_before,
    ),
    "case__marac_id",
)
# An allocation still inside its 48 hours is not yet a miss: count those allocated or past their time. A victim who
# declined the IDVA service before the deadline, with no IDVA yet allocated, left nothing to allocate: not a miss
# either (a decline after the deadline passed unallocated still is one).
IDVA_DUE = Source(
    "idva_due",
    lambda scope: (
        IdvaAllocation.objects.filter(case__in=referred(scope))
        .filter(Q(allocated_at__isnull=False) | Q(due_by__lt=timezone.now()))
        .exclude(declined_by_victim=True, allocated_at__isnull=True, declined_at__lte=F("due_by"))
    ),
    "case__marac_id",
    REFERRED,
)


def _idva_caseload() -> Measure:
    tally = Tally(IDVA_ALLOCATED, {"cases": ROWS, "idvas": Count("idva", distinct=True)})
    return Measure((tally,), lambda scope, values: Figure.ratio(values[tally]["cases"], values[tally]["idvas"]))


def _idva_within_48_hours() -> Measure:
    tally = Tally(IDVA_DUE, {"total": ROWS, "on_time": Count("pk", filter=Q(allocated_at__lte=F("due_by")))})
    return Measure((tally,), _percent(tally, "on_time"))


ACTIONS_DUE = Source(
    "actions_due",
    lambda scope: (
        Action.objects.filter(
            case__marac_id__in=scope.marac_ids, due_on__gte=scope.period.start, due_on__lte=scope.period.last_day
        )
        .filter(Q(due_on__lt=timezone.localdate()) | ~Q(status=ActionStatus.OPEN))
        .annotate(closed_on=TruncDate("closed_at"))
    ),
    "case__marac_id",
)


def _actions_on_time() -> Measure:
    on_time = Q(status=ActionStatus.DONE, closed_on__lte=F("due_on"))
    tally = Tally(ACTIONS_DUE, {"total": ROWS, "on_time": Count("pk", filter=on_time)})
    return Measure((tally,), _percent(tally, "on_time"))


_ATTENDED = (Q(present=True) | Q(capacity=AttendanceCapacity.WRITTEN_SUBMISSION)) & ~Q(
    capacity=AttendanceCapacity.OBSERVER
)


def _meetings_with_register(scope: Scope) -> QuerySet[Any]:
    # A meeting with no register at all was not recorded, which is not the same as nobody attending.
    return meetings_held(scope).filter(Exists(Attendance.objects.filter(meeting=OuterRef("pk"))))


REGISTERED = Source("registered", _meetings_with_register, "marac_id")


class CoreAttendance(Lookup):
    """Per MARAC: meetings with a register, its core agencies, and core agencies' places attended."""

    def fetch(self, marac_ids: Sequence[int], period: Period) -> dict[int, Any]:
        meetings = _meetings_with_register(Scope(tuple(marac_ids), period))
        per_marac = dict(meetings.values("marac_id").annotate(n=Count("pk")).order_by().values_list("marac_id", "n"))
        if not per_marac:
            return {}  # no register kept: no places to count, nothing more to ask
        core = dict(
            MaracAgency.objects.filter(marac_id__in=per_marac, is_core=True)
            .values("marac_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("marac_id", "n")
        )
        core_here = MaracAgency.objects.filter(
            marac=OuterRef("meeting__marac"), agency=OuterRef("agency"), is_core=True
        )
        attended: dict[int, int] = {}
        pairs = (
            Attendance.objects.filter(meeting__in=meetings)
            .filter(_ATTENDED, Exists(core_here))
            .values_list("meeting__marac_id", "meeting_id", "agency_id")
            .distinct()
            .order_by()
        )
        for marac_id, _, _ in pairs:  # each meeting and agency once
            attended[marac_id] = attended.get(marac_id, 0) + 1
        return {
            marac_id: (count, core.get(marac_id, 0), attended.get(marac_id, 0)) for marac_id, count in per_marac.items()
        }


def _core_attendance() -> Measure:
    lookup = CoreAttendance()

    def finish(scope: Scope, values: Values) -> Figure:
        counts = values[lookup].values()
        expected = sum(meetings * core for meetings, core, _ in counts)
        return Figure.percent(sum(attended for _, _, attended in counts), expected)

    return Measure((lookup,), finish)


def _meetings_attended_by(*agency_types: AgencyType) -> Measure:
    there = Attendance.objects.filter(_ATTENDED, meeting=OuterRef("pk"), agency__agency_type__in=agency_types)
    tally = Tally(REGISTERED, {"total": ROWS, "attended": Count("pk", filter=Q(Exists(there)))})
    return Measure((tally,), _percent(tally, "attended"))


def _full_listings_with(
    condition: Callable[[], Q], *, children_only: bool = False, with_action_plan: bool = False
) -> Measure:
    # No filter here refers to the has_children annotation: that would make Django wrap the aggregate in a
    # subquery, out of the reach of the conditions' OuterRef("pk"). Cases with children are a source of their own.
    listings = Q(kind=ListingKind.FULL)
    if with_action_plan:
        listings &= Q(Exists(Action.objects.filter(listing=OuterRef("pk"))))
    tally = Tally(
        MINUTED_WITH_CHILDREN if children_only else MINUTED,
        {"total": Count("pk", filter=listings), "matching": Count("pk", filter=listings & condition())},
    )
    return Measure((tally,), _percent(tally))


def _action_for(whom: ForWhom) -> Q:
    return Q(Exists(Action.objects.filter(listing=OuterRef("pk"), for_whom=whom)))


def _victim_views() -> Q:
    return Q(Exists(VictimVoice.objects.filter(listing=OuterRef("pk")).exclude(victim_views="")))


def _child_voice() -> Q:
    return Q(Exists(VictimVoice.objects.filter(listing=OuterRef("pk")).exclude(child_voice="")))


def _information_only_share() -> Measure:
    tally = Tally(DISCUSSED, {"total": ROWS, "matching": Count("pk", filter=Q(kind=ListingKind.INFORMATION_ONLY))})
    return Measure((tally,), _percent(tally))


def _information_only_against_the_rules() -> Measure:
    # BD Cases for information only: never with children, a pregnant victim, a vulnerable adult, specific
    # actions requested or the referrer disagreeing.
    wrong = (
        Q(has_children=True)
        | Q(case__victim_pregnant=True)
        | Q(vulnerable_adult=True)
        | Q(specific_actions_requested=True)
        | Q(referrer_disagrees=True)
    )
    tally = Tally(DISCUSSED_INFORMATION_ONLY, {"n": Count("pk", filter=wrong)})
    return Measure((tally,), _count(tally))


def _when_minuted(tally: Tally) -> Measure:
    """A count from meetings' research or minutes is "no data", not 0, when no meeting was run here."""
    any_minuted = Tally(MINUTED, {"n": ROWS})

    def finish(scope: Scope, values: Values) -> Figure:
        figure = Figure.count(values[tally]["n"])
        if values[any_minuted]["n"]:
            return figure
        return Figure(figure.numerator, None, None, "no meeting in the period was run in OpenMARAC")

    return Measure((tally, any_minuted), finish)


CHILDREN_RESEARCHED = Source(
    "children_researched",
    lambda scope: ChildResearch.objects.filter(research__listing__in=minuted(scope)),
    "research__listing__meeting__marac_id",
    MINUTED,
)


def _children_with(condition: Q) -> Measure:
    return _when_minuted(Tally(CHILDREN_RESEARCHED, {"n": Count("child_id", filter=condition, distinct=True)}))


_OPEN_TO_SOCIAL_CARE = [ChildStatus.CHILD_PROTECTION_PLAN, ChildStatus.CHILD_IN_NEED, ChildStatus.LOOKED_AFTER]


def _discussions_where_a_child(condition: Q, *, with_children: bool) -> Measure:
    research = ChildResearch.objects.filter(condition, research__listing=OuterRef("pk"))
    tally = Tally(
        MINUTED_WITH_CHILDREN if with_children else MINUTED,
        {"total": Count("case", distinct=True), "matching": Count("case", filter=Q(Exists(research)), distinct=True)},
    )
    return Measure((tally,), _percent(tally))


LINKS = Source(
    "links",
    lambda scope: ProcessLink.objects.filter(listing__in=minuted(scope)),
    "listing__meeting__marac_id",
    MINUTED,
)


def _links_of(kind: ProcessLinkKind | None) -> Measure:
    return _when_minuted(Tally(LINKS, {"n": Count("pk", filter=Q(kind=kind) if kind else None)}))


# Referrals transferred before they became cases here. A case sent on after it was heard (referrals.case_transfers)
# leaves its referral accepted and is counted by its hearing's "Transferred" outcome instead, not twice.
TRANSFERS = Source(
    "transfers",
    lambda scope: Transfer.objects.filter(
        from_referral__marac_id__in=scope.marac_ids,
        from_referral__status=ReferralStatus.TRANSFERRED,
        transferred_at__gte=scope.starts_at,
        transferred_at__lt=scope.ends_before,
    ),
    "from_referral__marac_id",
)


def _to_other_maracs() -> Measure:
    transfers = Tally(TRANSFERS, {"n": ROWS})
    after_hearing = Tally(DISCUSSED, {"n": Count("pk", filter=Q(outcome=Outcome.TRANSFERRED))})
    cases = Tally(REFERRED, {"n": ROWS})

    def finish(scope: Scope, values: Values) -> Figure:
        transferred = values[transfers]["n"]
        # A transferred referral never becomes a case here, so it is added to the referrals that did.
        return Figure.percent(transferred + values[after_hearing]["n"], values[cases]["n"] + transferred)

    return Measure((transfers, after_hearing, cases), finish)


# --- conditions on cases -----------------------------------------------------------------------------------

MINORITISED = [Ethnicity.ASIAN, Ethnicity.BLACK, Ethnicity.MIXED, Ethnicity.OTHER]
LESBIAN_GAY_BISEXUAL = [Sexuality.GAY_OR_LESBIAN, Sexuality.BISEXUAL, Sexuality.OTHER]
WORKING_WITH_CHILDREN = (
    AgencyType.CHILDRENS_SOCIAL_CARE,
    AgencyType.EDUCATION,
    AgencyType.EARLY_YEARS,
    AgencyType.YOUTH_OFFENDING,
)
IS_BME = Q(victim__ethnicity__in=MINORITISED)
IS_LGBT = Q(victim__sexuality__in=LESBIAN_GAY_BISEXUAL) | Q(victim__is_transgender=True)
IS_MALE = Q(victim__gender=Gender.MALE)
RECORDED = (
    ~Q(victim__ethnicity=Ethnicity.NOT_KNOWN)
    & ~Q(victim__sexuality=Sexuality.NOT_KNOWN)
    & Q(victim__has_disability__isnull=False, victim__date_of_birth__isnull=False)
)


def _referred_from(*agency_types: AgencyType) -> _Cases:
    return _Cases(REFERRED, Q(referring_agency__agency_type__in=agency_types))


# --- benchmarks --------------------------------------------------------------------------------------------

SAFELIVES_VOLUME = Benchmark("safelives", 40, Direction.AT_LEAST, LSCB_IN_LINE + ": 40 per 10,000 adult women")
WM_VOLUME_FLOOR = Benchmark("wm_floor", 32, Direction.AT_LEAST, WM_GOOD + ": at least 80% of SafeLives' 40")
SAFELIVES_REPEATS = Benchmark(
    "safelives",
    40,
    Direction.AROUND,
    LSCB_IN_LINE + ": repeat referrals at around 40%",
    tolerance=5,
    local_reading=True,
)


def _all(source: str) -> Benchmark:
    """Where a seed says "all", "every" or "each": 100%."""
    return Benchmark("seed", 100, Direction.AT_LEAST, source)


def _consistently(source: str) -> Benchmark:
    """Where a seed says "consistently" or "routinely" with no figure, OpenMARAC reads it as 90%."""
    return Benchmark("seed", 90, Direction.AT_LEAST, source, local_reading=True)


# --- the indicators ----------------------------------------------------------------------------------------

_CASES_HEARD = "cases heard in the period"
_REFERRALS = "cases referred in the period"


# West Midlands' 80% floor on referral volume, read across to each group: a group is reflected when its share
# of victims is at least 80% of its share of local women.
REFLECTS_POPULATION = Benchmark(
    "population",
    0.8,
    Direction.AT_LEAST,
    WM_GOOD + ": Referrals to MARAC reflect the diversity of your local population",
    local_reading=True,
)
ETHNIC_GROUPS = [group for group in Ethnicity if group != Ethnicity.NOT_KNOWN]
AGE_BAND_RANGES = {
    AgeBand.AGED_16_17: (16, 17),
    AgeBand.AGED_18_24: (18, 24),
    AgeBand.AGED_25_34: (25, 34),
    AgeBand.AGED_35_44: (35, 44),
    AgeBand.AGED_45_54: (45, 54),
    AgeBand.AGED_55_PLUS: (55, None),
}
_AGAINST_POPULATION = (
    " divided by the same group's share of the MARACs' women aged 16 and over (PopulationBreakdown, for the "
    "year the period starts in). 1.0: victims mirror the population; below 1: the group is under-represented."
)


def _population_indicators() -> tuple[Indicator, ...]:
    ethnicity = tuple(
        Indicator(
            key=f"population_ethnicity_{group.value}",
            group="diversity",
            name=f"Victims against the local population: {group.label}",
            definition="The share of victims referred in the period (ethnic group recorded) who are "
            f"{group.label}," + _AGAINST_POPULATION,
            numerator=f"cases referred with a victim who is {group.label}",
            denominator="cases referred with the victim's ethnic group recorded",
            sources=(WM_QUANTITATIVE + ": Diversity of referrals in context with the local population", WM_GOOD),
            unit=Unit.RATIO,
            compute=_against_population_by_ethnicity(group),
            benchmarks=(REFLECTS_POPULATION,),
        )
        for group in ETHNIC_GROUPS
    )
    age = tuple(
        Indicator(
            key=f"population_age_{band.value}",
            group="diversity",
            name=f"Victims against the local population: aged {band.label}",
            definition="The share of victims referred in the period (aged 16 or over when referred, date of "
            f"birth recorded) who were aged {band.label}," + _AGAINST_POPULATION,
            numerator=f"cases referred with a victim aged {band.label}",
            denominator="cases referred with a victim aged 16 or over",
            sources=(WM_QUANTITATIVE + ": Diversity of referrals in context with the local population", WM_GOOD),
            unit=Unit.RATIO,
            compute=_against_population_by_age(band),
            benchmarks=(REFLECTS_POPULATION,),
        )
        for band in AgeBand
    )
    return ethnicity + age


POPULATION_INDICATOR_KEYS = tuple(indicator.key for indicator in _population_indicators())


def _consent_indicators() -> tuple[Indicator, ...]:
    consents = (
        ("information_sharing_consent", "consent to share information"),
        ("idva_referral_consent", "consent to a referral to the IDVA service"),
    )
    return tuple(
        Indicator(
            key=f"{field}_{answer.value}",
            group="volume",
            name=f"Referrals with {words}: {answer.label.lower()}",
            definition=f"Referrals submitted in the period where the victim's {words} was recorded as "
            f"'{answer.label.lower()}'. Referrals submitted before OpenMARAC kept this answer as a field are "
            "left out.",
            numerator=f"referrals submitted with {words} {answer.label.lower()}",
            denominator="referrals submitted in the period with the answer recorded",
            sources=(WM_QUANTITATIVE + ": Number and % of referrals with consent from the victim",),
            unit=Unit.PERCENT,
            compute=_consent_share(field, answer),
        )
        for field, words in consents
        for answer in Consent
    )


def _agency_indicators() -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            key=f"referrals_from_{agency_type.value}",
            group="agencies",
            name=f"Referrals from: {agency_type.label}",
            definition=f"Cases referred in the period by an agency of the type '{agency_type.label}'.",
            numerator=f"cases referred in the period by {agency_type.label.lower()}",
            denominator=_REFERRALS,
            sources=(WM_QUALITATIVE + ": Breakdown of Referrals by Agency", LSCB_STATISTICS),
            unit=Unit.PERCENT,
            compute=_share_of_cases(referred, Q(referring_agency__agency_type=agency_type)),
        )
        for agency_type in AgencyType
    )


def _link_indicators() -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            key=f"links_to_{kind.value}",
            group="links",
            name=f"Links to {kind.label}",
            definition=f"Links recorded from a case's discussion to {kind.label} at meetings run in OpenMARAC.",
            numerator=f"links to {kind.label} recorded at meetings run in OpenMARAC in the period",
            denominator="",
            sources=(WM_QUANTITATIVE, LSCB_STATISTICS + ": linking with CSE panels, ICPCs, strategy meetings, MAPPA"),
            unit=Unit.COUNT,
            compute=_links_of(kind),
        )
        for kind in ProcessLinkKind
    )


INDICATORS: tuple[Indicator, ...] = (
    # Referrals and cases heard
    Indicator(
        "referrals",
        "volume",
        "Referrals",
        "Cases referred to the MARAC in the period (each accepted referral becomes a case, restricted ones too).",
        _REFERRALS,
        "",
        (WM_QUANTITATIVE + ": Total number of referrals",),
        Unit.COUNT,
        _count_of(referred),
    ),
    Indicator(
        "referrals_change",
        "volume",
        "Referrals: change on the same period a year before",
        "The percentage change in cases referred against the same period a year earlier.",
        _REFERRALS,
        "cases referred in the same period a year earlier",
        (WM_QUANTITATIVE + ": Year on year change",),
        Unit.CHANGE,
        _change_in(referred, _year_before),
    ),
    Indicator(
        "threshold_met",
        "volume",
        "Referrals meeting the MARAC threshold",
        "Referrals submitted through OpenMARAC in the period whose criteria check found the threshold met "
        "(visible high risk, professional judgement, escalation or an automatic criterion). OpenMARAC does not "
        "let a referral below the threshold be submitted, so this is close to 100% by design.",
        "referrals submitted in the period with the threshold met",
        "referrals submitted in the period",
        (WM_QUANTITATIVE + ": Number and % of referrals that meet the MARAC threshold",),
        Unit.PERCENT,
        _threshold(met=True),
    ),
    Indicator(
        "threshold_not_met",
        "volume",
        "Referrals not meeting the MARAC threshold",
        "Referrals submitted in the period whose criteria check found the threshold not met (only referrals "
        "recorded before the check, or imported, can be here).",
        "referrals submitted in the period with the threshold not met",
        "referrals submitted in the period",
        (WM_QUANTITATIVE + ": Number and % of referrals that do not meet the MARAC threshold",),
        Unit.PERCENT,
        _threshold(met=False),
    ),
    *_consent_indicators(),
    Indicator(
        "cases_heard",
        "volume",
        "Cases heard",
        "Cases whose hearing fell in the period, including information-only hearings.",
        _CASES_HEARD,
        "",
        (WM_QUANTITATIVE + ": Number of cases heard at MARAC",),
        Unit.COUNT,
        _count_of(heard),
    ),
    Indicator(
        "cases_heard_change",
        "volume",
        "Cases heard: change on the same period a year before",
        "The percentage change in cases heard against the same period a year earlier.",
        _CASES_HEARD,
        "cases heard in the same period a year earlier",
        (WM_QUANTITATIVE + ": Year on year change in number of cases", LSCB_STATISTICS),
        Unit.CHANGE,
        _change_in(heard, _year_before),
    ),
    Indicator(
        "cases_per_10k",
        "volume",
        "Cases heard per 10,000 adult women, a year",
        "Cases heard, per 10,000 of the MARACs' adult female population (PopulationFigure for the year the "
        "period starts in), scaled to a year by the days counted: multiplied by the days of the 12 months ending on "
        "the last day counted (365, or 366 with a 29 February) over the days counted. A 92-day quarter's cases are "
        "multiplied by 365/92 (about 3.97), a 31-day month's by 365/31, and a whole year's are its own count; a "
        "period not over yet is scaled by the days gone.",
        _CASES_HEARD,
        "adult female population",
        (WM_QUANTITATIVE + ": Number of cases per 10,000 adult female population", LSCB_IN_LINE, WM_GOOD),
        Unit.PER_10K,
        _cases_per_10k(),
        (SAFELIVES_VOLUME, WM_VOLUME_FLOOR),
        denominator_counts_people=False,  # the adult female population
    ),
    # Victims and children
    Indicator(
        "victims_55_plus",
        "victims",
        "Victims aged 55 or over",
        "Cases heard where the victim was 55 or over when referred.",
        "cases heard with a victim aged 55 or over",
        _CASES_HEARD,
        (WM_QUANTITATIVE + ": Number & % of 55+ victims",),
        Unit.PERCENT,
        _share_aged(heard, 55),
    ),
    Indicator(
        "victims_16_17",
        "victims",
        "Victims aged 16 or 17",
        "Cases heard where the victim was 16 or 17 when referred.",
        "cases heard with a victim aged 16 or 17",
        _CASES_HEARD,
        (WM_QUANTITATIVE + ": Number and % of cases where victims aged 16-17", LSCB_IN_LINE, LSCB_STATISTICS),
        Unit.PERCENT,
        _share_aged(heard, 16, 17),
    ),
    Indicator(
        "male_victims",
        "victims",
        "Male victims",
        "Cases heard where the victim is male.",
        "cases heard with a male victim",
        _CASES_HEARD,
        (WM_QUANTITATIVE + ": Number and % of cases where the victim is male",),
        Unit.PERCENT,
        _share_of_cases(heard, IS_MALE),
    ),
    Indicator(
        "repeat_cases",
        "victims",
        "Repeat cases",
        "Cases heard that are repeats (the MARAC's repeat definition, set on the case when it is accepted).",
        "repeat cases heard",
        _CASES_HEARD,
        (WM_QUANTITATIVE + ": % of repeat cases heard at MARAC", LSCB_IN_LINE, WM_GOOD),
        Unit.PERCENT,
        # Before the records begin, the cases held are the earlier ones later repeats follow: none a repeat.
        _judged_where_records_cover(_share_of_cases(heard, Q(is_repeat=True))),
        (SAFELIVES_REPEATS,),
    ),
    Indicator(
        "victims_with_children",
        "victims",
        "Victims with children",
        "Cases heard with at least one child in the household.",
        "cases heard with a child",
        _CASES_HEARD,
        (WM_QUANTITATIVE + ": Number of victims with children", LSCB_STATISTICS + ": cases involving children"),
        Unit.PERCENT,
        _victims_with_children(),
    ),
    Indicator(
        "children_in_households",
        "victims",
        "Children in the households",
        "Children named on the cases heard (a child on two cases counts twice, as in the SafeLives return).",
        "children on cases heard",
        "",
        (WM_QUANTITATIVE + ": Number of children in the household",),
        Unit.COUNT,
        _children_in_households(),
    ),
    Indicator(
        "open_to_social_care",
        "victims",
        "Cases open to children's social care",
        "Cases discussed at meetings run in OpenMARAC in the period where children's social care's research "
        "gave a child a child protection plan, child in need or looked-after status. Adult social care's "
        "involvement is not held as data.",
        "cases discussed with a child open to children's social care",
        "cases discussed at meetings run in OpenMARAC",
        (WM_QUANTITATIVE + ": Number and % of referrals open to adult and/or children's social care",),
        Unit.PERCENT,
        _discussions_where_a_child(Q(status__in=_OPEN_TO_SOCIAL_CARE), with_children=False),
    ),
    Indicator(
        "idva_caseload",
        "victims",
        "New cases per IDVA",
        "Cases allocated to a named IDVA in the period, divided by the number of IDVAs they were allocated to. "
        "Open caseloads are not derivable: a case's end of IDVA support is not recorded.",
        "cases allocated to a named IDVA in the period",
        "IDVAs allocated a case in the period",
        (WM_QUANTITATIVE + ": IDVA caseloads",),
        Unit.RATIO,
        _idva_caseload(),
        denominator_counts_people=False,  # a count of staff, not of victims
    ),
    # Referrals by agency
    Indicator(
        "non_police_referrals",
        "agencies",
        "Referrals from agencies other than the police",
        "Cases referred in the period by any agency that is not a police force.",
        "cases referred by an agency other than the police",
        _REFERRALS,
        (WM_QUANTITATIVE + ": % of non-police referrals to MARAC",),
        Unit.PERCENT,
        _share_of_cases(referred, ~Q(referring_agency__agency_type=AgencyType.POLICE)),
    ),
    *_agency_indicators(),
    # The quarterly diversity return
    Indicator(
        "referrals_bme",
        "diversity",
        "Referrals: victim Black or minority ethnic",
        "Cases referred where the victim's ethnic group is Asian, Black, mixed or other (census 2021 high-level "
        "groups; white minorities cannot be told apart at this level).",
        "cases referred with a Black or minority ethnic victim",
        _REFERRALS,
        (BD_EQUALITY, WM_QUANTITATIVE + ": Diversity of referrals"),
        Unit.PERCENT,
        _share_of_cases(referred, IS_BME),
    ),
    Indicator(
        "referrals_lgbt",
        "diversity",
        "Referrals: victim lesbian, gay, bisexual or transgender",
        "Cases referred where the victim's sexuality is recorded as gay or lesbian, bisexual or other (not "
        "heterosexual, not 'not known'), or the victim is transgender.",
        "cases referred with an LGBT victim",
        _REFERRALS,
        (BD_EQUALITY,),
        Unit.PERCENT,
        _share_of_cases(referred, IS_LGBT),
    ),
    Indicator(
        "referrals_disability",
        "diversity",
        "Referrals: victim has a disability",
        "Cases referred where the victim is recorded as having a disability.",
        "cases referred with a disabled victim",
        _REFERRALS,
        (BD_EQUALITY,),
        Unit.PERCENT,
        _share_of_cases(referred, Q(victim__has_disability=True)),
    ),
    Indicator(
        "referrals_male",
        "diversity",
        "Referrals: victim male",
        "Cases referred where the victim is male.",
        "cases referred with a male victim",
        _REFERRALS,
        (BD_EQUALITY,),
        Unit.PERCENT,
        _share_of_cases(referred, IS_MALE),
    ),
    Indicator(
        "referrals_16_17",
        "diversity",
        "Referrals: victim aged 16 or 17",
        "Cases referred where the victim was 16 or 17 on the day of referral.",
        "cases referred with a victim aged 16 or 17",
        _REFERRALS,
        (BD_EQUALITY, LSCB_STATISTICS + ": Numbers of child victims referred 16 17 years"),
        Unit.PERCENT,
        _share_aged(referred, 16, 17),
    ),
    Indicator(
        "referrals_perpetrator_under_18",
        "diversity",
        "Referrals: a perpetrator under 18",
        "Cases referred where anyone named as a perpetrator was under 18 on the day of referral.",
        "cases referred with a perpetrator under 18",
        _REFERRALS,
        (BD_EQUALITY,),
        Unit.PERCENT,
        _share_of(REFERRED, REFERRED_WITH_YOUNG_PERPETRATOR),
    ),
    *_population_indicators(),
    # Children's measures
    Indicator(
        "csc_referrals",
        "children",
        "Referrals from children's social care",
        "Cases referred in the period by children's social care.",
        "cases referred by children's social care",
        "",
        (LSCB_STATISTICS + ": Number of referrals to Marac from CSC", LSCB_IN_LINE),
        Unit.COUNT,
        _count_of(_referred_from(AgencyType.CHILDRENS_SOCIAL_CARE)),
    ),
    Indicator(
        "csc_referrals_growth",
        "children",
        "Referrals from children's social care: change on the previous period",
        "The percentage change in children's social care's referrals against the period just before "
        "(the previous quarter, for a quarter).",
        "cases referred by children's social care in the period",
        "cases referred by children's social care in the previous period",
        (LSCB_STATISTICS + ": Number of referrals to Marac from CSC (% increase each quarter)",),
        Unit.CHANGE,
        _change_in(_referred_from(AgencyType.CHILDRENS_SOCIAL_CARE), _previous),
        (Benchmark("seed", 0, Direction.ABOVE, LSCB_STATISTICS + ": an increase each quarter"),),
    ),
    Indicator(
        "children_agency_referrals_growth",
        "children",
        "Referrals from agencies working with children: change on the previous period",
        "Cases referred by children's social care, education, early years or youth offending, against the "
        "period just before.",
        "cases referred by agencies working with children in the period",
        "the same in the previous period",
        (LSCB_STATISTICS + ": Increasing numbers of referrals to Marac from agencies working with children",),
        Unit.CHANGE,
        _change_in(_referred_from(*WORKING_WITH_CHILDREN), _previous),
        (Benchmark("seed", 0, Direction.ABOVE, LSCB_STATISTICS + ": increasing numbers"),),
    ),
    Indicator(
        "children_on_protection_plans",
        "children",
        "Children subject to a child protection plan",
        "Children whom children's social care's research, at meetings run in OpenMARAC in the period, recorded "
        "as on a child protection plan (each child once).",
        "children on a child protection plan",
        "",
        (LSCB_STATISTICS + ": Number of children subject to CPP where parent referred to Marac",),
        Unit.COUNT,
        _children_with(Q(status=ChildStatus.CHILD_PROTECTION_PLAN)),
    ),
    Indicator(
        "young_people_harmful_behaviour",
        "children",
        "Young people using harmful behaviour",
        "Children recorded in research, at meetings run in OpenMARAC in the period, as using harmful behaviour in a "
        "relationship or towards a parent (intimate partner and APVA are not told apart).",
        "young people using harmful behaviour",
        "",
        (LSCB_STATISTICS + ": young people using harmful behaviour in IPV / APVA", LSCB_IN_LINE),
        Unit.COUNT,
        _children_with(Q(harmful_behaviour=True)),
    ),
    Indicator(
        "families_known_to_csc",
        "children",
        "Families known to children's social care",
        "Cases with children discussed at meetings run in OpenMARAC in the period where children's social "
        "care's research gave at least one child a status other than 'not known' (early help included).",
        "cases discussed with children known to children's social care",
        "cases with children discussed at meetings run in OpenMARAC",
        (LSCB_IN_LINE + ": All families referred to Marac are known to Children's Social Care",),
        Unit.PERCENT,
        _discussions_where_a_child(~Q(status=ChildStatus.NOT_KNOWN), with_children=True),
        (_all(LSCB_IN_LINE + ": all families known to children's social care"),),
    ),
    Indicator(
        "child_voice",
        "children",
        "Child's voice heard",
        "Full discussions of cases with children, at meetings run in OpenMARAC in the period, with the child's "
        "voice recorded.",
        "full discussions with children and the child's voice recorded",
        "full discussions of cases with children",
        (LSCB_IN_LINE + ": the child or young person's voice is heard at Marac",),
        Unit.PERCENT,
        _full_listings_with(_child_voice, children_only=True),
    ),
    Indicator(
        "children_actions",
        "children",
        "Action plans with actions for the children",
        "Full discussions of cases with children, at meetings run in OpenMARAC in the period, that have an "
        "action plan, with at least one action for the children.",
        "full discussions with children and an action for them",
        "full discussions of cases with children that have an action plan",
        (LSCB_IN_LINE + ": Action plans clearly show actions to reduce risks to the children",),
        Unit.PERCENT,
        _full_listings_with(lambda: _action_for(ForWhom.CHILDREN), children_only=True, with_action_plan=True),
        (_all(LSCB_IN_LINE + ": action plans clearly show actions for the children"),),
    ),
    Indicator(
        "csc_attendance",
        "children",
        "Meetings attended by children's social care",
        "Meetings held in the period, with a register kept, at which children's social care was present or "
        "sent a written submission.",
        "meetings attended by children's social care",
        "meetings with a register",
        (LSCB_IN_LINE + ": Children's Social Care consistently attend Marac", LSCB_REPRESENTED),
        Unit.PERCENT,
        _meetings_attended_by(AgencyType.CHILDRENS_SOCIAL_CARE),
        (_consistently(LSCB_IN_LINE + ": consistently attend"),),
        counts_people=False,
    ),
    Indicator(
        "education_attendance",
        "children",
        "Meetings attended by education or early years",
        "Meetings held in the period, with a register kept, at which education or early years was present or "
        "sent a written submission.",
        "meetings attended by education or early years",
        "meetings with a register",
        (LSCB_IN_LINE + ": Education and Early Years settings have strong links with Marac",),
        Unit.PERCENT,
        _meetings_attended_by(AgencyType.EDUCATION, AgencyType.EARLY_YEARS),
        counts_people=False,
    ),
    # Links to other arrangements and MARACs
    Indicator(
        "other_arrangements",
        "links",
        "Links to other safeguarding arrangements",
        "Links recorded from cases' discussions to other processes (MAPPA, MASH, child protection conferences, "
        "strategy meetings, CSE panels, Clare's Law, SOMM) at meetings run in OpenMARAC in the period.",
        "links recorded at meetings run in OpenMARAC in the period",
        "",
        (WM_QUANTITATIVE + ": Number of referrals to other safeguarding and/or public protection arrangements",),
        Unit.COUNT,
        _links_of(None),
    ),
    *_link_indicators(),
    Indicator(
        "to_other_maracs",
        "links",
        "Referred to other MARACs",
        "Referrals transferred to another MARAC in the period, and cases sent on to another MARAC at a "
        "meeting held in the period.",
        "referrals and cases transferred to another MARAC",
        "cases referred in the period plus referrals transferred before becoming cases",
        (WM_QUANTITATIVE + ": Number and % of referrals referred to other MARACs", BD_OTHER_MARACS),
        Unit.PERCENT,
        _to_other_maracs(),
    ),
    # Against the recommendations
    Indicator(
        "idva_within_48_hours",
        "quality",
        "IDVA allocated within 48 hours",
        "Cases referred in the period whose IDVA was allocated by the 48-hour deadline (allocated at or before "
        "due by). Allocations still inside their 48 hours are left out until allocated or overdue, and so are "
        "victims who declined the IDVA service before the deadline with no IDVA yet allocated.",
        "allocations made by the deadline",
        "allocations made or overdue",
        (WM_IDVA_CONTACT + " (judged on the allocation within 48 hours)", BD_VICTIM_CONTACT),
        Unit.PERCENT,
        _idva_within_48_hours(),
        (_all(WM_IDVA_CONTACT + ", read as every victim's IDVA allocated within 48 hours"),),
    ),
    Indicator(
        "actions_on_time",
        "quality",
        "Actions completed on time",
        "Actions due in the period, whose due date has passed or which are closed, marked done on or before "
        "their due date.",
        "actions done by their due date",
        "actions due in the period and due or closed",
        (BD_COMPLETION, LSCB_STATISTICS + ": Audit completion of actions"),
        Unit.PERCENT,
        _actions_on_time(),
        (Benchmark("local", 90, Direction.AT_LEAST, BD_COMPLETION + ": in a timely fashion", local_reading=True),),
    ),
    Indicator(
        "core_attendance",
        "quality",
        "Core agency attendance",
        "Of each core agency's places at meetings held in the period (meetings with a register kept), those "
        "where it was present or sent a written submission. Core agencies are the MARAC's current core list.",
        "core agency places attended or covered in writing",
        "meetings with a register, times the MARAC's core agencies",
        (WM_GOOD + ": Core agencies consistently attend", WM_QUALITATIVE + ": Agency attendance", BD_ATTENDANCE),
        Unit.PERCENT,
        _core_attendance(),
        (_consistently(WM_GOOD + ": core agencies consistently attend"),),
        counts_people=False,
    ),
    Indicator(
        "victim_voice",
        "quality",
        "Victim's views represented",
        "Full discussions at meetings run in OpenMARAC in the period with the victim's views recorded (usually "
        "by the IDVA).",
        "full discussions with the victim's views recorded",
        "full discussions at meetings run in OpenMARAC",
        (WM_GOOD + ": Each victim is represented at the MARAC meeting",),
        Unit.PERCENT,
        _full_listings_with(_victim_views),
        (_all(WM_GOOD + ": each victim is represented"),),
    ),
    Indicator(
        "perpetrator_actions",
        "quality",
        "Action plans with a perpetrator action",
        "Full discussions at meetings run in OpenMARAC in the period that have an action plan, with at least "
        "one action about the perpetrator.",
        "full discussions with an action about the perpetrator",
        "full discussions with an action plan",
        (LSCB_IN_LINE + ": All action plans ... will have actions to address the behaviour of the perpetrator",),
        Unit.PERCENT,
        _full_listings_with(lambda: _action_for(ForWhom.PERPETRATOR), with_action_plan=True),
        (_all(LSCB_IN_LINE + ": every action plan has a perpetrator action"),),
    ),
    Indicator(
        "information_only_share",
        "quality",
        "Information-only listings",
        "Listings discussed at meetings held in the period that were for information only. The seeds give no "
        "figure to judge this share against.",
        "information-only listings discussed",
        "listings discussed",
        (BD_INFORMATION_ONLY,),
        Unit.PERCENT,
        _information_only_share(),
    ),
    Indicator(
        "information_only_against_the_rules",
        "quality",
        "Information-only listings that should have been full",
        "Information-only listings discussed in the period although the case has children, the victim is "
        "pregnant, a vulnerable adult is involved, the referrer asked for specific actions or disagreed.",
        "information-only listings breaking the listing rules",
        "",
        (BD_INFORMATION_ONLY,),
        Unit.COUNT,
        _information_only_against_the_rules(),
        (Benchmark("seed", 0, Direction.AT_MOST, BD_INFORMATION_ONLY + ": such cases would not be listed"),),
    ),
    Indicator(
        "data_recorded",
        "quality",
        "Victims' details recorded",
        "Cases heard whose victim has ethnicity, sexuality, disability and date of birth all recorded (none "
        "'not known').",
        "cases heard with the victim's details all recorded",
        _CASES_HEARD,
        (WM_GOOD + ": MARAC data is consistently recorded",),
        Unit.PERCENT,
        _share_of_cases(heard, RECORDED),
        (_consistently(WM_GOOD + ": data consistently recorded"),),
    ),
)

INDICATORS_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
