"""What every Word and PDF document that leaves OpenMARAC shares: the OFFICIAL-SENSITIVE marking, the handling
line, tables, and PDF text in the built-in fonts. Builders elsewhere lay out their own content.

Every text a builder writes into a Word document passes through `docx_text` (web/text.py), as `marked_document` and
`word_table` do here: python-docx refuses a control character XML cannot hold, and text saved before the forms and
the API cleaned it (or put in some other way) must never stop a download."""

import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table
from fpdf import FPDF, ViewerPreferences
from fpdf.enums import XPos, YPos

from web.text import docx_text

MARKING = "OFFICIAL-SENSITIVE"
BRITISH_ENGLISH = "en-GB"
HANDLING = "Share only with those who need to know, under the MARAC information sharing agreement."
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"


def mark_paragraph(paragraph: Any) -> None:
    """Turn a header or footer paragraph into the protective marking."""
    paragraph.text = MARKING
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in paragraph.runs:
        run.bold = True


def british_english(document: DocxDocument) -> None:
    """Mark the document British English, not python-docx's US English, so that Word checks the spelling and a
    screen reader reads it in the right voice."""
    for lang in document.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), BRITISH_ENGLISH)
    for theme_lang in document.settings.element.iter(qn("w:themeFontLang")):
        theme_lang.set(qn("w:val"), BRITISH_ENGLISH)


def repeat_header_row(table: Table) -> None:
    """Repeat the table's first row at the top of every page it runs over, so that a row on page two still says
    which column is which."""
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    if row_properties.find(qn("w:tblHeader")) is None:
        row_properties.append(OxmlElement("w:tblHeader"))


def marked_document(title: str) -> DocxDocument:
    """A Word document in British English, marked in header and footer, with the handling line and the title."""
    document = Document()
    british_english(document)
    section = document.sections[0]
    for paragraph in (section.header.paragraphs[0], section.footer.paragraphs[0]):
        mark_paragraph(paragraph)
    section.footer.add_paragraph(HANDLING).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.core_properties.title = docx_text(title)
    document.add_heading(docx_text(title), level=0)
    return document


def word_table(document: DocxDocument, header: Iterable[str], rows: Iterable[Iterable[str]]) -> None:
    """A gridded table with a bold header row that repeats on every page."""
    header = list(header)
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    repeat_header_row(table)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = docx_text(text)
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = docx_text(text)


DOCUMENT_AUTHOR = "OpenMARAC"


def docx_bytes(document: DocxDocument) -> bytes:
    """The document's file. Its properties (File > Info in Word) name OpenMARAC as author and give the time it was
    made, never python-docx's own template (author "python-docx", made in 2013)."""
    properties = document.core_properties
    properties.author = properties.last_modified_by = DOCUMENT_AUTHOR
    properties.comments = ""
    properties.created = properties.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# The PDF's built-in fonts cover Latin-1 only; typographic punctuation is mapped and anything else replaced.
_PLAIN = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...",
     "\u2022": "-"}
)  # fmt: skip


def latin1(text: str) -> str:
    return docx_text(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class MarkedPdf(FPDF):
    """A PDF marked at the top and bottom of every page, with the handling line and page number, in British English
    (so that a screen reader reads it in the right voice) and showing its title, not its file name, when opened."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_lang(BRITISH_ENGLISH)
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 6, MARKING, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 5, MARKING, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 4, latin1(f"{HANDLING} Page {self.page_no()}"), align="C")


def pdf_text(pdf: FPDF, text: str, *, size: int = 10, style: str = "") -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
