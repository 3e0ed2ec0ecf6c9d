"""How an indicator is worked out, in parts the database can share.

A Measure is some parts and a finish that turns their values into a Figure. A part is either a Tally (named
aggregates over a set of rows: the cases referred in the period, the listings discussed...) or a Lookup (data
fetched per MARAC, like the population figures). For one scope each part is one aggregate query. For many MARACs
side by side (evaluate) the tallies over the same rows and period are merged into one query grouped by MARAC,
whatever indicator they belong to, and each lookup is fetched once: a national report of 300 MARACs costs about
as many queries as one MARAC's, instead of 300 times as many. The figures are the same either way; the combined
column is summed from the MARACs' counts where counting rows allows it, and queried on its own where it does not
(distinct counts).
"""

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Aggregate, Count, QuerySet

from cases.models import Case
from reports.cohorts import Scope
from reports.fanout import run_jobs, side_by_side_on
from reports.figures import Figure
from reports.periods import Period

COMBINED = None  # the key of the column that takes every MARAC of the scope together
# The rows counted: one object, so that the many tallies counting all their rows share one column of a query.
ROWS = Count("pk")


@dataclass(frozen=True)
class Source:
    """A set of rows for a scope, and the path from those rows to their MARAC's id."""

    name: str
    rows: Callable[[Scope], QuerySet[Any]] = field(compare=False)
    marac: str = field(compare=False)
    # The source whose rows these are a subset of (minuted listings of the listings discussed, say): where that
    # has no rows for the scope, neither has this one, and it is not asked.
    within: "Source | None" = field(default=None, compare=False)

    @property
    def depth(self) -> int:
        return 0 if self.within is None else self.within.depth + 1


@dataclass(frozen=True, eq=False)
class By:
    """A second key to count rows by, besides their MARAC (the band of the victim's age, say): worked out once a
    row in the query that counts everything else over those rows, rather than in a query of its own."""

    name: str
    expression: Callable[[], Any]


SPLIT = "split_by"  # the alias of a By's key in a query


@dataclass(frozen=True, eq=False)  # each tally is its own part, hashed by identity
class Tally:
    source: Source
    aggregates: Mapping[str, Aggregate]
    # The period counted, if not the scope's own: Period.year_before, Period.previous.
    shift: Callable[[Period], Period] | None = None
    # Distinct counts of what belongs to one MARAC each (cases grouped by the case's MARAC) add up as well.
    distinct_within_marac: bool = False
    # Counted by a second key too: the tally's value is then {aggregate name: {key: count}}. The query over the
    # rows is grouped by that key for every tally over them, whose counts are summed over it (so all must be
    # counts of rows).
    by: By | None = None

    def period(self, period: Period) -> Period:
        return self.shift(period) if self.shift else period

    @property
    def additive(self) -> bool:
        """Whether all MARACs' counts add up to the count over all of them: row counts do, distinct ones not
        (unless what is counted belongs to one MARAC each)."""
        return self.distinct_within_marac or all(
            isinstance(aggregate, Count) and not getattr(aggregate, "distinct", False)
            for aggregate in self.aggregates.values()
        )


class Lookup(ABC):
    """Data fetched for many MARACs at once, one value per MARAC; a column gets its MARACs' values."""

    @abstractmethod
    def fetch(self, marac_ids: Sequence[int], period: Period) -> dict[int, Any]: ...


Part = Tally | Lookup
Values = Mapping[Part, Any]  # a tally's value: its aggregates by name; a lookup's: {marac id: value}


@dataclass(frozen=True, eq=False)
class Measure:
    parts: tuple[Part, ...]
    finish: Callable[[Scope, Values], Figure]

    def __call__(self, scope: Scope) -> Figure:
        """The figure for one scope, its MARACs taken together."""
        return self.finish(scope, evaluate([self], scope.marac_ids, scope.period, per_marac=False)[COMBINED])


