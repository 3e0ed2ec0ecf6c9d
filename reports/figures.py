"""What an indicator's computation returns, and the benchmarks it is judged against. Plain values, no ORM."""

import re
from dataclasses import dataclass
from enum import StrEnum

_SEED_NUMBER = re.compile(r"^\d{3} ")
# The short names some sources are written with (reports/scorecard.py), spelled out.
_SHORT_NAMES = {
    "LSCB": "SafeLives LSCB template",
    "WM": "West Midlands MARAC Performance and Quality Assurance Framework",
    "BD": "Barking and Dagenham MARAC toolkit",
}


def source_name(source: str) -> str:
    """A source as people read it: "SafeLives LSCB template, ..." rather than the seed file's number in front
    ("000 SafeLives LSCB template, ..." or "000 LSCB, ..."), which only the code and docs/indicators.md need."""
    name = _SEED_NUMBER.sub("", source, count=1)
    document, comma, rest = name.partition(",")
    return _SHORT_NAMES.get(document, document) + comma + rest


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    PER_10K = "per_10k"  # a year's cases per 10,000 adult women
    RATIO = "ratio"
    CHANGE = "change"  # percentage change on an earlier period


# Why a figure has no value, as the dashboard and the downloads say it after "no data".
NOTHING_TO_DIVIDE = "none in this period to work it out from"
NOTHING_BEFORE = "none in the period compared, so there is no change to work out"
NO_POPULATION = "no adult female population figure is held"
NOT_BEGUN = "the period has not begun, so there is nothing yet to work out a year's rate from"


@dataclass(frozen=True)
class Figure:
    numerator: int
    # A count for percentages, ratios and changes; the adult female population for rates per 10,000.
    denominator: int | None
    value: float | None  # None when there is nothing to divide by: "no data"
    why_no_value: str = ""  # when value is None: why, in words a board member can read

    @classmethod
    def count(cls, count: int) -> "Figure":
        return cls(count, None, float(count))

    @classmethod
    def percent(cls, part: int, whole: int) -> "Figure":
        if not whole:
            return cls(part, whole, None, NOTHING_TO_DIVIDE)
        return cls(part, whole, 100 * part / whole)

    @classmethod
    def ratio(cls, part: int, whole: int) -> "Figure":
        if not whole:
            return cls(part, whole, None, NOTHING_TO_DIVIDE)
        return cls(part, whole, part / whole)

    @classmethod
    def change(cls, now: int, before: int) -> "Figure":
        if not before:
            return cls(now, before, None, NOTHING_BEFORE)
        return cls(now, before, 100 * (now - before) / before)

    @classmethod
    def per_10k_a_year(cls, cases: int, population: int, months: int, *, share_counted: float = 1.0) -> "Figure":
        """SafeLives' 40 per 10,000 is a year's cases: a quarter's are scaled up by 12/3 to compare. A period not
        over yet (share_counted: the part of its days gone) is scaled by the days gone, not the whole period's."""
        if not population:
            return cls(cases, population, None, NO_POPULATION)
        if share_counted <= 0:
            return cls(cases, population, None, NOT_BEGUN)
        return cls(cases, population, cases / population * 10_000 * 12 / months / share_counted)


class Direction(StrEnum):
    AT_LEAST = "at least"
    AT_MOST = "at most"
    AROUND = "around"
    ABOVE = "above"


@dataclass(frozen=True)
class Benchmark:
    name: str
    value: float
    direction: Direction
    source: str
    tolerance: float = 0.0  # for "around": how far either side still counts as met
    # True where the seeds say "consistently" or "routinely" without a figure, and the figure is our reading.
    local_reading: bool = False

    @property
    def source_name(self) -> str:
        return source_name(self.source)

    def is_met(self, value: float) -> bool:
        if self.direction == Direction.AT_LEAST:
            return value >= self.value
        if self.direction == Direction.AT_MOST:
            return value <= self.value
        if self.direction == Direction.ABOVE:
            return value > self.value
        return abs(value - self.value) <= self.tolerance

    def wording_in(self, unit: Unit | None) -> str:
        """For example "at least 40 per 10,000" or "around 40% (within 5 points either side)"."""
        suffix = {Unit.PERCENT: "%", Unit.CHANGE: "%", Unit.PER_10K: " per 10,000"}.get(unit, "") if unit else ""
        words = f"{self.direction} {self.value:g}{suffix}"
        if self.direction == Direction.AROUND and self.tolerance:
            words += f" (within {self.tolerance:g} points either side)"
        return words + (" (our reading)" if self.local_reading else "")
