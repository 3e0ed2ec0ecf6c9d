"""Small numbers suppressed the same way in every report that shows a count, whatever period it is for.

Each report protects its own counts (reports.suppression.withhold), but reports of periods that hold one another can
be set side by side: a quarter's 14 disabled victims less July's 7 and September's 6 gives away August's "<6" as 1.
So:

- A quarter is decided on its own, as one report; so is a year (financial or calendar) and a rolling 12 months
  (which, suppressed, ends on a quarter's last day: reports.periods.suppressed_period).
- A month is decided with its quarter's counts fixed as the quarter shows them (withhold's `fixed`): a month's count
  is withheld where the quarter's reading and the other months' would give it away, and one more month's where
  needed, never the quarter's. A month is shown only once its quarter is over (whole_quarters_up_to), so its reading
  never changes as its quarter goes on; a period not over is counted to its last whole quarter, so no two reports
  differ by a month's cases.
- A change on an earlier period shows that period's count (reports.partitions.EARLIER_COUNTS): it reads as that
  period's own report reads it. Only the counts sharing a sum with it are worked out for the earlier period
  (EARLIER_INDICATORS): the readings of those are the same as in the whole report, as withhold decides each set of
  counts linked by sums on its own.

Not covered (docs/indicators.md): a year against its four quarters (deciding a year from its quarters costs their
counts too, ten times a national report's), reports of different sets of MARACs side by side, and a reader who uses
each withheld count being at least 1 across a quarter's months (test_the_known_limit_... in the tests)."""

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from reports.figures import Figure
from reports.indicators import Indicator
from reports.partitions import DENOMINATOR, EARLIER_COUNTS, WITHIN_A_COLUMN, YEAR_BEFORE, people_quantities, quantity
from reports.periods import Period, PeriodKind, period_containing
from reports.suppression import AdditiveGroup, is_small, withhold

Count = tuple[int, str]  # a column's index and a quantity (reports.partitions)
Texts = dict[Count, str]  # how each withheld count reads ("<6" or "suppressed"); a count not in it is shown
Figures = Mapping[str, tuple[Figure, ...]]  # each indicator's figure in each column


def people_counts(indicators: Sequence[Indicator], figures: Figures) -> dict[Count, int]:
    """Every count of people or cases the report shows, by column and quantity."""
    counts: dict[Count, int] = {}
    for indicator in indicators:
        names = people_quantities(indicator)
        for column, figure in enumerate(figures[indicator.key]):
            for name, count in zip(names, (figure.numerator, figure.denominator), strict=False):
                if count is not None:
                    counts[(column, name)] = count
    return counts


def groups_within(counts: Mapping[Count, int], columns: int) -> list[AdditiveGroup[Count]]:
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


_TRANSFERS_WITHIN = quantity("to_other_maracs", DENOMINATOR)


def transfers_given_away(figures: Figures, threshold: int) -> list[Count]:
    """to_other_maracs' denominator is the cases referred plus the referrals transferred before becoming cases; the
    report shows the cases referred, so where the transfers are from 1 to the threshold the denominator would give
    them away by subtraction (and with them the cases sent on after a hearing, the numerator less the transfers):
    it is withheld. The transfers are no count of their own, so no group can declare them (reports/partitions.py)."""
    if "to_other_maracs" not in figures:
        return []
    pairs = zip(figures["to_other_maracs"], figures["referrals"], strict=True)
    return [
        (column, _TRANSFERS_WITHIN)
        for column, (to_others, referrals) in enumerate(pairs)
        if to_others.denominator is not None and is_small(to_others.denominator - referrals.numerator, threshold)
    ]


def months_in(quarter: Period) -> list[Period]:
    months = [period_containing(PeriodKind.MONTH, quarter.start)]
    while months[-1].end < quarter.end:
        months.append(period_containing(PeriodKind.MONTH, months[-1].end + timedelta(days=1)))
    return months


def _as_decided(period: Period) -> Period:
    """A period as decisions are kept: by its kind and days counted (a rolling 12 months and a financial year over
    the same days are different reports, but each quarter is one)."""
    return replace(period, whole_quarters_only=False)


