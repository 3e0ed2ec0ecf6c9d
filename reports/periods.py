"""The periods boards report on: a month, a quarter, a financial year (April to March), a calendar year, or
the rolling 12 months to a day. Plain dates in, a Period out; no database."""

from dataclasses import dataclass, replace
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
    # A period not over yet is counted up to and including this day (today); None once it has ended.
    counted_to: date | None = None
    # With small numbers suppressed, a period not over is counted only to the end of its last whole quarter
    # (suppressed_period): counted_to is that day, or the day before the start where no quarter of it is over (and,
    # for a month, until its quarter is over).
    whole_quarters_only: bool = False

    @property
    def months(self) -> int:
        return _MONTHS_IN[self.kind]

    @property
    def is_over(self) -> bool:
        return self.counted_to is None

    @property
    def last_day(self) -> date:
        """The last day counted: the period's end, or today for a period not over yet."""
        return self.end if self.counted_to is None else self.counted_to

    @property
    def share_counted(self) -> float:
        """The part of the period's days counted so far: 1 once it has ended, 0 before it begins."""
        days = (self.end - self.start).days + 1
        counted = (self.last_day - self.start).days + 1
        return max(0, min(counted, days)) / days

    def up_to(self, today: date) -> "Period":
        """The period as it can be counted today: up to and including today if it has not ended yet."""
        return replace(self, counted_to=today) if self.end > today else replace(self, counted_to=None)

    @property
    def counts_nothing_yet(self) -> bool:
        return self.last_day < self.start

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


def period_containing(kind: PeriodKind, day: date, *, today: date | None = None) -> Period:
    """The period of this kind that contains `day` (for rolling 12 months: the 12 months ending on `day`). Given
    today, a period that has not ended yet is counted up to and including today (Period.counted_to)."""
    period = _calendar_period(kind, day)
    return period.up_to(today) if today is not None else period


def _calendar_period(kind: PeriodKind, day: date) -> Period:
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


def last_whole_quarter_end(day: date, *, today: date) -> date:
    """The end of the latest quarter (January to March, April to June...) that is over by `day` and before today:
    where a rolling 12 months may end for someone who sees small numbers suppressed."""
    quarter = _calendar_period(PeriodKind.QUARTER, day)
    if day < today and day == quarter.end:
        return day
    return quarter.start - timedelta(days=1)


def suppressed_period(kind: PeriodKind, day: date, *, today: date) -> tuple[Period, date | None]:
    """The period for figures with small numbers suppressed, and the day asked for if it had to move. Figures are
    decided a quarter at a time (reports.across_periods), so they change only when a quarter ends: figures that
    changed day by day, or month by month, would give away a day's or a month's cases to whoever compared two of
    them. A rolling 12 months ends on the last day of a quarter, the latest over before today; a quarter or a year
    not over yet is counted only to the end of its last whole quarter, and a month is shown once its quarter is over."""
    if kind != PeriodKind.ROLLING_12_MONTHS:
        return whole_quarters_up_to(_calendar_period(kind, day), today=today), None
    end = last_whole_quarter_end(day, today=today)
    return period_containing(kind, end, today=today), (day if end != day else None)


def whole_quarters_up_to(period: Period, *, today: date) -> Period:
    """The period as it can be counted with small numbers suppressed: whole if it (for a month, its quarter) ended
    before today; else up to the end of the last quarter over before today, which for a month or a quarter is
    nothing yet (today itself is not over, even on a quarter's last day)."""
    over_on = _calendar_period(PeriodKind.QUARTER, period.end).end if period.kind == PeriodKind.MONTH else period.end
    if over_on < today:
        return replace(period, counted_to=None, whole_quarters_only=False)
    cut = last_whole_quarter_end(today, today=today)
    return replace(period, counted_to=max(cut, period.start - timedelta(days=1)), whole_quarters_only=True)


def moved_note(period: Period, moved_from: date | None) -> str:
    """Where a rolling 12 months was moved to a quarter's end (suppressed_period): what was asked for, and why."""
    if moved_from is None:
        return ""
    return (
        f"You asked for the 12 months to {moved_from:%-d %B %Y}. With small numbers suppressed, a rolling 12 months "
        f"ends on the last day of a quarter that is over, so these are the 12 months to {period.end:%-d %B %Y}: two "
        "periods a day or a month apart would give away that day's or that month's cases."
    )


def not_over_note(period: Period, *, with_indicators: bool = True) -> str:
    """Where the period has not ended: how far its figures run, and what that changes for the indicators."""
    if period.is_over:
        return ""
    if period.whole_quarters_only and period.counts_nothing_yet:
        quarter = _calendar_period(PeriodKind.QUARTER, period.end)
        first = quarter.end + timedelta(days=1) if period.kind == PeriodKind.MONTH else _first_quarter_end(period)
        which = "its quarter is not over" if period.kind == PeriodKind.MONTH else "no quarter of this period is over"
        return (
            "This period has not ended. With small numbers suppressed, figures are shown only for whole quarters that "
            f"are over, and {which} yet, so there are no figures yet: the first appear on "
            f"{first:%-d %B %Y}. Figures that changed from day to day or month to month would give away those "
            "cases, and a month's figures are decided with its quarter's so that neither gives the other away."
        )
    if period.whole_quarters_only:
        note = (
            f"This period has not ended. With small numbers suppressed, figures are shown only for whole quarters "
            f"that are over: these run to {period.last_day:%-d %B %Y}, since figures that changed from day to day or "
            "month to month would give away those cases."
        )
    else:
        note = f"This period has not ended: figures are up to and including {period.last_day:%-d %B %Y}."
    if with_indicators:
        note += " Rates a year are worked out from the days gone, and changes on an earlier period are left until the "
        note += "period has ended."
    return note


def _first_quarter_end(period: Period) -> date:
    """The day after the first quarter of the period ends: when its first suppressed figures appear."""
    return _calendar_period(PeriodKind.QUARTER, period.start).end + timedelta(days=1)


def period_note(period: Period, moved_from: date | None = None) -> str:
    """Both notes, for where there is room for one line (the API)."""
    return " ".join(note for note in (moved_note(period, moved_from), not_over_note(period)) if note)
