"""The SafeLives meeting-level return as the coordinator files it: exact counts, marked not for publication, audited
as an export. Everyone else, board viewers first, keeps the suppressed return."""

import csv
import io

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from reports.exports import UNSUPPRESSED_NOTICE
from reports.tests.helpers import cases, listing, meeting
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

QUARTER_QUERY = "?period=quarter&on=2026-05-15"
SHEET = "SafeLives meeting return"


@pytest.fixture
def heard(marac):
    """Ten cases discussed at one meeting: three repeats, two information-only."""
    held = meeting(marac)
    for heard_case in cases(marac, 3, is_repeat=True):
        listing(held, heard_case)
    for heard_case in cases(marac, 2):
        listing(held, heard_case, kind="information_only")
    for heard_case in cases(marac, 5):
        listing(held, heard_case)


def _sheet_rows(response):
    return list(load_workbook(io.BytesIO(response.content))[SHEET].iter_rows(values_only=True))


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_coordinator_downloads_the_return_with_exact_counts_marked_not_for_publication(
    client_for, coordinator, heard
):
    response = client_for(coordinator).get("/reports/meeting-return.xlsx" + QUARTER_QUERY)
    assert response.status_code == 200
    assert "meeting-return-unsuppressed" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    notice, header, meeting_row = _sheet_rows(response)
    assert notice[0] == UNSUPPRESSED_NOTICE == "Unsuppressed: for submission to SafeLives only. Do not publish."
    row = dict(zip(header, meeting_row, strict=True))
    assert row["Cases discussed"] == 10
    assert row["Repeat cases"] == 3  # a number a total can be worked out from, not "<6"
    assert row["Information-only cases"] == 2
    assert row["Victim male"] == 0
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook[SHEET].oddHeader.center.text == UNSUPPRESSED_NOTICE  # on every printed page too

    csv_rows = _csv_rows(client_for(coordinator).get("/reports/meeting-return.csv" + QUARTER_QUERY))
    assert csv_rows[0] == [UNSUPPRESSED_NOTICE]
    assert csv_rows[1][:5] == ["MARAC", "Meeting date", "Cases discussed", "Repeat cases", "Information-only cases"]
    assert csv_rows[2][:5] == ["Northbrook MARAC", "2026-05-12", "10", "3", "2"]


def test_the_unsuppressed_download_is_audited_as_an_export_saying_so(client_for, coordinator, heard, marac):
    client_for(coordinator).get("/reports/meeting-return.csv" + QUARTER_QUERY)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.marac_id, event.actor_id) == (marac.pk, coordinator.pk)
    assert "unsuppressed for submission to SafeLives" in event.summary


@pytest.mark.parametrize("persona", ["board_viewer", "chair"])
def test_everyone_else_downloads_the_return_suppressed_and_unmarked(request, client_for, heard, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.get("/reports/meeting-return.xlsx" + QUARTER_QUERY)
    assert "unsuppressed" not in response["Content-Disposition"]
    header, meeting_row = _sheet_rows(response)  # headings first, no notice
    row = dict(zip(header, meeting_row, strict=True))
    assert (row["Cases discussed"], row["Repeat cases"], row["Information-only cases"]) == (10, "<6", "<6")
    assert UNSUPPRESSED_NOTICE.encode() not in client.get("/reports/meeting-return.csv" + QUARTER_QUERY).content
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).first()
    assert event is not None and "unsuppressed" not in event.summary


def test_a_coordinator_choosing_a_marac_where_they_only_see_aggregates_gets_the_suppressed_return(
    client_for, coordinator, heard, marac, other_marac
):
    grant(coordinator, other_marac, Role.BOARD_VIEWER)
    query = QUARTER_QUERY + f"&marac={marac.pk}&marac={other_marac.pk}"
    header, meeting_row = _sheet_rows(client_for(coordinator).get("/reports/meeting-return.xlsx" + query))
    assert dict(zip(header, meeting_row, strict=True))["Repeat cases"] == "<6"


def test_the_indicators_workbook_stays_suppressed_for_the_coordinator(client_for, coordinator, heard):
    """The board pack is for publication; only the return on its own is for submission."""
    response = client_for(coordinator).get("/reports/indicators.xlsx" + QUARTER_QUERY)
    sheet = load_workbook(io.BytesIO(response.content))["Meeting return"]
    header, meeting_row = list(sheet.iter_rows(values_only=True))
    assert dict(zip(header, meeting_row, strict=True))["Repeat cases"] == "<6"


def test_the_page_tells_the_coordinator_and_only_the_coordinator(client_for, coordinator, board_viewer, heard):
    page = client_for(coordinator).get("/reports/" + QUARTER_QUERY).content.decode()
    assert UNSUPPRESSED_NOTICE in page
    assert "SafeLives meeting-level return, unsuppressed for submission (Excel)" in page
    board_page = client_for(board_viewer).get("/reports/" + QUARTER_QUERY).content.decode()
    assert UNSUPPRESSED_NOTICE not in board_page
    assert "unsuppressed" not in board_page.lower()
    assert "Downloads have small numbers suppressed" in board_page


def test_only_the_coordinator_holds_the_permission_to_submit_the_return(coordinator, chair, board_viewer, marac):
    assert coordinator.has_perm("reports.submit_meeting_return", marac)
    assert not chair.has_perm("reports.submit_meeting_return", marac)
    assert not board_viewer.has_perm("reports.submit_meeting_return", marac)
    elsewhere = grant(UserFactory(), marac, Role.BOARD_VIEWER)
    assert not elsewhere.has_perm("reports.submit_meeting_return", marac)
