"""The indicators worked out for a period, one column per MARAC (and a combined column when there are
several), with each figure as text (suppressed where it must be) and its benchmarks met or not."""

from collections.abc import Sequence
from dataclasses import dataclass

from reports.across_periods import Decisions, Texts
from reports.cohorts import Scope
from reports.figures import Benchmark, Figure, Unit
from reports.indicators import GROUPS, INDICATORS, INDICATORS_BY_KEY, Group, Indicator
from reports.measures import COMBINED, evaluate
from reports.partitions import people_quantities
from reports.periods import Period
from reports.scorecard import WHAT_GOOD_LOOKS_LIKE, ScorecardItem
from reports.suppression import SUPPRESSED, count_text, is_small

NO_DATA = "no data"


@dataclass(frozen=True)
class Column:
    label: str
    scope: Scope


@dataclass(frozen=True)
class BenchmarkResult:
    benchmark: Benchmark
    met: bool | None  # None: no figure to judge, or the figure is suppressed
    # Judged on a withheld figure, "met" or "not met" would say where it lies (a "<6 of <6" judged against "at
    # least 100%" says the two are equal), so it is withheld too.
    suppressed: bool = False

    @property
    def text(self) -> str:
        if self.suppressed:
            return SUPPRESSED
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
    length: int  # pixels (reports.views.bar_chart places each bar and wraps its label)


@dataclass(frozen=True)
class GroupRows:
    group: Group
    rows: tuple[Row, ...]

    BAR_MAX = 300

    @property
    def bars(self) -> tuple[Bar, ...]:
        """The group's percentages for the last column (the only MARAC, or all combined), for the chart."""
        shown = [
            (row.indicator.name, percent)
            for row in self.rows
            if row.indicator.unit == Unit.PERCENT and (percent := row.cells[-1].bar_percent) is not None
        ]
        return tuple(Bar(name, percent, round(percent * self.BAR_MAX / 100)) for name, percent in shown)


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


Withheld = tuple[str | None, str | None]  # how a numerator and a denominator read where withheld, else None


def cell_for(
    indicator: Indicator, figure: Figure, *, suppress: bool, threshold: int, withheld: Withheld | None = None
) -> Cell:
    """The figure as shown. With suppression on, a count of cases or people from 1 to the threshold is shown
    as "<6", and any rate built on one is withheld, since the rate and its other term would give it away. A
    denominator that counts no one (a population, the IDVAs in post) is never suppressed, and never hides the
    figure on its own. withheld: how build_report found each term must read, counts that could be worked out by
    subtraction included ("suppressed"); without it, each term is judged on its own."""
    if not (suppress and indicator.counts_people):
        withheld = (None, None)
    elif withheld is None:
        withheld = _small_terms(indicator, figure, threshold)
    numerator_withheld, denominator_withheld = withheld
    hide = numerator_withheld is not None or denominator_withheld is not None
    results = tuple(
        [  # a list, not a generator: built for every cell of a national report
            BenchmarkResult(benchmark, None, suppressed=True)
            if hide and figure.value is not None
            else BenchmarkResult(benchmark, None if figure.value is None else benchmark.is_met(figure.value))
            for benchmark in indicator.benchmarks
        ]
    )
    numerator = numerator_withheld or f"{figure.numerator:,}"
    denominator = "" if figure.denominator is None else denominator_withheld or f"{figure.denominator:,}"
    if figure.value is None:
        value = NO_DATA
    elif hide:
        value = numerator if indicator.unit == Unit.COUNT else SUPPRESSED
    else:
        value = _number(figure.value, indicator.unit)
    return Cell(figure, hide, value, numerator, denominator, results)


NOTHING_YET = "no quarter of this period is over yet"


def _nothing_yet(indicator: Indicator) -> Cell:
    """A cell of a period with no figures yet for those who see small numbers suppressed: "no data", never a 0 (a
    0 judged against a benchmark would read "met")."""
    figure = Figure(0, None, None, NOTHING_YET)
    return Cell(
        figure, False, NO_DATA, "", "", tuple(BenchmarkResult(benchmark, None) for benchmark in indicator.benchmarks)
    )


