"""Dates in the workbooks are dates a board analyst can sort and filter, shown the British way; in CSV, ISO dates."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from reports.tests.helpers import cases, listing, meeting, records_begin

QUARTER_QUERY = "?period=quarter&on=2026-05-15"


@pytest.fixture
def heard(marac):
    records_begin(marac)
    held = meeting(marac)  # 12 May 2026
    for heard_case in cases(marac, 10):
        listing(held, heard_case)


def _cells_by_heading(sheet, heading_row=1):
    """The first row below the headings, cell by cell (not values: a cell says whether it is a date)."""
    rows = list(sheet.iter_rows(min_row=heading_row))
    return {heading.value: cell for heading, cell in zip(rows[0], rows[1], strict=True)}


def _assert_uk_date(cell, day):
    assert cell.is_date
    assert cell.value.date() == day  # openpyxl reads an Excel date back as a datetime at midnight
    assert cell.number_format == "d mmm yyyy"  # 12 May 2026


def test_the_indicators_workbook_has_the_period_and_meeting_dates_as_dates(client_for, board_viewer, heard):
    workbook = load_workbook(
        io.BytesIO(client_for(board_viewer).get("/reports/indicators.xlsx" + QUARTER_QUERY).content)
    )
    indicators = _cells_by_heading(workbook["Indicators"])
    _assert_uk_date(indicators["Period start"], datetime.date(2026, 4, 1))
    _assert_uk_date(indicators["Period end"], datetime.date(2026, 6, 30))
    _assert_uk_date(_cells_by_heading(workbook["Meeting return"])["Meeting date"], datetime.date(2026, 5, 12))


def test_the_meeting_return_has_its_meeting_dates_as_dates_suppressed_or_not(
    client_for, board_viewer, coordinator, heard
):
    suppressed = load_workbook(
        io.BytesIO(client_for(board_viewer).get("/reports/meeting-return.xlsx" + QUARTER_QUERY).content)
    )
    _assert_uk_date(
        _cells_by_heading(suppressed["SafeLives meeting return"])["Meeting date"], datetime.date(2026, 5, 12)
    )
    # The coordinator's return has the not-for-publication notice above its headings.
    exact = load_workbook(
        io.BytesIO(client_for(coordinator).get("/reports/meeting-return.xlsx" + QUARTER_QUERY).content)
    )
    cells = _cells_by_heading(exact["SafeLives meeting return"], heading_row=2)
    _assert_uk_date(cells["Meeting date"], datetime.date(2026, 5, 12))


def test_the_csv_downloads_keep_iso_dates(client_for, board_viewer, heard):
    client = client_for(board_viewer)
    meetings = list(
        csv.reader(io.StringIO(client.get("/reports/meeting-return.csv" + QUARTER_QUERY).content.decode("utf-8-sig")))
    )
    assert meetings[1][:2] == ["Northbrook MARAC", "2026-05-12"]
    indicators = list(
        csv.reader(io.StringIO(client.get("/reports/indicators.csv" + QUARTER_QUERY).content.decode("utf-8-sig")))
    )
    header = indicators[0]
    assert indicators[1][header.index("Period start")] == "2026-04-01"
    assert indicators[1][header.index("Period end")] == "2026-06-30"


def test_the_dashboard_shows_a_meeting_date_the_british_way(client_for, coordinator, heard):
    page = client_for(coordinator).get("/reports/" + QUARTER_QUERY).content.decode()
    assert "12 May 2026" in page
