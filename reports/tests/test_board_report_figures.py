"""A board report keeps the figures it was first built with: a later download shows what the board saw, says when
the figures were taken, and what is stored is suppressed, whoever took it."""

import datetime
import io
import json

import docx
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from reports import board_report
from reports.indicators import INDICATORS_BY_KEY
from reports.models import BoardReport
from reports.tests.helpers import QUARTER, cases, listing, meeting, records_begin
from reports.tests.test_board_report import saved_report  # noqa: F401 - the fixture: 12 cases heard, 3 repeats

CASES_HEARD = INDICATORS_BY_KEY["cases_heard"].name
REPEAT_CASES = INDICATORS_BY_KEY["repeat_cases"].name


def _page(client, report):
    return client.get(f"/reports/quality/board-reports/{report.pk}/")


def _docx_rows(content):
    return {
        row.cells[0].text: row.cells[1].text
        for table in docx.Document(io.BytesIO(content)).tables
        for row in table.rows
    }


def _shown(data):
    return {line.name: line.value for line in data.indicators}


def _hear_more(marac, count):
    """Cases heard in the quarter recorded after the board report was built (late entry, or a correction)."""
    held = meeting(marac, datetime.date(2026, 6, 2))
    for heard in cases(marac, count, heard_on=datetime.date(2026, 6, 2)):
        listing(held, heard)


def test_a_later_download_shows_the_figures_the_board_saw(
    client_for,
    coordinator,
    board_viewer,
    saved_report,  # noqa: F811
    marac,
):
    assert _page(client_for(coordinator), saved_report).status_code == 200  # started, then opened: figures taken
    _hear_more(marac, 8)

    client = client_for(board_viewer)
    docx_rows = _docx_rows(client.get(f"/reports/quality/board-reports/{saved_report.pk}/report.docx").content)
    assert docx_rows[CASES_HEARD] == "12"  # not 20
    pdf = client.get(f"/reports/quality/board-reports/{saved_report.pk}/report.pdf").content
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"{CASES_HEARD} 12" in " ".join(pdf_text.split())
    assert _shown(_page(client, saved_report).context["data"])[CASES_HEARD] == "12"


def test_the_page_and_the_documents_say_when_the_figures_were_taken(
    client_for,
    board_viewer,
    saved_report,  # noqa: F811
):
    client = client_for(board_viewer)
    taken = f"Figures taken on {timezone.localdate():%-d %B %Y}"
    assert taken in _page(client, saved_report).content.decode()
    content = client.get(f"/reports/quality/board-reports/{saved_report.pk}/report.docx").content
    assert any(paragraph.text.startswith(taken) for paragraph in docx.Document(io.BytesIO(content)).paragraphs)
    pdf = client.get(f"/reports/quality/board-reports/{saved_report.pk}/report.pdf").content
    assert taken in " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_figures_stored_are_suppressed_even_when_the_coordinator_starts_it(
    client_for,
    coordinator,
    saved_report,  # noqa: F811
    marac,
):
    # The coordinator sees exact counts on the dashboard, but the board report is suppressed for everyone: so is
    # what it stores, taken when the coordinator starts it.
    records_begin(marac)  # a history, so that the repeat rate is worked out
    client_for(coordinator).post(
        "/reports/quality/board-reports/new/",
        {"period": "quarter", "on": "2026-05-15"},
    )
    started = BoardReport.objects.exclude(pk=saved_report.pk).get()
    assert started.figures_taken_at is not None  # taken as it was started, before anyone opened it
    stored = started.figures
    values = {line["name"]: line["value"] for line in stored["indicators"]}
    assert values[REPEAT_CASES] == "suppressed"  # 3 of 12
    assert values[CASES_HEARD] == "12"
    assert "<6" in json.dumps(stored["quality"])  # two victims' responses
    # Text as shown and bar lengths only: no numerator or denominator that a small count could be read from.
    assert set(stored) == {"counted_to", "whole_quarters", "threshold", "indicators", "bars", "quality"}
    assert {key for line in stored["indicators"] for key in line} == {"name", "value", "benchmarks", "results"}
    assert REPEAT_CASES not in [label for label, _ in stored["bars"]]


def test_the_figures_are_taken_once_audited_and_leave_the_commentary_form_current(
    client_for,
    coordinator,
    saved_report,  # noqa: F811
    marac,
):
    client = client_for(coordinator)
    _page(client, saved_report)
    _hear_more(marac, 8)
    _page(client, saved_report)
    assert AuditEvent.objects.filter(object_type="reports.boardreport", summary__endswith="figures taken").count() == 1
    # Taking the figures is no change of the commentary: the form opened before it still saves.
    path = f"/reports/quality/board-reports/{saved_report.pk}/"
    fields = {"overview": "After the meeting", "indicators_commentary": "", "quality_commentary": ""}
    assert client.post(path, {**fields, "version": saved_report.version}).status_code == 302
    data = board_report.board_report_data(BoardReport.objects.get(pk=saved_report.pk), today=QUARTER.end)
    assert _shown(data)[CASES_HEARD] == "12"
    assert data.commentary.overview == "After the meeting"