def _grouped_parts(measures: Iterable[Measure], period: Period) -> tuple[dict[Any, list[Tally]], list[Lookup]]:
    tallies: dict[tuple[Source, Period], list[Tally]] = defaultdict(list)
    lookups: dict[int, Lookup] = {}
    for measure in measures:
        for part in measure.parts:
            if isinstance(part, Tally):
                group = tallies[(part.source, part.period(period))]
                if part not in group:
                    group.append(part)
            else:
                lookups[id(part)] = part
    return tallies, list(lookups.values())


def evaluate(
    measures: Iterable[Measure], marac_ids: Sequence[int], period: Period, *, per_marac: bool
) -> dict[int | None, dict[Part, Any]]:
    """Every part of the measures, for each MARAC (if per_marac) and for all of them combined (key COMBINED).
    The queries of a report of several MARACs run side by side (reports.fanout), those over sets within others
    once the sets they are within are known to have rows."""
    marac_ids = tuple(marac_ids)
    keys: list[int | None] = [*marac_ids, COMBINED] if per_marac else [COMBINED]
    values: dict[int | None, dict[Part, Any]] = {key: {} for key in keys}
    grouped_parts, lookups = _grouped_parts(measures, period)
    plans = [_Plan(source, counted, group, marac_ids, per_marac) for (source, counted), group in grouped_parts.items()]
    side_by_side = side_by_side_on(Case, marac_count=len(marac_ids))
    found_empty: set[tuple[Source, Period]] = set()  # sets of rows with none for the scope
    fetched_lookups: list[dict[int, Any]] = []
    for depth in sorted({plan.source.depth for plan in plans} | {0}):
        wave = [plan for plan in plans if plan.source.depth == depth]
        for plan in wave:
            if plan.source.within is not None and (plan.source.within, plan.counted) in found_empty:
                found_empty.add((plan.source, plan.counted))  # a subset of no rows, not asked
        asked = [plan for plan in wave if (plan.source, plan.counted) not in found_empty]
        jobs: list[Callable[[], Any]] = [plan.fetch for plan in asked]
        if depth == 0:
            jobs += [partial(lookup.fetch, marac_ids, period) for lookup in lookups]
        results = run_jobs(jobs, side_by_side=side_by_side)
        for plan, counts in zip(asked, results, strict=False):
            plan.counts = counts
            if plan.grouped and not counts.by_marac:
                found_empty.add((plan.source, plan.counted))
        if depth == 0:
            fetched_lookups = results[len(asked) :]
    for plan in plans:
        plan.fill(values, keys)
    for lookup, fetched in zip(lookups, fetched_lookups, strict=True):
        for key in keys:
            wanted = marac_ids if key is COMBINED else (key,)
            values[key][lookup] = {marac_id: fetched[marac_id] for marac_id in wanted if marac_id in fetched}
    return values


