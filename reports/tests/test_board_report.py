import io

import docx
import pytest
from pypdf import PdfReader

from audit.models import AuditEvent
from reports import board_report, quality_services
from reports.models import Respondent
from reports.tests.helpers import HEARD_ON, QUARTER, cases, listing, meeting
from testing.documents import word_texts

OVERVIEW = "Referrals rose after the awareness campaign in Northbrook."


@pytest.fixture
def saved_report(marac, coordinator):
    held = meeting(marac)
    for heard in [*cases(marac, 3, is_repeat=True), *cases(marac, 9)]:
        listing(held, heard)
    for _ in range(2):  # two victims' answers: too few to show
        quality_services.feedback_record(
            marac=marac,
            received_on=HEARD_ON,
            respondent=Respondent.VICTIM,
            scores=[5, 4, 3],
            comment="",
            by=coordinator,
        )
    report = quality_services.board_report_create(
        marac=marac, period_kind=QUARTER.kind, period_start=QUARTER.start, period_end=QUARTER.end, by=coordinator
    )
    return quality_services.board_report_change(
        report=report, based_on_version=1, by=coordinator, overview=OVERVIEW, quality_commentary="Audits are on track."
    )


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _docx_text(content: bytes) -> str:
    return "\n".join(word_texts(content))


def test_it_builds_a_pdf_with_the_commentary_figures_and_suppression(saved_report):
    data = board_report.board_report_data(saved_report, today=QUARTER.end)
    text = _pdf_text(board_report.board_report_pdf(data))
    assert "OFFICIAL-SENSITIVE" in text
    assert "awareness campaign" in text
    assert "Audits are on track." in text
    assert "Cases heard" in text
    assert "12" in text
    assert "<6" in text  # three repeat cases, two victims' responses


def test_the_pdf_is_in_british_english_and_its_chart_figures_are_text(saved_report):
    data = board_report.board_report_data(saved_report, today=QUARTER.end)
    reader = PdfReader(io.BytesIO(board_report.board_report_pdf(data)))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata is not None and reader.metadata.title == data.title
    # The bars are drawn shapes; each one's figure and label is written beside it, so a screen reader gets them all.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert data.bars
    for label, percent in data.bars:
        assert f"{percent:.1f}% {' '.join(label.split())}" in text


def test_it_builds_a_word_document_with_a_chart_and_the_same_content(saved_report):
    data = board_report.board_report_data(saved_report, today=QUARTER.end)
    content = board_report.board_report_docx(data)
    text = _docx_text(content)
    assert OVERVIEW in text
    rows = {
        row.cells[0].text: row.cells[1].text
        for table in docx.Document(io.BytesIO(content)).tables
        for row in table.rows
    }
    assert rows["Cases heard"] == "12"
    assert rows["Responses"] in {"<6", "0"}  # members gave none; victims gave two, shown as <6
    assert "<6" in text
    assert "suppressed" in text
    assert len(docx.Document(io.BytesIO(content)).inline_shapes) == (1 if data.bars else 0)


def test_it_makes_a_valid_png_without_extra_dependencies():
    png = board_report.bar_chart_png([25.0, 100.0, 0.0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"IEND" in png[-12:]


def test_it_downloads_and_audits_the_export(client_for, board_viewer, saved_report):
    client = client_for(board_viewer)
    response = client.get(f"/reports/quality/board-reports/{saved_report.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert client.get(f"/reports/quality/board-reports/{saved_report.pk}/report.docx").status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="reports.boardreport").count() == 2
    # A board viewer downloads the report and reads its page, but cannot write its commentary.
    page = client.get(f"/reports/quality/board-reports/{saved_report.pk}/")
    assert page.status_code == 200 and "Save the commentary" not in page.content.decode()
    posted = client.post(f"/reports/quality/board-reports/{saved_report.pk}/", {"overview": "", "version": 2})
    assert posted.status_code == 404


def test_it_answers_404_to_an_outsider(client_for, outsider, saved_report):
    client = client_for(outsider)
    assert client.get(f"/reports/quality/board-reports/{saved_report.pk}/report.pdf").status_code == 404
    assert client.get(f"/reports/quality/board-reports/{saved_report.pk}/").status_code == 404


def test_it_saves_the_commentary_from_the_page_and_refuses_a_stale_one(client_for, coordinator, saved_report):
    client = client_for(coordinator)
    path = f"/reports/quality/board-reports/{saved_report.pk}/"
    assert client.get(path).status_code == 200
    fields = {"overview": "New overview", "indicators_commentary": "Steady", "quality_commentary": ""}
    assert client.post(path, {**fields, "version": saved_report.version}).status_code == 302
    assert "Someone else changed" in client.post(path, {**fields, "version": saved_report.version}).content.decode()
    saved_report.refresh_from_db()
    assert saved_report.overview == "New overview"
