"""The indicators and the SafeLives meeting-level return as CSV and Excel. Everything here leaves the system,
so it is built from a suppressed report (no count from 1 to the threshold is written out), with one exception:
the meeting-level return a coordinator downloads to submit to SafeLives has exact counts, and says so at its top
(UNSUPPRESSED_NOTICE).

Numbers are written as numbers (in CSV, plain digits without thousands separators) so that spreadsheet formulas
work on them; a suppressed count is the text "<6", or "suppressed" where it was withheld so that a small count
could not be worked out by subtraction. Dates (a meeting's, a period's start and end) are Excel dates in a workbook,
shown as "12 May 2026", so that they sort and filter as dates; in CSV they are ISO dates (2026-05-12), which
spreadsheets read as dates whatever their locale."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.figures import Unit
from reports.meeting_return import COLUMNS, COUNT_KEYS, MeetingRow
from reports.partitions import MEETING_CASES, MEETING_COLUMNS_SUMMED, MEETING_REFERRED_BY
from reports.periods import PeriodKind, not_over_note, period_containing
from reports.report import Report
from reports.suppression import AdditiveGroup, Withholding, withhold

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_FIGURES_YET = "no figures yet"
UNSUPPRESSED_NOTICE = "Unsuppressed: for submission to SafeLives only. Do not publish."

Cell = str | int | float | date | None

UK_DATE_FORMAT = "d mmm yyyy"  # 12 May 2026: a date cell's number format in a workbook
_DATE_COLUMN_WIDTH = 13  # wide enough for "12 May 2026" (Excel shows "####" in a column too narrow for a date)

INDICATOR_HEADINGS = (
    "Group",
    "Indicator key",
    "Indicator",
    "MARAC",
    "Period",
    "Period start",
    "Period end",
    "Counted to",
    "Value",
    "Unit",
    "Numerator",
    "Denominator",
    "Benchmarks",
    "Benchmark results",
    "Why no data",
    "Period note",
)


def _value(text: str, value: float | None, unit: Unit) -> Cell:
    """A number where one is shown (rounded as on the page), else the words shown instead."""
    shown_as_number = text[:1].isdigit() or text[:1] in ("+", "-")
    if value is None or not shown_as_number:
        return text
    return round(value) if unit == Unit.COUNT else round(value, 1)


def indicator_rows(report: Report) -> list[list[Cell]]:
    rows: list[list[Cell]] = [list(INDICATOR_HEADINGS)]
    # A period not over is counted only so far (reports.periods.suppressed_period): each row says how far, and why.
    counted_to: Cell = NO_FIGURES_YET if report.period.counts_nothing_yet else report.period.last_day
    note = not_over_note(report.period)
    for group in report.groups:
        for row in group.rows:
            indicator = row.indicator
            for column, cell in zip(report.columns, row.cells, strict=True):
                rows.append(
                    [
                        group.group.title,
                        indicator.key,
                        indicator.name,
                        column.label,
                        report.period.label,
                        report.period.start,
                        report.period.end,
                        counted_to,
                        _value(cell.value_text, cell.figure.value, indicator.unit),
                        indicator.unit.value,
                        _count_or_text(cell.numerator_text, cell.figure.numerator),
                        _count_or_text(cell.denominator_text, cell.figure.denominator),
                        "; ".join(indicator.benchmark_wordings),
                        "; ".join(result.text for result in cell.results),
                        cell.figure.why_no_value if cell.figure.value is None else "",
                        note,
                    ]
                )
    return rows


def _count_or_text(text: str, count: int | None) -> Cell:
    """A count as a number where it is shown exactly; the words shown instead ("<6") where it is suppressed."""
    if count is None or not text:
        return None
    return count if text.replace(",", "") == str(count) else text


def meeting_return_rows(
    meetings: Sequence[MeetingRow], *, threshold: int | None, shown: tuple[date, date] | None = None
) -> list[list[Cell]]:
    """Headings, then a row per meeting; with a threshold, small counts suppressed, and those that would give
    one away by subtraction (reports.partitions) with them (None: exact, for pages that coordinators and chairs
    see). Suppressed, the counts are decided a quarter at a time, as the indicators are (reports.across_periods):
    meetings holds every meeting of each quarter the period touches, and shown the first and last day of the
    period, whose meetings alone are shown."""
    rows: list[list[Cell]] = [[column.heading for column in COLUMNS]]
    texts = None if threshold is None else _meeting_texts(meetings, threshold)
    for index, meeting in enumerate(meetings):
        if shown is not None and not shown[0] <= meeting.held_on <= shown[1]:
            continue
        counts: list[Cell] = [
            meeting.counts[key] if texts is None else texts.get((index, key), meeting.counts[key]) for key in COUNT_KEYS
        ]
        rows.append([meeting.marac, meeting.held_on, *counts])
    return rows


MeetingCount = tuple[int | str, str]  # a meeting's row (or a MARAC's month or quarter, for its total) and a column


def _meeting_texts(meetings: Sequence[MeetingRow], threshold: int) -> dict[MeetingCount, str]:
    """How each withheld count reads, each quarter's meetings decided on their own: a meeting's row reads the same
    in the return of its month, its quarter or any year holding it."""
    quarters: dict[date, list[int]] = {}
    for index, meeting in enumerate(meetings):
        quarters.setdefault(period_containing(PeriodKind.QUARTER, meeting.held_on).start, []).append(index)
    texts: dict[MeetingCount, str] = {}
    for indexes in quarters.values():
        texts.update(_meeting_withholding(meetings, indexes, threshold).texts(threshold))
    return texts


def _meeting_withholding(
    meetings: Sequence[MeetingRow], indexes: list[int], threshold: int
) -> Withholding[MeetingCount]:
    """One quarter's meetings: each row's cases are the sum of its "Referred by" columns, and the cases and
    information-only cases of a MARAC's meetings in the quarter, and in each of its months, add up to what the
    dashboard shows for that quarter and month."""
    counts: dict[MeetingCount, int] = {
        (index, key): meetings[index].counts[key] for index in indexes for key in COUNT_KEYS
    }
    groups: list[AdditiveGroup[MeetingCount]] = [
        AdditiveGroup((index, MEETING_CASES), tuple((index, key) for key in MEETING_REFERRED_BY)) for index in indexes
    ]
    rows_of: dict[str, list[int]] = {}
    for index in indexes:
        meeting = meetings[index]
        rows_of.setdefault(f"{meeting.marac}, the quarter", []).append(index)
        rows_of.setdefault(f"{meeting.marac}, {meeting.held_on:%B %Y}", []).append(index)
    for total, rows in rows_of.items():
        for key in MEETING_COLUMNS_SUMMED:  # totals the dashboard shows beside the return
            counts[(total, key)] = sum(counts[(index, key)] for index in rows)
            groups.append(AdditiveGroup((total, key), tuple((index, key) for index in rows)))
    return withhold(counts, groups, threshold)


def _safe(cell: Cell) -> Cell:
    # A text cell starting with = + - or @ would be run as a formula by a spreadsheet: make it plain text.
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell


def _csv_cell(cell: Cell) -> Cell:
    return cell.isoformat() if isinstance(cell, date) else _safe(cell)


def as_csv(rows: Iterable[Sequence[Cell]], *, notice: str = "") -> bytes:
    """With a notice, it is the first line, above the headings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if notice:
        writer.writerow([notice])
    for row in rows:
        writer.writerow(["" if cell is None else _csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode()  # the byte-order mark makes Excel read it as UTF-8


def as_xlsx(sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]], *, notice: str = "") -> bytes:
    """One worksheet per (title, rows); the first row of each is its headings. With a notice, it is the first row
    of every sheet, in bold red above the headings, and the header of every printed page."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        if notice:
            sheet.append([notice])
            sheet["A1"].font = Font(bold=True, color="D4351C")  # GOV.UK red
            sheet.oddHeader.center.text = notice
            sheet.evenHeader.center.text = notice
        headings = 2 if notice else 1
        for row in rows:
            _append(sheet, row)
        for heading in sheet[headings]:
            heading.font = Font(bold=True)
        sheet.freeze_panes = f"A{headings + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _append(sheet: Worksheet, row: Sequence[Cell]) -> None:
    """The row below the last, its dates shown the British way in columns wide enough to show them."""
    sheet.append([_safe(cell) for cell in row])
    for column, cell in enumerate(row, start=1):
        if isinstance(cell, date):
            sheet.cell(sheet.max_row, column).number_format = UK_DATE_FORMAT
            sheet.column_dimensions[get_column_letter(column)].width = _DATE_COLUMN_WIDTH


def definition_rows(report: Report) -> list[list[Cell]]:
    rows: list[list[Cell]] = [["Indicator key", "Indicator", "Definition", "Numerator", "Denominator", "Sources"]]
    for group in report.groups:
        for row in group.rows:
            indicator = row.indicator
            rows.append(
                [
                    indicator.key,
                    indicator.name,
                    indicator.definition,
                    indicator.numerator,
                    indicator.denominator,
                    "; ".join(indicator.source_names),
                ]
            )
    return rows
