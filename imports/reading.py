"""Reading an uploaded history: a workbook with a Cases sheet (and an Actions sheet), or CSV files. Every cell comes
out as text, as the rules expect: Excel's date cells as YYYY-MM-DD, whole numbers without a decimal point."""

import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from imports.columns import ACTIONS_SHEET, CASES_SHEET

# A limit well above any MARAC's history (the largest hear a few thousand cases a year), so a file cannot tie up
# the worker for hours; docs/import.md says how to split a larger file.
MAX_ROWS_PER_SHEET = 250_000
# Rows and columns read at all, blank ones included: a small file that unpacks to millions of empty rows or
# columns (a "zip bomb") is refused rather than read for hours. openpyxl parses with defusedxml (installed).
MAX_ROWS_READ = 4 * MAX_ROWS_PER_SHEET
MAX_COLUMNS = 100
# How often, in rows read, the reader says it is alive (the run's heartbeat: imports/stalling.py).
ROWS_PER_HEARTBEAT = 1000

Heartbeat = Callable[[int], None]


def _no_heartbeat(rows: int) -> None:
    return None


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message says why, without quoting its content."""


@dataclass
class Table:
    sheet: str
    headings: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number as the spreadsheet shows it, cells)
    # (row number, column index from 0) of each formula cell whose result the file does not hold: read as blank,
    # so the rules report it rather than take it for a blank cell.
    formulas_without_values: list[tuple[int, int]] = field(default_factory=list)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(sheet: str, rows: Iterable[tuple[int, list[str]]], heartbeat: Heartbeat = _no_heartbeat) -> Table:
    iterator: Iterator[tuple[int, list[str]]] = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise UnreadableFile(f"The {sheet} sheet is empty: it needs a heading row")
    table = Table(sheet, [heading.strip() for heading in first[1]])
    for number, cells in iterator:
        if number % ROWS_PER_HEARTBEAT == 0:
            heartbeat(number)
        if number > MAX_ROWS_READ:
            raise UnreadableFile(f"The {sheet} sheet has more than {MAX_ROWS_READ:,} rows, most of them empty")
        if not any(cell.strip() for cell in cells):
            continue
        if len(table.rows) >= MAX_ROWS_PER_SHEET:
            raise UnreadableFile(
                f"The {sheet} sheet has more than {MAX_ROWS_PER_SHEET:,} rows: split it into several files"
            )
        table.rows.append((number, cells))
    return table


def read_workbook(content: bytes, heartbeat: Heartbeat = _no_heartbeat) -> tuple[Table, Table | None]:
    """The Cases sheet and, if there is one, the Actions sheet of an .xlsx workbook."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile("The file is not an Excel workbook (.xlsx) that can be opened") from None
    try:
        sheets = {name.strip().lower(): name for name in workbook.sheetnames}
        if CASES_SHEET.lower() not in sheets:
            raise UnreadableFile(f"The workbook has no sheet called '{CASES_SHEET}'")
        cases = _sheet(workbook[sheets[CASES_SHEET.lower()]], CASES_SHEET, heartbeat)
        actions_name = sheets.get(ACTIONS_SHEET.lower())
        actions = _sheet(workbook[actions_name], ACTIONS_SHEET, heartbeat) if actions_name else None
    finally:
        workbook.close()
    if _has_formulas(content):
        _find_formulas_without_values(content, sheets, [cases] + ([actions] if actions else []))
    return cases, actions


