"""A subject access export (UK GDPR Article 15): everything held on one person, as a Word document, with third
parties redacted. The redaction is a plain function (no database): the names (other names and aliases too), dates
of birth and addresses (lines, towns, postcodes however written and their districts) of the other people in the
subject's cases, and every phone number and email address but the subject's own, wherever they appear in free text,
become "[redacted: third party]".
Staff are named by agency and role only (see REDACTED_STAFF); the coordinator reviews the draft for exemptions before
it is released. governance/subject_access_selectors.py gathers the data; the view audits the export."""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from docx import Document
from docx.document import Document as DocxDocument

from referrals.calendar import format_when
from web.documents import british_english, docx_bytes, mark_paragraph, word_table
from web.postcodes import postcode_parts
from web.text import docx_text

REDACTED = "[redacted: third party]"
# Staff names are withheld, their agency and role kept: the subject learns who held and saw their data (the
# recipients Article 15 asks for), while a perpetrator's request cannot name the workers who supported a victim.
REDACTED_STAFF = "[redacted: member of staff]"
# The redaction finds only what is held as someone's name, date of birth or address, and phone numbers and email
# addresses by their shape. A minute or a piece of research can still point to where a victim or child now is in
# words nothing else holds (a school, a landmark, a new neighbour, a street or town typed differently), and a
# perpetrator must never learn it.
FREE_TEXT_WARNING = (
    "Warning: read every passage of free text before this is released. Redaction takes out automatically: the "
    "names other people are held under (with the other names and aliases recorded for them), their dates of birth "
    "and their addresses (address lines, towns and postcodes, with their districts); every phone number and email "
    "address except the subject's own safe contact details (a reference number that looks like a phone number goes "
    "too); and staff names (staff are given by agency and role). A staff member's given or family name on its own, "
    "and another person's single name that is also an ordinary word (Pat, Rose, Will), are taken out only where "
    "they are written with a capital letter. You must still check by reading: names in lower case, spelt "
    "differently, or nicknames nothing records; a school, a landmark, a street or town spelt differently, a refuge "
    "or service by its name; anything that says what the victim told an agency or that she has support. Take out "
    "anything that could show where a victim or child lives or goes, above all in a request from a perpetrator, or "
    "from a parent for a child. Research and record views by the IDVA service and specialist domestic abuse "
    "services are left out of every draft but the victim's own."
)
# Single names that are also ordinary English words. Alone, one is redacted only where it is written with a capital
# (as a name is, "Pat to call") and not joined to another word by a hyphen ("the pat-down search"); as part of a full
# name ("Pat Police-Rep") it always is. A lower-case match would take words out of every sentence, and a name left
# out entirely would leave "Rose said" in a perpetrator's draft. Staff names are matched this way whatever the word
# ("her advocate" stays, "Advocate to call" goes): no list holds every surname that is a word, and a third party's
# name, which could find a victim, is matched in any case unless it is on this list.
_ORDINARY_WORDS = """
amber april art august autumn baker bell berry bill black bob brook brown bush cash chance chase cook crystal
daisy dawn dean don dot early faith fern field fish fox frank friend gay gene glen grace gray green grey hale
hall hazel heather hill holly hope house hunter iris ivy jack jay jewel joy june king lamb lane law little long
love mark march marsh may mill miles moss nick page pat pearl penny price ray read reed rich rob robin rose ruby
rush sage short sky small stone storm summer sunny sue violet wade walker ward wells white will win winter wolf
wood young
"""
ORDINARY_WORDS = frozenset(_ORDINARY_WORDS.split())


@dataclass(frozen=True)
class ThirdParty:
    """Everything a person is known by or can be found through. Other people's are redacted; the subject's own
    (given as the redactor's subject) never are, even where another person's record holds the same."""

    names: tuple[str, ...]  # full names, given and family names, other names and aliases, each word of them
    dates_of_birth: tuple[date, ...] = ()
    addresses: tuple[str, ...] = ()  # address lines, towns and postcodes, earlier and confidential ones too
    contacts: tuple[str, ...] = ()  # text holding phone numbers and email addresses (a safe contact note)


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
# A UK phone number however it is spaced or punctuated: "07700 900456", "(01632) 960 001", "+44 7700 900456".
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s*(?:\(0\)\s*)?|\(?0)(?:[\s\-().]{0,2}\d){9,10}(?![\w])")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


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


def _term_pattern(term: str, *, as_name: bool = False) -> str:
    """A term as a pattern: its words separated by any white space (a line break in a minute, two spaces). A single
    word written as a name (as_name, ORDINARY_WORDS) must start with a capital and not be joined to another word by
    a hyphen."""
    words = term.split()
    if len(words) == 1 and (as_name or words[0].lower() in ORDINARY_WORDS):
        return _as_name(words[0])
    return r"\s+".join(re.escape(word) for word in words)


def _as_name(word: str) -> str:
    return rf"(?<!\w-)(?-i:{re.escape(word[0].upper())}){re.escape(word[1:])}(?!-\w)"


