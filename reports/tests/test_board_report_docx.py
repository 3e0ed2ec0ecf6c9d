"""The board report's Word file, read back with python-docx: its language, and its tables' header rows."""

import io

import docx
from docx.oxml.ns import qn

from reports import board_report
from reports.tests.helpers import QUARTER
from reports.tests.test_board_report import saved_report  # noqa: F401 - the fixture


def _word(report):
    data = board_report.board_report_data(report, today=QUARTER.end)
    return docx.Document(io.BytesIO(board_report.board_report_docx(data)))


def test_it_marks_the_word_file_british_english(saved_report):  # noqa: F811 - the fixture
    document = _word(saved_report)
    languages = {lang.get(qn("w:val")) for lang in document.styles.element.iter(qn("w:lang"))}
    assert languages == {"en-GB"}
    theme = {lang.get(qn("w:val")) for lang in document.settings.element.iter(qn("w:themeFontLang"))}
    assert theme <= {"en-GB"}


def test_it_repeats_each_tables_header_row_on_every_page(saved_report):  # noqa: F811 - the fixture
    document = _word(saved_report)
    assert len(document.tables) >= 2
    for table in document.tables:
        first, *others = table.rows
        assert first._tr.trPr is not None and first._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in others)
