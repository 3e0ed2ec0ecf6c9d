"""Reading a population CSV: every row checked before anything is saved, so a file is taken whole or not at all.
Plain functions, no ORM. The columns are documented on the upload page and in docs/population-import.md.

Implements WM 002, the quantitative list: "Diversity of referrals in context with the local population".
"""

import csv
import io
from dataclasses import dataclass

from marac.models import AgeBand, PopulationDimension
from people.models import Ethnicity

MAX_UPLOAD_BYTES = 1024 * 1024
ETHNIC_GROUPS = tuple(group for group in Ethnicity if group != Ethnicity.NOT_KNOWN)
# Column name for each (dimension, category) held as a breakdown.
BREAKDOWN_COLUMNS: dict[str, tuple[str, str]] = {
    **{f"ethnicity_{group.value}": (PopulationDimension.ETHNICITY.value, group.value) for group in ETHNIC_GROUPS},
    **{f"age_{band.value}": (PopulationDimension.AGE_BAND.value, band.value) for band in AgeBand},
}
COLUMNS = ("local_authority", "year", "adult_female_population", *BREAKDOWN_COLUMNS)
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class PopulationRow:
    line: int
    local_authority: str
    year: int
    adult_female_population: int
    breakdown: dict[tuple[str, str], int]  # (dimension, category): count


@dataclass(frozen=True)
class RowError:
    line: int  # 1 is the heading row
    message: str


def column_help() -> list[tuple[str, str]]:
    """Each column and what goes in it, for the upload page."""
    labels = {f"ethnicity_{group.value}": f"Women aged 16 and over: {group.label}" for group in ETHNIC_GROUPS}
    labels |= {f"age_{band.value}": f"Women aged {band.label}" for band in AgeBand}
    return [
        ("local_authority", "The local authority, exactly as named in this MARAC's settings"),
        ("year", f"The year the figures are for ({FIRST_YEAR} to {LAST_YEAR})"),
        ("adult_female_population", "Women aged 16 and over"),
        *labels.items(),
    ]


def _count(text: str) -> int | None:
    cleaned = text.strip().replace(",", "")
    return int(cleaned) if cleaned.isdigit() else None


def _row(line: int, values: dict[str, str], local_authorities: list[str]) -> tuple[PopulationRow | None, list[str]]:
    problems = []
    authority = values["local_authority"].strip()
    if authority not in local_authorities:
        problems.append(f"local_authority '{authority}' is not one of this MARAC's: {', '.join(local_authorities)}")
    year = _count(values["year"])
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(f"year must be a year from {FIRST_YEAR} to {LAST_YEAR}")
    counts = {column: _count(values[column]) for column in COLUMNS[2:]}
    problems += [f"{column} must be a whole number, 0 or more" for column, count in counts.items() if count is None]
    if problems or year is None:
        return None, problems
    return (
        PopulationRow(
            line=line,
            local_authority=authority,
            year=year,
            adult_female_population=counts["adult_female_population"] or 0,
            breakdown={BREAKDOWN_COLUMNS[column]: counts[column] or 0 for column in BREAKDOWN_COLUMNS},
        ),
        [],
    )


def _heading_errors(headings: list[str]) -> list[RowError]:
    missing = [column for column in COLUMNS if column not in headings]
    unknown = [heading for heading in headings if heading not in COLUMNS]
    errors = [RowError(1, f"Missing column: {column}") for column in missing]
    return errors + [RowError(1, f"Unknown column: {heading}") for heading in unknown]


def parse_population_csv(content: bytes, *, local_authorities: list[str]) -> tuple[list[PopulationRow], list[RowError]]:
    """The rows, or every problem found with its line number (rows are only good if there are no errors)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(1, "The file is not a CSV saved as UTF-8 text")]
    reader = csv.reader(io.StringIO(text))
    headings = [heading.strip().lower() for heading in next(reader, [])]
    errors = _heading_errors(headings)
    if errors:
        return [], errors
    rows: list[PopulationRow] = []
    seen: dict[tuple[str, int], int] = {}
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(headings):
            errors.append(RowError(line, f"Expected {len(headings)} values, found {len(values)}"))
            continue
        row, problems = _row(line, dict(zip(headings, values, strict=True)), local_authorities)
        errors += [RowError(line, problem) for problem in problems]
        if row is not None:
            key = (row.local_authority, row.year)
            if key in seen:
                errors.append(RowError(line, f"{row.local_authority} {row.year} is already on line {seen[key]}"))
            seen.setdefault(key, line)
            rows.append(row)
    if not rows and not errors:
        errors.append(RowError(1, "The file has no rows of figures"))
    return rows, errors
