"""The periods boards report on: a month, a quarter, a financial year (April to March), a calendar year, or
the rolling 12 months to a day. Plain dates in, a Period out; no database."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    FINANCIAL_YEAR = "financial_year"
    YEAR = "year"
    ROLLING_12_MONTHS = "rolling_12_months"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    PeriodKind.MONTH: "Month",
    PeriodKind.QUARTER: "Quarter",
    PeriodKind.FINANCIAL_YEAR: "Financial year (April to March)",
    PeriodKind.YEAR: "Calendar year",
    PeriodKind.ROLLING_12_MONTHS: "Rolling 12 months",
}
_MONTHS_IN = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.FINANCIAL_YEAR: 12,
    PeriodKind.YEAR: 12,
    PeriodKind.ROLLING_12_MONTHS: 12,
}


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date  # inclusive

    @property
    def months(self) -> int:
        return _MONTHS_IN[self.kind]

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%B %Y}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start:%B} to {self.end:%B %Y}"
        if self.kind == PeriodKind.FINANCIAL_YEAR:
            return f"{self.start.year}-{self.end.year % 100:02d} (April {self.start.year} to March {self.end.year})"
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return f"12 months to {self.end.day} {self.end:%B %Y}"

    def year_before(self) -> "Period":
        """The same period a year earlier, for year-on-year change."""
        return period_containing(self.kind, a_year_before(self.end))

    def previous(self) -> "Period":
        """The period just before this one (the previous quarter for a quarter), for growth quarter on quarter."""
        return period_containing(self.kind, self.start - timedelta(days=1))


def a_year_before(day: date) -> date:
    # 29 February has no counterpart a year earlier: take the 28th.
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def period_containing(kind: PeriodKind, day: date) -> Period:
    """The period of this kind that contains `day` (for rolling 12 months: the 12 months ending on `day`)."""
    if kind == PeriodKind.MONTH:
        return Period(kind, day.replace(day=1), _month_end(day.year, day.month))
    if kind == PeriodKind.QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        return Period(kind, date(day.year, first_month, 1), _month_end(day.year, first_month + 2))
    if kind == PeriodKind.FINANCIAL_YEAR:
        start_year = day.year if day.month >= 4 else day.year - 1
        return Period(kind, date(start_year, 4, 1), date(start_year + 1, 3, 31))
    if kind == PeriodKind.YEAR:
        return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
    return Period(kind, a_year_before(day) + timedelta(days=1), day)
