"""A subject access export (UK GDPR Article 15): everything held on one person, as a Word document, with third
parties redacted. The redaction is a plain function (no database): names, dates of birth and addresses (lines,
towns, postcodes however written and their districts) of the other people in the subject's cases, wherever they appear
in free text, become "[redacted: third party]".
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
from web.postcodes import postcode_parts
from web.text import docx_text

REDACTED = "[redacted: third party]"
# Staff names are withheld, their agency and role kept: the subject learns who held and saw their data (the
# recipients Article 15 asks for), while a perpetrator's request cannot name the workers who supported a victim.
REDACTED_STAFF = "[redacted: member of staff]"
# The redaction finds only what is held as someone's name, date of birth or address. A minute or a piece of research
# can still point to where a victim or child now is in words nothing else holds (a school, a landmark, a new
# neighbour, a street or town typed differently), and a perpetrator must never learn it.
FREE_TEXT_WARNING = (
    "Warning: read every passage of free text before this is released. Redaction takes out only the names, dates of "
    "birth and addresses held for other people (address lines, towns and postcodes, with their districts). Free "
    "text may still name or point to a place in other words: a school, a landmark, a street or town spelt "
    "differently, a refuge or service by its name. Take out anything that could show where a victim or child lives "
    "or goes, above all in a request from a perpetrator, or from a parent for a child."
)


@dataclass(frozen=True)
class ThirdParty:
    names: tuple[str, ...]  # full names, given and family names, aliases
    dates_of_birth: tuple[date, ...] = ()
    addresses: tuple[str, ...] = ()  # address lines, towns and postcodes, earlier and confidential ones too


def _date_forms(day: date) -> list[str]:
    return [
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
    ]


# A house or flat number at the start of an address part: "12 Larkspur Road", "Flat 3", "4a".
_HOUSE_NUMBER = re.compile(r"^(?:(?:flat|unit|apartment|room)\s+)?\d+[a-z]?\b[\s,]*", re.IGNORECASE)


def _address_forms(text: str) -> list[str]:
    """An address part as held, each comma-separated piece of it, and each piece without its house number: minutes
    say "seen on Larkspur Road" as often as "12 Larkspur Road". Pieces without a letter (a lone "12") are left out,
    or every number in the text would go."""
    forms = [text]
    for piece in text.split(","):
        forms += [piece, _HOUSE_NUMBER.sub("", piece.strip())]
    return [form.strip() for form in forms if any(character.isalpha() for character in form)]


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _term_pattern(term: str) -> str:
    """A term as a pattern: its words separated by any white space (a line break in a minute, two spaces)."""
    return r"\s+".join(re.escape(word) for word in term.split())


def _add_address(patterns: dict[str, str], terms: dict[str, str], text: str) -> None:
    """A postcode however it is written ("AC7 2PX", "ac72px") and its outward code on its own ("AC7": the district
    alone is enough to find a town); any other address part in the forms _address_forms gives."""
    outward, inward = postcode_parts(text)
    if outward and inward:
        patterns[rf"{re.escape(outward)}\s*{re.escape(inward)}"] = f"{outward} {inward}"
        terms[_key(f"{outward} {inward}")] = terms[_key(outward + inward)] = REDACTED
    if outward:
        patterns[re.escape(outward)] = outward
        terms[_key(outward)] = REDACTED
        return
    for form in _address_forms(text):
        if len(form) > 1:
            patterns[_term_pattern(form)] = form
            terms[_key(form)] = REDACTED


def redactor(third_parties: Iterable[ThirdParty], staff_names: Iterable[str] = ()) -> Callable[[str], str]:
    """A function that redacts every third party's names, dates of birth and addresses (lines, town, postcode and
    its district) from a text, whole words only and whatever the case; longer terms first, so "Jo Bloggs" becomes one
    marker, not two."""
    terms: dict[str, str] = {}  # what a match reads as (lower case, single spaces): its marker
    patterns: dict[str, str] = {}  # a pattern: the term it finds, whose length orders the alternatives
    for name in staff_names:
        for term in (name, *name.split()):
            if len(term.strip()) > 1:
                patterns[_term_pattern(term)] = term.strip()
                terms.setdefault(_key(term), REDACTED_STAFF)
    for party in third_parties:
        for term in (*party.names, *(form for day in party.dates_of_birth for form in _date_forms(day))):
            if len(term.strip()) > 1:
                patterns[_term_pattern(term)] = term.strip()
                terms[_key(term)] = REDACTED
        for address in party.addresses:
            _add_address(patterns, terms, address)
    if not patterns:
        return lambda text: text
    alternatives = "|".join(sorted(patterns, key=lambda pattern: len(patterns[pattern]), reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    # A match whose lower case is not a key (a letter whose cases do not round-trip) is a third party's: redact.
    return lambda text: pattern.sub(lambda match: terms.get(_key(match.group(0)), REDACTED), text)


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
    warning = document.add_paragraph()
    warning.add_run(FREE_TEXT_WARNING).bold = True
    document.add_paragraph(
        docx_text(
            f"Held by {export.marac_name}. Prepared {format_when(export.prepared_at)}. Other people's names, "
            f"dates of birth and addresses are shown as {REDACTED}; staff are named by agency and role only, and "
            "outside a victim's own request agencies are named by their type. "
            "A draft for the coordinator: check it for exemptions (DPA 2018 Schedule 2) before it is released."
        )
    )
    for section in export.sections:
        _section(document, section)
    return docx_bytes(document)