def _has_formulas(content: bytes) -> bool:
    """Whether any worksheet holds a formula (an <f> element): only then is the workbook read a second time."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as part:
                    if _holds_formula(part):
                        return True
    return False


def _holds_formula(part: IO[bytes]) -> bool:
    """Read in pieces, each with the end of the last, so a large sheet is never held whole and no tag is split."""
    tail = b""
    while chunk := part.read(1 << 20):
        data = tail + chunk
        if b"<f>" in data or b"<f " in data or b":f>" in data or b":f " in data:
            return True
        tail = data[-8:]
    return False


def _find_formulas_without_values(content: bytes, sheets: dict[str, str], tables: list[Table]) -> None:
    """A formula cell read as blank because the file holds no result for it (written by a program that does not
    calculate, and never saved by Excel): found by reading the formulas themselves, for the cells read as blank."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        for table in tables:
            blanks = {number: cells for number, cells in table.rows}
            worksheet = workbook[sheets[table.sheet.lower()]]
            width = len(table.headings)
            rows = worksheet.iter_rows(min_row=2, max_col=width, values_only=True)
            for number, values in enumerate(rows, start=2):
                cells = blanks.get(number)
                for index, value in enumerate(values):
                    read_blank = cells is None or index >= len(cells) or not cells[index]
                    if isinstance(value, str) and value.startswith("=") and read_blank:
                        table.formulas_without_values.append((number, index))
    finally:
        workbook.close()


def _sheet(worksheet: Any, sheet: str, heartbeat: Heartbeat) -> Table:
    headings = next(worksheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
    if headings is None:
        raise UnreadableFile(f"The {sheet} sheet is empty: it needs a heading row")
    cells = [cell_text(value) for value in headings]
    width = max((index + 1 for index, heading in enumerate(cells) if heading), default=1)
    rows = (
        (number, [cell_text(value) for value in values])
        for number, values in enumerate(worksheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2)
    )
    return _table(sheet, itertools.chain([(1, cells[:width])], rows), heartbeat)


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without Excel's byte order mark); failing that, Windows-1252, which Excel's plain "CSV" saves."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableFile("The file is not a CSV file saved as text (UTF-8)") from None


DELIMITERS = (",", ";", "\t")


def delimiter_of(text: str) -> str:
    """Comma, or semicolon where the heading row is separated by semicolons (Excel saves "CSV" so in the locales
    whose decimal mark is a comma), or tab (Excel's "Text (Tab delimited)", often named .csv): whichever splits the
    heading row into more cells; comma when they tie."""
    first_line = next(iter(io.StringIO(text, newline="")), "")

    def cells(delimiter: str) -> int:
        try:
            return len(next(csv.reader([first_line], delimiter=delimiter), []))
        except csv.Error:
            return 0

    return max(DELIMITERS, key=lambda delimiter: (cells(delimiter), delimiter == ","))


def read_csv(content: bytes, sheet: str, heartbeat: Heartbeat = _no_heartbeat) -> Table:
    """A CSV file separated by commas, semicolons or tabs (delimiter_of)."""
    text = decode_csv(content)
    if "\x00" in text:
        raise UnreadableFile(f"The {sheet} file is not a CSV file (it looks like a binary file)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        return _table(sheet, ((number, cells) for number, cells in enumerate(reader, start=1)), heartbeat)
    except csv.Error:
        raise UnreadableFile(f"The {sheet} file is not a CSV file that can be read") from None


def is_workbook(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


NOT_A_WORKBOOK = (
    "This file is not an Excel workbook (.xlsx): open it in Excel and save it as an Excel workbook, "
    "or save it as a CSV file with a name ending .csv"
)


def read_upload(
    cases: bytes, actions: bytes | None, heartbeat: Heartbeat = _no_heartbeat, *, named_workbook: bool = False
) -> tuple[Table, Table | None]:
    """A workbook (its own Actions sheet), or a Cases CSV with an optional Actions CSV; heartbeat is called every
    ROWS_PER_HEARTBEAT rows read, with the row number reached. A file named .xlsx (named_workbook) must be a
    workbook: read as CSV, its problems would be about a heading row it never had."""
    if named_workbook and not is_workbook(cases):
        raise UnreadableFile(NOT_A_WORKBOOK)
    if is_workbook(cases):
        if actions is not None:
            raise UnreadableFile("Upload a workbook on its own: its Actions sheet holds the actions")
        return read_workbook(cases, heartbeat)
    if actions is not None and is_workbook(actions):
        raise UnreadableFile("The actions must be a CSV file when the cases are a CSV file")
    return (
        read_csv(cases, CASES_SHEET, heartbeat),
        read_csv(actions, ACTIONS_SHEET, heartbeat) if actions is not None else None,
    )
