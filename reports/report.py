"""The indicators worked out for a period, one column per MARAC (and a combined column when there are
several), with each figure as text (suppressed where it must be) and its benchmarks met or not."""

from collections.abc import Sequence
from dataclasses import dataclass

from reports.cohorts import Scope
from reports.figures import Benchmark, Figure, Unit
from reports.indicators import GROUPS, INDICATORS, INDICATORS_BY_KEY, Group, Indicator
from reports.measures import COMBINED, evaluate
from reports.partitions import DENOMINATOR, WITHIN_A_COLUMN, people_quantities, quantity
from reports.periods import Period
from reports.scorecard import WHAT_GOOD_LOOKS_LIKE, ScorecardItem
from reports.suppression import SUPPRESSED, AdditiveGroup, count_text, is_small, withhold

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


def _small_terms(indicator: Indicator, figure: Figure, threshold: int) -> Withheld:
    numerator = count_text(figure.numerator, threshold) if is_small(figure.numerator, threshold) else None
    small_denominator = indicator.denominator_counts_people and is_small(figure.denominator, threshold)
    return numerator, count_text(figure.denominator or 0, threshold) if small_denominator else None


Count = tuple[int, str]  # a column's index and a quantity (reports.partitions)


def _withheld_terms(
    indicators: Sequence[Indicator], figures: dict[str, tuple[Figure, ...]], threshold: int
) -> dict[str, tuple[Withheld, ...]]:
    """How each cell's terms read once every count of the report is judged with the others: the small ones
    withheld, and those that would give a small one away by subtraction (reports.suppression.withhold)."""
    names = {indicator.key: people_quantities(indicator) for indicator in indicators}
    counts: dict[Count, int] = {}
    for indicator in indicators:
        for column, figure in enumerate(figures[indicator.key]):
            for name, count in zip(names[indicator.key], (figure.numerator, figure.denominator), strict=False):
                if count is not None:
                    counts[(column, name)] = count
    columns = len(next(iter(figures.values()), ()))
    also = _transfers_given_away(figures, threshold)
    texts = withhold(counts, _groups(counts, columns), threshold, also=also).texts(threshold)

    def terms(key: str, column: int) -> Withheld:
        withheld = [texts.get((column, name)) for name in names[key]]
        numerator, denominator = [*withheld, None, None][:2]
        return numerator, denominator

    return {
        indicator.key: tuple([terms(indicator.key, column) for column in range(columns)]) for indicator in indicators
    }


_TRANSFERS_WITHIN = quantity("to_other_maracs", DENOMINATOR)


def _transfers_given_away(figures: dict[str, tuple[Figure, ...]], threshold: int) -> list[Count]:
    """to_other_maracs' denominator is the cases referred plus the referrals transferred before becoming cases; the
    report shows the cases referred, so where the transfers are from 1 to the threshold the denominator would give
    them away by subtraction (and with them the cases sent on after a hearing, the numerator less the transfers):
    it is withheld. The transfers are no count of their own, so no group can declare them (reports/partitions.py).
    figures holds "referrals" whenever "to_other_maracs" is wanted (build_report counts it, shown or not)."""
    if "to_other_maracs" not in figures:
        return []
    pairs = zip(figures["to_other_maracs"], figures["referrals"], strict=True)
    return [
        (column, _TRANSFERS_WITHIN)
        for column, (to_others, referrals) in enumerate(pairs)
        if to_others.denominator is not None and is_small(to_others.denominator - referrals.numerator, threshold)
    ]


def _groups(counts: dict[Count, int], columns: int) -> list[AdditiveGroup[Count]]:
    """Each column's partitions, and, with several MARACs, each combined count as the sum of the MARACs'."""
    groups = [
        AdditiveGroup((column, partition.total), tuple((column, part) for part in partition.parts))
        for column in range(columns)
        for partition in WITHIN_A_COLUMN
    ]
    if columns > 1:
        combined = columns - 1
        names = [name for column, name in counts if column == combined]
        groups += [
            AdditiveGroup((combined, name), tuple((column, name) for column in range(combined))) for name in names
        ]
    return groups


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


def _needs_referrals(wanted: Sequence[Indicator]) -> bool:
    keys = {indicator.key for indicator in wanted}
    return "to_other_maracs" in keys and "referrals" not in keys


def build_report(
    *, maracs: Sequence[tuple[int, str]], period: Period, suppress: bool, threshold: int, keys: Sequence[str] = ()
) -> Report:
    """maracs: (id, name) pairs in the order to show them; several also get a combined column."""
    columns = [Column(name, Scope((marac_id,), period)) for marac_id, name in maracs]
    if len(columns) > 1:
        columns.append(Column("Combined", Scope(tuple(marac_id for marac_id, _ in maracs), period)))
    wanted = [INDICATORS_BY_KEY[key] for key in keys] if keys else list(INDICATORS)
    # The cases referred, shown or not, wherever the transfers within to_other_maracs must be judged.
    counted = [*wanted, INDICATORS_BY_KEY["referrals"]] if suppress and _needs_referrals(wanted) else wanted
    # Every indicator for every column at once: a query per set of rows counted, grouped by MARAC.
    marac_ids = [marac_id for marac_id, _ in maracs]
    values = evaluate((indicator.compute for indicator in counted), marac_ids, period, per_marac=len(columns) > 1)
    keys_of_columns: list[int | None] = [*marac_ids, COMBINED] if len(columns) > 1 else [COMBINED]
    figures = {
        indicator.key: tuple(
            [
                indicator.compute.finish(column.scope, values[key])
                for column, key in zip(columns, keys_of_columns, strict=True)
            ]
        )
        for indicator in counted
    }
    # Exact reports (suppress=False) show every count: nothing to work out.
    withheld = _withheld_terms(wanted, figures, threshold) if suppress else {}
    cells_by_key = {
        indicator.key: tuple(
            [
                cell_for(
                    indicator,
                    figure,
                    suppress=suppress,
                    threshold=threshold,
                    withheld=withheld[indicator.key][column] if suppress else None,
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
