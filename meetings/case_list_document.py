"""The case list as a Word document, laid out like the lists MARACs circulate today (BD MARAC List: "The MARAC list of
cases is circulated on a word document"). Plain data in, bytes out: the services decide what goes in it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from referrals.calendar import format_day
from web.documents import HANDLING, british_english, docx_bytes, mark_paragraph, repeat_header_row
from web.text import docx_text

COLUMNS = (
    "No.",
    "Case reference",
    "Victim (name, date of birth)",
    "Perpetrator(s)",
    "Children (names, ages)",
    "Referring agency",
    "Repeat (Y/N)",
    "Listing",
    "Slot time",
)


@dataclass(frozen=True)
class CaseListRow:
    number: int
    reference: str
    victim_name: str
    victim_date_of_birth: date | None
    perpetrators: list[str]
    children: list[tuple[str, int | None]]
    referring_agency: str
    repeat: bool
    information_only: bool
    slot_starts_at: datetime

    def cells(self) -> tuple[str, ...]:
        born = f"{self.victim_date_of_birth:%d/%m/%Y}" if self.victim_date_of_birth else "date of birth not known"
        children = [f"{name} ({age})" if age is not None else f"{name} (age not known)" for name, age in self.children]
        return (
            str(self.number),
            self.reference,
            f"{self.victim_name}, {born}",
            "\n".join(self.perpetrators) or "None recorded",
            "\n".join(children) or "None",
            self.referring_agency,
            "Y" if self.repeat else "N",
            "Information only" if self.information_only else "Full",
            f"{self.slot_starts_at:%H:%M}",
        )


def case_list_document(
    *, marac_name: str, meeting_starts_at: datetime, rows: Sequence[CaseListRow], is_emergency: bool = False
) -> bytes:
    document = Document()
    british_english(document)
    section = document.sections[0]
    # Nine columns read better across the page.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(1.5)
    mark_paragraph(section.header.paragraphs[0])
    mark_paragraph(section.footer.paragraphs[0])
    section.footer.add_paragraph(HANDLING).alignment = WD_ALIGN_PARAGRAPH.CENTER  # as every other document says
    title = f"{marac_name}: case list"
    document.core_properties.title = docx_text(title)

    document.add_heading(docx_text(title), level=1)
    kind = "Emergency MARAC" if is_emergency else "Meeting"
    document.add_paragraph(f"{kind} on {format_day(meeting_starts_at.date())} at {meeting_starts_at:%H:%M}")
    if not rows:
        document.add_paragraph("No cases are listed for this meeting.")
    table = document.add_table(rows=1, cols=len(COLUMNS))
    repeat_header_row(table)
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = heading
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(9)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row.cells(), strict=True):
            cell.text = docx_text(text)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    return docx_bytes(document)