class Decisions:
    """How each count reads in each period's report, with small numbers suppressed: worked out once a period, as
    one request may need a period several times (a month's quarter, a change's earlier period).

    figures_of: the figures of the indicators given, for the report's columns over a period (reports.report
    evaluates them). earlier: the Decisions this one works out earlier periods for (None: make one)."""

    def __init__(
        self,
        indicators: Sequence[Indicator],
        figures_of: Callable[[Sequence[Indicator], Period], Figures],
        threshold: int,
        *,
        earlier: "Decisions | None" = None,
    ) -> None:
        self.indicators, self.figures_of, self.threshold = indicators, figures_of, threshold
        self._figures: dict[Period, Figures] = {}
        self._counts: dict[Period, dict[Count, int]] = {}
        self._texts: dict[Period, Texts] = {}
        # Earlier periods' counts, for the changes: those linked by sums to EARLIER_COUNTS' alone.
        self.earlier = earlier or Decisions(earlier_indicators(indicators), figures_of, threshold, earlier=self)

    def figures(self, period: Period) -> Figures:
        key = _as_decided(period)
        if key not in self._figures:
            self._figures[key] = self.figures_of(self.indicators, period)
        return self._figures[key]

    def shown(self, period: Period) -> Texts:
        """How each count of the period's report reads, the earlier periods' counts of its changes included."""
        texts = dict(self._decided(period))
        if not period.is_over:
            return texts
        for column, name in self._counts_of(period):
            if name not in EARLIER_COUNTS:
                continue
            which, earlier_name = EARLIER_COUNTS[name]
            earlier = period.year_before() if which == YEAR_BEFORE else period.previous()
            reading = self.earlier._decided(earlier).get((column, earlier_name))
            if reading is None:
                texts.pop((column, name), None)
            else:
                texts[(column, name)] = reading
        return texts

    def _counts_of(self, period: Period) -> dict[Count, int]:
        key = _as_decided(period)
        if key not in self._counts:
            self._counts[key] = people_counts(self.indicators, self.figures(period))
        return self._counts[key]

    def _decided(self, period: Period) -> Texts:
        key = _as_decided(period)
        if key not in self._texts:
            self._texts[key] = self._decide(period)
        return self._texts[key]

    def _decide(self, period: Period) -> Texts:
        if period.kind == PeriodKind.MONTH and not period.counts_nothing_yet:
            return self._month(period)
        return self._alone(period)

    def _alone(self, period: Period) -> Texts:
        counts = self._counts_of(period)
        figures = self.figures(period)
        columns = len(next(iter(figures.values()), ()))
        also = transfers_given_away(figures, self.threshold)
        return withhold(counts, groups_within(counts, columns), self.threshold, also=also).texts(self.threshold)

    def _month(self, month: Period) -> Texts:
        """The month with its quarter's readings fixed. The quarter is over: a month not yet shown counts nothing
        (reports.periods.whole_quarters_up_to) and is decided on its own."""
        quarter = period_containing(PeriodKind.QUARTER, month.start)
        months = months_in(quarter)
        figures = [self.figures(each) for each in months]
        columns = len(next(iter(figures[0].values()), ()))
        decided = parts_decided(
            self._counts_of(quarter),
            self._decided(quarter),
            [self._counts_of(each) for each in months],
            lambda counts: groups_within(counts, columns),
            self.threshold,
            also=[transfers_given_away(each, self.threshold) for each in figures],
        )
        return next(texts for each, texts in zip(months, decided, strict=True) if each.start == month.start)


def parts_decided[Key: Hashable](
    total: Mapping[Key, int],
    total_texts: Mapping[Key, str],
    parts: Sequence[Mapping[Key, int]],
    groups_of: Callable[[Mapping[Key, int]], list[AdditiveGroup[Key]]],
    threshold: int,
    *,
    also: Sequence[Sequence[Key]] = (),
) -> list[dict[Key, str]]:
    """How each part's counts read (a quarter's months), the total's (the quarter's) fixed as total_texts says it
    reads on its own: the total is node 0 and each part the node after it, each with its own groups (groups_of), and
    each count of the total is declared the sum of the parts' (for a count of distinct people the total can be
    less: declaring it the sum only withholds more)."""
    nodes = [total, *parts]
    counts: dict[tuple[int, Key], int] = {}
    groups: list[AdditiveGroup[tuple[int, Key]]] = []
    for node, node_counts in enumerate(nodes):
        counts.update({(node, key): value for key, value in node_counts.items()})
        groups += [
            AdditiveGroup((node, group.total), tuple((node, part) for part in group.parts))
            for group in groups_of(node_counts)
        ]
    groups += [AdditiveGroup((0, key), tuple((node, key) for node in range(1, len(nodes)))) for key in total]
    withheld_also = [(node, key) for node, keys in enumerate(also, start=1) for key in keys]
    fixed = {(0, key): total_texts.get(key) for key in total}
    decided = withhold(counts, groups, threshold, also=withheld_also, fixed=fixed).texts(threshold)
    readings: list[dict[Key, str]] = [{} for _ in parts]
    for (node, key), text in decided.items():
        if node:
            readings[node - 1][key] = text
    return readings


def earlier_indicators(indicators: Sequence[Indicator]) -> list[Indicator]:
    """Indicators giving every count linked, by the sums of WITHIN_A_COLUMN, to the earlier counts the changes show
    (EARLIER_COUNTS): enough to decide how those read, as withhold decides each linked set on its own."""
    linked = {name for _, name in EARLIER_COUNTS.values()}
    while True:
        more = {
            member
            for partition in WITHIN_A_COLUMN
            if linked.intersection((partition.total, *partition.parts))
            for member in (partition.total, *partition.parts)
        }
        if more <= linked:
            break
        linked |= more
    # One indicator for each count, those showing nothing else first: referrals for the cases referred rather than
    # each share of them, which would count its own numerator as well.
    chosen: list[Indicator] = []
    provided: set[str] = set()
    for only_linked in (True, False):
        for indicator in indicators:
            names = set(people_quantities(indicator))
            if (names <= linked or not only_linked) and (names & linked) - provided:
                chosen.append(indicator)
                provided |= names
    return chosen
