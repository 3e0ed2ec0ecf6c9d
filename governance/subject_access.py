"""A subject access export (UK GDPR Article 15): everything held on one person, as a Word document, with third
parties redacted. The redaction is a plain function (no database): names, dates of birth and addresses of the
other people in the subject's cases, wherever they appear in free text, become "[redacted: third party]".
Staff are named by agency and role only (see REDACTED_STAFF); the coordinator reviews the draft for exemptions before
it is released. governance/subject_access_selectors.py gathers the data; the view audits the export."""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from docx import Document
from docx.document import Document as DocxDocument

from referrals.calendar import format_when
from web.documents import docx_bytes, mark_paragraph, word_table
from web.text import docx_text

REDACTED = "[redacted: third party]"
# Staff names are withheld, their agency and role kept: the subject learns who held and saw their data (the
# recipients Article 15 asks for), while a perpetrator's request cannot name the workers who supported a victim.
REDACTED_STAFF = "[redacted: member of staff]"


@dataclass(frozen=True)
class ThirdParty:
    names: tuple[str, ...]  # full names, given and family names, aliases
    dates_of_birth: tuple[date, ...] = ()
    addresses: tuple[str, ...] = ()  # address lines and postcodes


def _date_forms(day: date) -> list[str]:
    return [
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
    ]


def redactor(third_parties: Iterable[ThirdParty], staff_names: Iterable[str] = ()) -> Callable[[str], str]:
    """A function that redacts every third party's names, dates of birth and addresses from a text, whole words
    only and whatever the case; longer terms first, so "Jo Bloggs" becomes one marker, not two."""
    terms: dict[str, str] = {}
    for name in staff_names:
        for term in (name, *name.split()):
            if len(term.strip()) > 1:
                terms.setdefault(term.strip().lower(), REDACTED_STAFF)
    for party in third_parties:
        texts = [*party.names, *party.addresses, *(form for day in party.dates_of_birth for form in _date_forms(day))]
        for term in texts:
            if len(term.strip()) > 1:
                terms[term.strip().lower()] = REDACTED
    if not terms:
        return lambda text: text
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub(lambda match: terms[match.group(0).lower()], text)


def names_of(given_name: str, family_name: str) -> list[str]:
    full = f"{given_name} {family_name}".strip()
    return [name for name in (full, given_name, family_name) if name]


# --- What goes in the document --------------------------------------------------------------------------------------


@dataclass
class Section:
    """A titled part of the document: labelled rows, and free text paragraphs under headings."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)
    table: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None  # header, rows
    introduction: str = ""  # a paragraph under the title


@dataclass
class SubjectAccessExport:
    person_id: int
    marac_name: str
    prepared_at: datetime
    sections: list[Section]


def _labelled(document: DocxDocument, label: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(docx_text(f"{label}: ")).bold = True
    paragraph.add_run(docx_text(value or "Not recorded"))


def _section(document: DocxDocument, section: Section) -> None:
    document.add_heading(docx_text(section.title), level=1)
    if section.introduction:
        document.add_paragraph(docx_text(section.introduction))
    for label, value in section.rows:
        _labelled(document, label, value)
    for heading, text in section.texts:
        document.add_heading(docx_text(heading), level=2)
        document.add_paragraph(docx_text(text or "Nothing recorded."))
    if section.table is not None:
        header, rows = section.table
        if rows:
            word_table(document, header, rows)
        else:
            document.add_paragraph("None.")


def subject_access_docx(export: SubjectAccessExport) -> bytes:
    document = Document()
    mark_paragraph(document.sections[0].header.paragraphs[0])
    title = f"Subject access: information held on person {export.person_id}"
    document.core_properties.title = title
    document.add_heading(title, level=0)
    document.add_paragraph(
        docx_text(
            f"Held by {export.marac_name}. Prepared {format_when(export.prepared_at)}. Other people's names, "
            f"dates of birth and addresses are shown as {REDACTED}; staff are named by agency and role only. "
            "A draft for the coordinator: check it for exemptions (DPA 2018 Schedule 2) before it is released."
        )
    )
    for section in export.sections:
        _section(document, section)
    return docx_bytes(document)
