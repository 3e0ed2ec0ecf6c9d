"""What an indicator's computation returns, and the benchmarks it is judged against. Plain values, no ORM."""

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    PER_10K = "per_10k"  # a year's cases per 10,000 adult women
    RATIO = "ratio"
    CHANGE = "change"  # percentage change on an earlier period


@dataclass(frozen=True)
class Figure:
    numerator: int
    # A count for percentages, ratios and changes; the adult female population for rates per 10,000.
    denominator: int | None
    value: float | None  # None when there is nothing to divide by: "no data"

    @classmethod
    def count(cls, count: int) -> "Figure":
        return cls(count, None, float(count))

    @classmethod
    def percent(cls, part: int, whole: int) -> "Figure":
        return cls(part, whole, 100 * part / whole if whole else None)

    @classmethod
    def ratio(cls, part: int, whole: int) -> "Figure":
        return cls(part, whole, part / whole if whole else None)

    @classmethod
    def change(cls, now: int, before: int) -> "Figure":
        return cls(now, before, 100 * (now - before) / before if before else None)

    @classmethod
    def per_10k_a_year(cls, cases: int, population: int, months: int) -> "Figure":
        # SafeLives' 40 per 10,000 is a year's cases: a quarter's are scaled up by 12/3 to compare.
        rate = cases / population * 10_000 * 12 / months if population else None
        return cls(cases, population, rate)


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