def _address_terms(text: str) -> dict[str, str]:
    """A postcode however it is written ("AC7 2PX", "ac72px") and its outward code on its own ("AC7": the district
    alone is enough to find a town); any other address part in the forms _address_forms gives. Pattern: term."""
    outward, inward = postcode_parts(text)
    if outward and inward:
        return {rf"{re.escape(outward)}\s*{re.escape(inward)}": f"{outward} {inward}", re.escape(outward): outward}
    if outward:
        return {re.escape(outward): outward}
    return {_term_pattern(form): form for form in _address_forms(text) if len(form) > 1}


def _party_terms(party: ThirdParty) -> dict[str, str]:
    """Every pattern that finds one of a person's names, dates of birth or addresses, with the term it finds."""
    patterns: dict[str, str] = {}
    for term in (*party.names, *(form for day in party.dates_of_birth for form in _date_forms(day))):
        if len(term.strip()) > 1:
            patterns[_term_pattern(term)] = term.strip()
    for address in party.addresses:
        patterns.update(_address_terms(address))
    return patterns


def _phone_key(number: str) -> str:
    digits = "".join(character for character in number if character.isdigit())
    if digits.startswith("44"):
        digits = digits[2:]
        return digits if digits.startswith("0") else f"0{digits}"
    return digits


def _contact_redactor(own: Iterable[str]) -> Callable[[str], str]:
    """Every phone number and email address, except the subject's own: nothing in a minute says whose a number is,
    and a victim's new number in a perpetrator's draft would find her. A helpline's number goes too; the reviewer can
    put it back."""
    kept = {_phone_key(found) for text in own for found in _PHONE.findall(text)}
    kept |= {found.lower() for text in own for found in _EMAIL.findall(text)}

    def redact(text: str) -> str:
        text = _EMAIL.sub(lambda match: match.group(0) if match.group(0).lower() in kept else REDACTED, text)
        return _PHONE.sub(lambda match: match.group(0) if _phone_key(match.group(0)) in kept else REDACTED, text)

    return redact


def redactor(
    third_parties: Iterable[ThirdParty], staff_names: Iterable[str] = (), *, subject: ThirdParty | None = None
) -> Callable[[str], str]:
    """A function that redacts every third party's names, dates of birth and addresses (lines, town, postcode and
    its district), every phone number and email address, and staff names, from a text: whole words only and whatever
    the case (but see ORDINARY_WORDS); longer terms first, so "Jo Bloggs" becomes one marker, not two. What is the
    subject's own (their names, addresses, date of birth and safe contact details) stays, even where another
    person's record holds it too: a child's record holds the victim's address, a married couple share a name."""
    terms: dict[str, str] = {}  # what a match reads as (lower case, single spaces): its marker
    patterns: dict[str, str] = {}  # a pattern: the term it finds, whose length orders the alternatives
    for name in staff_names:
        for term in (name, *name.split()):
            if len(term.strip()) > 1:
                patterns[_term_pattern(term, as_name=True)] = term.strip()
                terms.setdefault(_key(term), REDACTED_STAFF)
    for party in third_parties:
        found = _party_terms(party)
        patterns.update(found)
        terms.update({_key(term): REDACTED for term in found.values()})
    own = {_key(term) for term in _party_terms(subject).values()} if subject else set()
    patterns = {pattern: term for pattern, term in patterns.items() if _key(term) not in own}
    contacts = _contact_redactor(subject.contacts if subject else ())
    if not patterns:
        return contacts
    alternatives = "|".join(sorted(patterns, key=lambda pattern: len(patterns[pattern]), reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    # A match whose lower case is not a key (a letter whose cases do not round-trip) is a third party's: redact.
    return lambda text: pattern.sub(lambda match: terms.get(_key(match.group(0)), REDACTED), contacts(text))


def names_of(given_name: str, family_name: str) -> list[str]:
    full = f"{given_name} {family_name}".strip()
    return [name for name in (full, given_name, family_name) if name]


# "Mira Hollis, Mimi; known as M. Hollis (née Smith)": separators between the names one field holds.
_NAME_SEPARATORS = re.compile(r"[,;/\n()]|\b(?:and|or|aka|a\.k\.a\.|also known as|known as|née|nee)\b", re.IGNORECASE)


def other_names_of(text: str) -> list[str]:
    """Each name in a field of other names, and each word of it: "Mira Hollis, Mimi" gives "Mira Hollis", "Mira",
    "Hollis" and "Mimi"."""
    names: list[str] = []
    for piece in _NAME_SEPARATORS.split(text):
        name = " ".join(piece.strip(" .'\"").split())
        if name:
            names += [name, *name.split()] if " " in name else [name]
    return names


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
    british_english(document)
    mark_paragraph(document.sections[0].header.paragraphs[0])
    title = f"Subject access: information held on person {export.person_id}"
    document.core_properties.title = title
    document.add_heading(title, level=0)
    warning = document.add_paragraph()
    warning.add_run(FREE_TEXT_WARNING).bold = True
    document.add_paragraph(
        docx_text(
            f"Held by {export.marac_name}. Prepared {format_when(export.prepared_at)}. Other people's names, "
            f"dates of birth, addresses, phone numbers and email addresses are shown as {REDACTED}; staff are "
            "named by agency and role only, and "
            "outside a victim's own request agencies are named by their type. "
            "A draft for the coordinator: check it for exemptions (DPA 2018 Schedule 2) before it is released."
        )
    )
    for section in export.sections:
        _section(document, section)
    return docx_bytes(document)
