import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEvent
from reports.tests.helpers import cases, listing, meeting, records_begin

QUARTER_QUERY = "?period=quarter&on=2026-05-15"


@pytest.fixture
def heard(marac):
    """Ten cases heard in the quarter, three of them repeats, all at one meeting."""
    records_begin(marac)
    held = meeting(marac)
    for heard_case in [*cases(marac, 3, is_repeat=True), *cases(marac, 7)]:
        listing(held, heard_case)


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_downloads_the_indicators_as_csv_with_small_counts_suppressed(client_for, coordinator, heard):
    response = client_for(coordinator).get("/reports/indicators.csv" + QUARTER_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    header = rows[0]
    by_key = {row[header.index("Indicator key")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_key["cases_heard"]["Value"] == "10"
    # Three repeats of ten: a count under 6, so even a coordinator's download withholds it.
    assert by_key["repeat_cases"]["Numerator"] == "<6"
    assert by_key["repeat_cases"]["Value"] == "suppressed"
    assert by_key["cases_heard"]["Period start"] == "2026-04-01"


def test_it_downloads_the_indicators_as_a_workbook(client_for, coordinator, heard, marac):
    cases(marac, 10, is_repeat=True)  # now 13 repeats of 20
    response = client_for(coordinator).get("/reports/indicators.xlsx" + QUARTER_QUERY)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Indicators", "Definitions", "Meeting return"]
    rows = list(workbook["Indicators"].iter_rows(values_only=True))
    header = rows[0]
    by_key = {row[header.index("Indicator key")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_key["repeat_cases"]["Value"] == 65.0
    assert by_key["repeat_cases"]["Numerator"] == 13  # a number, for formulas
    assert by_key["cases_heard"]["Value"] == 20


def test_it_downloads_the_meeting_return_laid_out_for_submission(client_for, board_viewer, heard):
    response = client_for(board_viewer).get("/reports/meeting-return.xlsx" + QUARTER_QUERY)
    sheet = load_workbook(io.BytesIO(response.content))["SafeLives meeting return"]
    header, meeting_row = list(sheet.iter_rows(values_only=True))
    row = dict(zip(header, meeting_row, strict=True))
    assert row["Meeting date"].date() == datetime.date(2026, 5, 12)  # a date, to sort and filter on
    assert row["Cases discussed"] == 10
    assert row["Repeat cases"] == "<6"
    assert row["Referred by: Police"] == 10
    assert row["Victim male"] == 0

    csv_rows = _csv(client_for(board_viewer).get("/reports/meeting-return.csv" + QUARTER_QUERY))
    assert csv_rows[1][:4] == ["Northbrook MARAC", "2026-05-12", "10", "<6"]


def test_it_audits_every_export(client_for, coordinator, heard, marac):
    client_for(coordinator).get("/reports/indicators.csv" + QUARTER_QUERY)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.object_type, event.marac_id, event.actor_id) == ("reports.indicators", marac.pk, coordinator.pk)


def test_it_refuses_an_outsider_the_downloads_of_another_marac(client_for, outsider, marac, heard):
    response = client_for(outsider).get(f"/reports/indicators.csv?marac={marac.pk}")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
