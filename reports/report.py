"""The indicators worked out for a period, one column per MARAC (and a combined column when there are
several), with each figure as text (suppressed where it must be) and its benchmarks met or not."""

from collections.abc import Sequence
from dataclasses import dataclass

from reports.cohorts import Scope
from reports.figures import Benchmark, Figure, Unit
from reports.indicators import GROUPS, INDICATORS, INDICATORS_BY_KEY, Group, Indicator
from reports.measures import COMBINED, evaluate
from reports.periods import Period
from reports.scorecard import WHAT_GOOD_LOOKS_LIKE, ScorecardItem
from reports.suppression import count_text, is_small

SUPPRESSED = "suppressed"
NO_DATA = "no data"


@dataclass(frozen=True)
class Column:
    label: str
    scope: Scope


@dataclass(frozen=True)
class BenchmarkResult:
    benchmark: Benchmark
    met: bool | None  # None: no figure to judge

    @property
    def text(self) -> str:
        if self.met is None:
            return NO_DATA
        return "met" if self.met else "not met"


@dataclass(frozen=True)
class Cell:
    figure: Figure
    suppressed: bool
    value_text: str  # the headline: "31.0%", "47.0", "564", "<6", "suppressed", "no data"
    numerator_text: str
    denominator_text: str
    results: tuple[BenchmarkResult, ...]

    @property
    def bar_percent(self) -> float | None:
        """How long a bar to draw for a percentage (0-100), or None."""
        if self.suppressed or self.figure.value is None:
            return None
        return max(0.0, min(100.0, self.figure.value))


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float
    y: int  # pixels from the top of the chart
    length: int  # pixels


@dataclass(frozen=True)
class GroupRows:
    group: Group
    rows: tuple[Row, ...]

    BAR_SPACING = 22
    BAR_MAX = 300

    @property
    def bars(self) -> tuple[Bar, ...]:
        """The group's percentages for the last column (the only MARAC, or all combined), for the chart."""
        shown = [
            (row.indicator.name, percent)
            for row in self.rows
            if row.indicator.unit == Unit.PERCENT and (percent := row.cells[-1].bar_percent) is not None
        ]
        return tuple(
            Bar(name, percent, index * self.BAR_SPACING, round(percent * self.BAR_MAX / 100))
            for index, (name, percent) in enumerate(shown)
        )

    @property
    def chart_height(self) -> int:
        return len(self.bars) * self.BAR_SPACING


@dataclass(frozen=True)
class ScorecardRow:
    item: ScorecardItem
    statuses: tuple[str, ...]  # one per column: met, not met, no data, or why it is not decided


@dataclass(frozen=True)
class Report:
    period: Period
    columns: tuple[Column, ...]
    groups: tuple[GroupRows, ...]
    scorecard: tuple[ScorecardRow, ...]
    suppressed: bool
    threshold: int

    @property
    def scope_label(self) -> str:
        if len(self.columns) == 1:
            return self.columns[0].label
        names = [column.label for column in self.columns[:-1]]
        return f"{', '.join(names[:-1])} and {names[-1]}: each MARAC, then all of them combined"


def _number(value: float, unit: Unit) -> str:
    if unit == Unit.COUNT:
        return f"{value:,.0f}"
    if unit == Unit.PERCENT:
        return f"{value:.1f}%"
    if unit == Unit.CHANGE:
        return f"{value:+.1f}%"
    return f"{value:,.1f}"


def cell_for(indicator: Indicator, figure: Figure, *, suppress: bool, threshold: int) -> Cell:
    """The figure as shown. With suppression on, a count of cases or people from 1 to the threshold is shown
    as "<6", and any rate built on one is withheld, since the rate and its other term would give it away. A
    denominator that counts no one (a population, the IDVAs in post) is never suppressed, and never hides the
    figure on its own."""
    small_denominator = indicator.denominator_counts_people and is_small(figure.denominator, threshold)
    hide = suppress and indicator.counts_people and (is_small(figure.numerator, threshold) or small_denominator)
    results = tuple(
        [  # a list, not a generator: built for every cell of a national report
            BenchmarkResult(benchmark, None if figure.value is None else benchmark.is_met(figure.value))
            for benchmark in indicator.benchmarks
        ]
    )
    numerator = count_text(figure.numerator, threshold) if hide else f"{figure.numerator:,}"
    denominator = "" if figure.denominator is None else f"{figure.denominator:,}"
    if hide and indicator.denominator_counts_people:
        denominator = count_text(figure.denominator or 0, threshold)
    if figure.value is None:
        value = NO_DATA
    elif hide:
        value = numerator if indicator.unit == Unit.COUNT else SUPPRESSED
    else:
        value = _number(figure.value, indicator.unit)
    return Cell(figure, hide, value, numerator, denominator, results)


def _scorecard_status(item: ScorecardItem, cells: dict[str, tuple[Cell, ...]], column: int) -> str:
    if not item.checks:
        return item.why_not_decided
    results = [
        result
        for key, name in item.checks
        for result in cells[key][column].results
        if result.benchmark.name == name  # the check names one benchmark of the indicator
    ]
    if any(result.met is None for result in results):
        return NO_DATA
    return "met" if all(result.met for result in results) else "not met"


def build_report(
    *, maracs: Sequence[tuple[int, str]], period: Period, suppress: bool, threshold: int, keys: Sequence[str] = ()
) -> Report:
    """maracs: (id, name) pairs in the order to show them; several also get a combined column."""
    columns = [Column(name, Scope((marac_id,), period)) for marac_id, name in maracs]
    if len(columns) > 1:
        columns.append(Column("Combined", Scope(tuple(marac_id for marac_id, _ in maracs), period)))
    wanted = [INDICATORS_BY_KEY[key] for key in keys] if keys else list(INDICATORS)
    # Every indicator for every column at once: a query per set of rows counted, grouped by MARAC.
    marac_ids = [marac_id for marac_id, _ in maracs]
    values = evaluate((indicator.compute for indicator in wanted), marac_ids, period, per_marac=len(columns) > 1)
    keys_of_columns: list[int | None] = [*marac_ids, COMBINED] if len(columns) > 1 else [COMBINED]
    cells_by_key = {
        indicator.key: tuple(
            cell_for(
                indicator,
                indicator.compute.finish(column.scope, values[key]),
                suppress=suppress,
                threshold=threshold,
            )
            for column, key in zip(columns, keys_of_columns, strict=True)
        )
        for indicator in wanted
    }
    groups = tuple(
        GroupRows(group, rows)
        for group in GROUPS
        if (
            rows := tuple(
                Row(indicator, cells_by_key[indicator.key]) for indicator in wanted if indicator.group == group.key
            )
        )
    )
    scorecard: tuple[ScorecardRow, ...] = ()
    if not keys:
        scorecard = tuple(
            ScorecardRow(
                item,
                tuple(_scorecard_status(item, cells_by_key, index) for index in range(len(columns))),
            )
            for item in WHAT_GOOD_LOOKS_LIKE
        )
    return Report(period, tuple(columns), groups, scorecard, suppress, threshold)
