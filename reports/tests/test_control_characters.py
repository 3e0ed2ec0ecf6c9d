"""The board report's commentary, written on its page with Word's line break (U+000B) or stored with control
characters before the page cleaned them, still downloads as Word and PDF."""

import io

import docx
import pytest
from pypdf import PdfReader

from reports import quality_services
from reports.models import BoardReport
from reports.tests.helpers import QUARTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(marac, coordinator):
    return quality_services.board_report_create(
        marac=marac, period_kind=QUARTER.kind, period_start=QUARTER.start, period_end=QUARTER.end, by=coordinator
    )


def _paragraphs(content: bytes) -> list[str]:
    return [paragraph.text for paragraph in docx.Document(io.BytesIO(content)).paragraphs]


def test_commentary_saved_on_the_page_with_word_s_line_break_downloads(client_for, coordinator, report):
    client = client_for(coordinator)
    path = f"/reports/quality/board-reports/{report.pk}/"
    fields = {
        "overview": "Referrals rose\x0bafter the campaign\x01",
        "indicators_commentary": "",
        "quality_commentary": "",
    }
    assert client.post(path, {**fields, "version": report.version}).status_code == 302
    report.refresh_from_db()
    assert report.overview == "Referrals rose\nafter the campaign"
    response = client.get(f"{path}report.docx")
    assert response.status_code == 200
    assert "Referrals rose\nafter the campaign" in _paragraphs(response.content)


def test_old_commentary_with_control_characters_still_downloads(client_for, coordinator, report):
    BoardReport.objects.filter(pk=report.pk).update(
        overview="Old\x0boverview\x02", quality_commentary="Audits\x0con track\x1f\x7f"
    )
    client = client_for(coordinator)
    response = client.get(f"/reports/quality/board-reports/{report.pk}/report.docx")
    assert response.status_code == 200
    paragraphs = _paragraphs(response.content)
    assert "Old\noverview" in paragraphs and "Audits\non track" in paragraphs
    pdf = client.get(f"/reports/quality/board-reports/{report.pk}/report.pdf")
    assert pdf.status_code == 200
    assert "overview" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