@dataclass
class _Counts:
    """What one set of rows' query (or queries) gave: each MARAC's counts, and all of theirs together."""

    by_marac: dict[Any, dict[str, Any]] = field(default_factory=dict)
    split_by_marac: dict[Any, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    combined: dict[str, Any] = field(default_factory=dict)  # no rows at all: every count 0 (see _empty)
    split_combined: dict[Any, dict[str, Any]] = field(default_factory=dict)


class _Plan:
    """The query over one set of rows and period for every tally counting them."""

    def __init__(
        self, source: Source, counted: Period, group: list[Tally], marac_ids: tuple[int, ...], per_marac: bool
    ) -> None:
        self.source, self.counted, self.group, self.marac_ids = source, counted, group, marac_ids
        # One alias per aggregate: tallies counting the same thing (ROWS, say, or the same condition written
        # twice) share its column, so the database works each out once a row.
        aliases: dict[Any, str] = {}
        self.aggregates: dict[str, Aggregate] = {}
        self.names: dict[tuple[Tally, str], str] = {}
        for tally in group:
            for name, aggregate in tally.aggregates.items():
                key = _same(aggregate)
                if key not in aliases:
                    aliases[key] = f"a{len(aliases)}"
                    self.aggregates[aliases[key]] = aggregate
                self.names[(tally, name)] = aliases[key]
        self.additive = all(tally.additive for tally in group)
        self.split = _split_of(group, self.additive)
        self.grouped = per_marac or self.additive or len(marac_ids) == 1
        self.counts = _Counts()  # until fetched; left so for a set within one with no rows

    def fetch(self) -> _Counts:
        counts = _Counts()
        rows = self.source.rows(Scope(self.marac_ids, self.counted)).order_by()
        if not self.grouped:
            counts.combined = rows.aggregate(**self.aggregates)
            return counts
        # Grouped by MARAC: cheaper to build than a plain aggregate over annotated rows, which Django wraps in a
        # subquery; the MARACs' counts add up to all of theirs where the counts are of rows.
        marac, aggregates = self.source.marac, self.aggregates
        if self.split is None:
            counts.by_marac = {row[marac]: row for row in rows.values(marac).annotate(**aggregates)}
        else:
            # Counts of rows (see _split_of): each MARAC's and each key's add up over the other.
            split_rows = rows.annotate(**{SPLIT: self.split.expression()}).values(marac, SPLIT)
            for row in split_rows.annotate(**aggregates):
                counts.split_by_marac.setdefault(row[marac], {})[row[SPLIT]] = row
                _add(counts.by_marac.setdefault(row[marac], {}), row, aggregates)
                _add(counts.split_combined.setdefault(row[SPLIT], {}), row, aggregates)
        if not counts.by_marac:
            return counts  # and not asked again for the combined column
        if len(self.marac_ids) == 1:
            counts.combined = next(iter(counts.by_marac.values()))
        elif self.additive:
            for row in counts.by_marac.values():
                _add(counts.combined, row, aggregates)
        else:
            counts.combined = rows.aggregate(**aggregates)
        return counts

    def fill(self, values: dict[int | None, dict[Part, Any]], keys: list[int | None]) -> None:
        counts = self.counts
        for key in keys:
            row = counts.combined if key is COMBINED else counts.by_marac.get(key, {})
            keyed = counts.split_combined if key is COMBINED else counts.split_by_marac.get(key, {})
            for tally in self.group:
                values[key][tally] = {
                    name: (
                        {
                            split_key: split_counts[self.names[(tally, name)]]
                            for split_key, split_counts in keyed.items()
                        }
                        if tally.by is not None
                        else _empty(row, self.names[(tally, name)], tally, name)
                    )
                    for name in tally.aggregates
                }


def _split_of(group: Sequence[Tally], additive: bool) -> By | None:
    """The one second key the group's rows are counted by, if any."""
    splits = {tally.by for tally in group if tally.by is not None}
    if len(splits) > 1 or (splits and not additive):
        raise ValueError("Rows can be counted by one second key, and then only in counts of rows.")
    return next(iter(splits), None)


def _add(total: dict[str, Any], row: Mapping[str, Any], aggregates: Mapping[str, Aggregate]) -> None:
    for alias in aggregates:
        total[alias] = total.get(alias, 0) + (row[alias] or 0)


def _same(aggregate: Aggregate) -> Any:
    """Equal for aggregates that compile to the same SQL (Django compares expressions by what they were made
    of); those that cannot be compared (an unhashable value inside) are each their own."""
    try:
        hash(aggregate)
    except TypeError:
        return id(aggregate)
    return aggregate


def _empty(row: dict[str, Any], alias: str, tally: Tally, name: str) -> Any:
    """A MARAC with no rows at all has no row in a grouped query: its counts are 0, as an aggregate would say."""
    if alias in row:
        return row[alias]
    aggregate = tally.aggregates[name]
    return 0 if isinstance(aggregate, Count) else None