def _small_terms(indicator: Indicator, figure: Figure, threshold: int) -> Withheld:
    numerator = count_text(figure.numerator, threshold) if is_small(figure.numerator, threshold) else None
    small_denominator = indicator.denominator_counts_people and is_small(figure.denominator, threshold)
    return numerator, count_text(figure.denominator or 0, threshold) if small_denominator else None


def _terms(indicator: Indicator, column: int, texts: Texts) -> Withheld:
    """How the cell's numerator and denominator read, from how every count of the report reads
    (reports.across_periods)."""
    withheld = [texts.get((column, name)) for name in people_quantities(indicator)]
    numerator, denominator = [*withheld, None, None][:2]
    return numerator, denominator


def _scorecard_status(item: ScorecardItem, cells: dict[str, tuple[Cell, ...]], column: int) -> str:
    if not item.checks:
        return item.why_not_decided
    results = [
        result
        for key, name in item.checks
        for result in cells[key][column].results
        if result.benchmark.name == name  # the check names one benchmark of the indicator
    ]
    if any(result.suppressed for result in results):
        return SUPPRESSED
    if any(result.met is None for result in results):
        return NO_DATA
    return "met" if all(result.met for result in results) else "not met"


def _columns(maracs: Sequence[tuple[int, str]], period: Period) -> list[Column]:
    columns = [Column(name, Scope((marac_id,), period)) for marac_id, name in maracs]
    if len(columns) > 1:
        columns.append(Column("Combined", Scope(tuple(marac_id for marac_id, _ in maracs), period)))
    return columns


def _figures(
    indicators: Sequence[Indicator], maracs: Sequence[tuple[int, str]], period: Period
) -> dict[str, tuple[Figure, ...]]:
    """Every indicator for every column at once: a query per set of rows counted, grouped by MARAC."""
    columns = _columns(maracs, period)
    marac_ids = [marac_id for marac_id, _ in maracs]
    values = evaluate((indicator.compute for indicator in indicators), marac_ids, period, per_marac=len(columns) > 1)
    keys_of_columns: list[int | None] = [*marac_ids, COMBINED] if len(columns) > 1 else [COMBINED]
    return {
        indicator.key: tuple(
            [
                indicator.compute.finish(column.scope, values[key])
                for column, key in zip(columns, keys_of_columns, strict=True)
            ]
        )
        for indicator in indicators
    }


def build_report(
    *, maracs: Sequence[tuple[int, str]], period: Period, suppress: bool, threshold: int, keys: Sequence[str] = ()
) -> Report:
    """maracs: (id, name) pairs in the order to show them; several also get a combined column. With suppress, the
    period is one reports.periods.suppressed_period gave, and every count is judged with all the others, shown or
    not (keys picks the indicators shown): judged on a few, a count that the rest would protect could be worked out
    from the full report."""
    columns = _columns(maracs, period)
    wanted = [INDICATORS_BY_KEY[key] for key in keys] if keys else list(INDICATORS)
    if suppress:
        decisions = Decisions(INDICATORS, lambda indicators, counted: _figures(indicators, maracs, counted), threshold)
        figures = decisions.figures(period)
        texts = decisions.shown(period)
    else:  # exact reports show every count: nothing to work out
        figures = _figures(wanted, maracs, period)
        texts = {}
    nothing_yet = suppress and period.counts_nothing_yet
    cells_by_key = {
        indicator.key: tuple(
            [
                _nothing_yet(indicator)
                if nothing_yet
                else cell_for(
                    indicator,
                    figure,
                    suppress=suppress,
                    threshold=threshold,
                    withheld=_terms(indicator, column, texts) if suppress else None,
                )
                for column, figure in enumerate(figures[indicator.key])
            ]
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
