"""The rules of an import, as plain functions with no ORM: each cell read and checked, each row checked, then the
rows checked against each other and against what earlier imports brought in. Every problem of every row is
reported, so one upload shows everything there is to correct.

Problems carry the value that was wrong: the coordinator who uploaded the file sees it, nobody else does, and it
never goes to a log (audit.logging keeps personal data out of logs; the import run holds its report encrypted).
"""

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from imports.columns import ACTION_COLUMNS, ACTIONS_SHEET, CASE_COLUMNS, CASES_SHEET, HEADING_ALIASES, Column
from people.matching import normalise_name
from web.postcodes import normalise_postcode

MAX_REFERENCE_LENGTH = 30
MAX_NAME_LENGTH = 100
MAX_ACTION_LENGTH = 2000
MAX_REASON_LENGTH = 2000
MAX_CHILDREN = 20
MAX_DASH_SCORE = 24
EARLIEST_DATE = date(1900, 1, 1)
# IDVA allocated within 48 hours: with only a date, an allocation up to two days after the referral date is on time.
IDVA_DAYS = 2

_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
# A whole number in the range of Excel's date serials for 1900 to 2100: a date cell formatted as a number.
_EXCEL_DATE_NUMBER = re.compile(r"^\d{5}(\.0+)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")

GENDERS = {
    "female": "female",
    "f": "female",
    "woman": "female",
    "male": "male",
    "m": "male",
    "man": "male",
    "non binary": "non_binary",
    "nonbinary": "non_binary",
    "other": "other",
    "not known": "not_known",
    "unknown": "not_known",
}
ETHNICITIES = {
    "asian": "asian",
    "asian or asian british": "asian",
    "black": "black",
    "black british caribbean or african": "black",
    "black black british caribbean or african": "black",
    "mixed": "mixed",
    "mixed or multiple ethnic groups": "mixed",
    "white": "white",
    "other": "other",
    "other ethnic group": "other",
    "not known": "not_known",
    "unknown": "not_known",
}
RELATIONSHIPS = {
    "intimate partner": "intimate_partner",
    "partner": "intimate_partner",
    "ex partner": "ex_partner",
    "expartner": "ex_partner",
    "former partner": "ex_partner",
    "adolescent to parent": "adolescent_to_parent",
    "other family member": "other_family_member",
    "family member": "other_family_member",
}
OUTCOMES = {"review": "review", "closed": "closed", "close": "closed", "transferred": "transferred"}
FOR_WHOM = {
    "victim": "victim",
    "children": "children",
    "child": "children",
    "perpetrator": "perpetrator",
    "someone else": "other",
    "other": "other",
    "staff safety": "staff",
    "staff": "staff",
}
STATUSES = {
    "open": "open",
    "done": "done",
    "completed": "done",
    "complete": "done",
    "cannot complete": "cannot_complete",
    # Closed by the chair or coordinator after the agency could not complete it (BD Completion of Actions): the
    # import records that closing as actions.ActionResolution, with the reason the file gives.
    "not completed": "not_completed",
    "closed as not completed": "not_completed",
}
STATUS_WORDS = "open, done, cannot complete, not completed"
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


# --- problems --------------------------------------------------------------------------------------------------


HIDDEN = "(value hidden)"
IGNORED = "is not a column OpenMARAC knows; ignored"
_LEGACY_UNKNOWN_HEADING = IGNORED


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about one cell, one row or the file."""

    sheet: str
    row: int  # as the spreadsheet numbers it: the heading row is 1; 0 for the file as a whole
    column: str  # the column's heading, or "" for the whole row
    value: str
    message: str
    # Other values from the file that the message quotes (the referral date a date is compared with, another row's
    # case reference), exactly as quoted: hidden with the value.
    quoted: tuple[str, ...] = ()
    # A person OpenMARAC already holds whom the row's victim or perpetrator was taken as (joined_problem).
    person: int = 0

    def __str__(self) -> str:
        where = f"Row {self.row} of {self.sheet}" if self.row else self.sheet
        return f"{where}, column '{self.column}': {self.message}" if self.column else f"{where}: {self.message}"

    @property
    def is_ignored_column(self) -> bool:
        """A column whose heading OpenMARAC does not know: its values were not read."""
        return self.row == 1 and self.message.endswith(IGNORED)

    def redacted(self) -> "Problem":
        """The same problem without the value from the file (for someone who may not see case data). A heading
        OpenMARAC does not know is itself from the file (a file without a heading row has a case's details there),
        so it goes too."""
        if self.row == 1 and self.message == _LEGACY_UNKNOWN_HEADING and self.column:
            # As reports kept before unknown headings were stored as values: the heading was the column.
            return Problem(
                self.sheet, 1, "", "", "a column whose heading is hidden here is not one OpenMARAC knows; ignored"
            )
        message = self.message
        # Longest first, so that a value inside another quoted one ("2022" in "03/02/2022") does not leave the rest.
        for quoted in sorted(_forms_quoted(self.value, *self.quoted), key=len, reverse=True):
            message = message.replace(f"'{quoted}'", HIDDEN)
            # The value as a word of the message, not inside another word: a cell of "n" must not eat "not".
            message = re.sub(rf"(?<!\w){re.escape(quoted)}(?!\w)", HIDDEN, message)
        return replace(self, value="", message=message, quoted=())

    @property
    def is_join(self) -> bool:
        """A row's person taken as someone OpenMARAC already holds, for the coordinator to check (joined_problem)."""
        return self.person > 0

    def as_list(self) -> list[str | int]:
        """As the report's CSV gives it: sheet, row, column, value, problem."""
        return [self.sheet, self.row, self.column, self.value, self.message]

    def as_stored(self) -> list[Any]:
        """As the run keeps it: as_list, then (where there are any) the quoted values and the person."""
        if not (self.quoted or self.person):
            return self.as_list()
        return [*self.as_list(), list(self.quoted), self.person]

    @classmethod
    def from_list(cls, values: list[Any]) -> "Problem":
        sheet, row, column, value, message, *extra = values
        quoted, person = extra if extra else ([], 0)
        return cls(str(sheet), int(row), str(column), str(value), str(message), tuple(quoted), int(person))


def _forms_quoted(*values: str) -> set[str]:
    """Each value as a message may quote it: as the cell holds it, without the apostrophe typed to keep it as text,
    with its spaces folded, and as a whole number without the ".0" some exports add."""
    forms: set[str] = set()
    for value in values:
        text = without_apostrophe(value)
        forms |= {value.strip(), text, " ".join(text.split()), re.sub(r"^(\d+)\.0+$", r"\1", text)}
    return {form for form in forms if form}


# --- cells -----------------------------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message names the value."""


def words(value: str) -> str:
    """Lower case, punctuation as spaces, spaces folded: "Ex-Partner" and "ex partner" agree."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value.lower()).split())


def parse_date(value: str) -> date | None:
    """DD/MM/YYYY (also with - or .) or YYYY-MM-DD; blank is None. Two-digit years are refused: 01/02/23 could
    be 1923 or 2023."""
    text = without_apostrophe(value)
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_MONTH_YEAR.match(text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) != 4:
            raise CellError(f"{text} has a two-digit year: write the year in full, for example 31/01/2024")
    elif _EXCEL_DATE_NUMBER.match(text):
        raise CellError(
            f"{text} is an Excel date stored as a number: in Excel, select the column, format its cells as a date "
            "(Format Cells, Date), save and upload the file again"
        )
    else:
        raise CellError(f"{text} is not a date: use DD/MM/YYYY or YYYY-MM-DD")
    try:
        return date(year, month, day)
    except ValueError:
        if month > 12 and day <= 12:
            raise CellError(
                f"{text} is not a date: there is no month {month}. OpenMARAC reads dates as day/month/year; "
                "if your file has them as month/day/year, change them to day/month/year"
            ) from None
        raise CellError(f"{text} is not a date") from None


def without_apostrophe(value: str) -> str:
    """The cell without the apostrophe that Excel users type to keep a number or date as text ('03/04/2024)."""
    text = value.strip()
    return text[1:].strip() if text.startswith("'") else text


def month_day_year(values: Iterable[tuple[int, str]]) -> list[int] | None:
    """The rows of a date column, if its dates look like month/day/year: at least one has a second number over 12
    (04/23/2024) and none a first number over 12. Then every day/month/year date in the column is in doubt
    (5/2/2024 would be read as 5 February), so all its slashed dates are refused, not only those that fail."""
    slashed: list[tuple[int, int, int]] = []
    for row, value in values:
        if match := _DAY_MONTH_YEAR.match(without_apostrophe(value)):
            slashed.append((row, int(match.group(1)), int(match.group(2))))
    if any(first > 12 for _, first, _ in slashed) or not any(second > 12 for _, _, second in slashed):
        return None
    return [row for row, _, _ in slashed]


def parse_yes_no(value: str) -> bool | None:
    text = words(value)
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"{value.strip()} is not yes or no: leave the cell blank where it is not known")


def parse_whole_number(value: str, *, low: int, high: int) -> int | None:
    text = without_apostrophe(value)
    if not text:
        return None
    # Excel writes a whole number as 16.0 in some exports (and a cell formatted with decimals reads so).
    text = re.sub(r"^(\d+)\.0+$", r"\1", text)
    if not re.fullmatch(r"\d+", text):
        raise CellError(f"{text} is not a whole number")
    number = int(text)
    if not low <= number <= high:
        raise CellError(f"{text} is not between {low} and {high}")
    return number


def parse_choice(value: str, choices: Mapping[str, str], accepted: str) -> str | None:
    text = words(value)
    if not text:
        return None
    if text in choices:
        return choices[text]
    if text.replace(" ", "_") in choices.values():
        return text.replace(" ", "_")
    raise CellError(f"{value.strip()} is not one of: {accepted}")


def parse_postcode(value: str) -> str:
    text = normalise_postcode(value, outward_code_alone=True)
    if text is None:
        raise CellError(f"{value.strip()} is not a UK postcode")
    return text


def parse_text(value: str, *, limit: int) -> str:
    text = " ".join(value.split())
    if len(text) > limit:
        raise CellError(f"is {len(text)} characters long; the most is {limit}")
    return text


# --- agencies --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyChoice:
    id: int
    name: str
    type_value: str
    type_label: str


class AgencyLookup:
    """An agency by its name, or by its type where the MARAC has only one agency of that type."""

    def __init__(self, agencies: Iterable[AgencyChoice]) -> None:
        self.by_name: dict[str, int] = {}
        self.names: list[str] = []
        by_type: dict[str, list[int]] = {}
        for agency in agencies:
            self.by_name[words(agency.name)] = agency.id
            self.names.append(agency.name)
            for name in {words(agency.type_value), words(agency.type_label)}:
                by_type.setdefault(name, []).append(agency.id)
        self.by_type = {name: ids[0] for name, ids in by_type.items() if len(set(ids)) == 1}
        self.ambiguous_types = {name for name, ids in by_type.items() if len(set(ids)) > 1}

    def find(self, value: str) -> int:
        text = words(value)
        if text in self.by_name:
            return self.by_name[text]
        if text in self.by_type:
            return self.by_type[text]
        if text in self.ambiguous_types:
            raise CellError(f"{value.strip()} fits more than one agency of this MARAC: use the agency's name")
        accepted = "; ".join(sorted(self.names)) or "none yet"
        raise CellError(
            f"{value.strip()} is not an agency of this MARAC: use one of its agencies' names ({accepted}), or the "
            "agency's type where the MARAC has only one of that type, or add the agency under Settings"
        )


# --- rows ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    given_name: str
    family_name: str
    date_of_birth: date | None
    gender: str = "not_known"
    ethnicity: str = "not_known"
    has_disability: bool | None = None
    postcode: str = ""

    @property
    def match_key(self) -> tuple[str, str, date] | None:
        """Name and date of birth as people.matching compares them for its "same name once spelling and punctuation
        are set aside" reason (name_for_matching); None without a date of birth."""
        if self.date_of_birth is None:
            return None
        return (name_for_matching(self.given_name), name_for_matching(self.family_name), self.date_of_birth)


_LATIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def name_for_matching(name: str) -> str:
    """A name as people.matching.normalise_name compares it: capitals, accents, punctuation and spaces set aside
    ("O'Brien-Smith" and "obrien smith" agree). normalise_name keeps only the letters a to z, so a name with other
    letters (another script, or "Ł") would lose them and two different names could agree ("" and ""): such a name
    is compared by its words, whatever their capitals, instead."""
    letters = "".join(
        char for char in unicodedata.normalize("NFKD", name) if char.isalpha() and not unicodedata.combining(char)
    )
    if all(char in _LATIN_LETTERS for char in letters):
        return normalise_name(name)
    return "\x00" + " ".join(name.casefold().split())  # never equal to a normalised name (letters a to z only)


@dataclass(frozen=True)
class CaseRow:
    row: int
    reference: str
    referred_on: date
    heard_on: date
    referring_agency_id: int
    victim: PersonRow
    perpetrator: PersonRow | None
    relationship: str
    children: int
    dash_score: int | None
    is_repeat: bool
    information_only: bool
    outcome: str
    idva_engaged: bool | None
    idva_allocated_on: date | None

    def details(self) -> dict[str, object]:
        """Everything but the row number: two rows with the same details are the same case."""
        values = dict(vars(self))  # not asdict(), which deep-copies and is the slowest step of a large import
        del values["row"]
        values["victim"] = vars(self.victim)
        values["perpetrator"] = vars(self.perpetrator) if self.perpetrator else None
        return values


@dataclass(frozen=True)
class ActionRow:
    row: int
    case_reference: str
    agency_id: int
    description: str
    for_whom: str
    due_on: date
    status: str
    completed_on: date | None
    # Why it was closed as not completed; only for a not completed action.
    not_completed_reason: str = ""

    @property
    def identity(self) -> tuple[str, int, str, date]:
        """What makes an action the same action in a later file: its case, agency, words and due date. Its
        status and completion may have moved on since."""
        return (self.case_reference, self.agency_id, words(self.description), self.due_on)

    def details(self) -> dict[str, object]:
        values = dict(vars(self))
        del values["row"]
        if not self.not_completed_reason:
            # Left out when blank, so an action imported before the reason column existed keeps its fingerprint
            # and a second import does not call it changed.
            del values["not_completed_reason"]
        return values


@dataclass
class _RowReader:
    """Reads one row's cells, collecting every problem rather than stopping at the first."""

    sheet: str
    row: int
    values: Mapping[str, str]
    columns: Mapping[str, Column]
    problems: list[Problem] = field(default_factory=list)

    def raw(self, key: str) -> str:
        return self.values.get(key, "")

    def problem(self, key: str, message: str, *, quoted: tuple[str, ...] = ()) -> None:
        self.problems.append(
            Problem(self.sheet, self.row, self.columns[key].heading, self.raw(key).strip(), message, quoted)
        )

    def read[T](self, key: str, parse: Callable[[str], T]) -> T | None:
        """The cell's value; None when it is blank (a problem if the column is required) or cannot be read."""
        if not self.raw(key).strip():
            if self.columns[key].required:
                self.problem(key, "is blank; it is needed")
            return None
        try:
            return parse(self.raw(key))
        except CellError as error:
            self.problem(key, str(error))
            return None

    def text(self, key: str, limit: int) -> str:
        return self.read(key, lambda value: parse_text(value, limit=limit)) or ""

    def date(self, key: str, *, today: date, future: bool = False) -> date | None:
        day = self.read(key, parse_date)
        if day is not None and day < EARLIEST_DATE:
            self.problem(key, f"{self.raw(key).strip()} is before 1900")
            return None
        if day is not None and not future and day > today:
            self.problem(key, f"{self.raw(key).strip()} is in the future")
            return None
        return day


_CASE_COLUMNS = {column.key: column for column in CASE_COLUMNS}
_ACTION_COLUMNS = {column.key: column for column in ACTION_COLUMNS}
_GENDER_WORDS = "female, male, non-binary, other, not known"


def _person(reader: _RowReader, prefix: str, *, today: date) -> PersonRow:
    given = reader.text(f"{prefix}_given_name", MAX_NAME_LENGTH)
    family = reader.text(f"{prefix}_family_name", MAX_NAME_LENGTH)
    born = reader.date(f"{prefix}_date_of_birth", today=today)
    gender = reader.read(f"{prefix}_gender", lambda value: parse_choice(value, GENDERS, _GENDER_WORDS))
    ethnicity = disability = None
    postcode = ""
    if prefix == "victim":
        ethnicity = reader.read(
            "victim_ethnicity",
            lambda value: parse_choice(value, ETHNICITIES, "Asian, Black, Mixed, White, Other, not known"),
        )
        disability = reader.read("victim_disability", parse_yes_no)
        postcode = reader.read("victim_postcode", parse_postcode) or ""
    return PersonRow(given, family, born, gender or "not_known", ethnicity or "not_known", disability, postcode)


def _perpetrator(reader: _RowReader, *, today: date) -> PersonRow | None:
    keys = ["perpetrator_given_name", "perpetrator_family_name", "perpetrator_date_of_birth", "perpetrator_gender"]
    if not any(reader.raw(key).strip() for key in keys):
        return None
    person = _person(reader, "perpetrator", today=today)
    if not (person.given_name or person.family_name):
        reader.problem(
            "perpetrator_family_name",
            "is blank: give the perpetrator's given or family name, or leave every perpetrator column blank",
        )
    return person


def validate_case_row(
    row: int, values: Mapping[str, str], *, agencies: AgencyLookup, today: date
) -> tuple[CaseRow | None, list[Problem]]:
    """One row of the Cases sheet: the case, or every problem with it."""
    reader = _RowReader(CASES_SHEET, row, values, _CASE_COLUMNS)
    reference = reader.read("reference", lambda value: parse_text(value, limit=MAX_REFERENCE_LENGTH))
    referred_on = reader.date("referred_on", today=today)
    heard_on = reader.date("heard_on", today=today)
    _before_referral(reader, "heard_on", heard_on, referred_on, "a case is heard after it is referred")
    agency_id = reader.read("referring_agency", agencies.find)
    victim = _person(reader, "victim", today=today)
    _born_by_referral(reader, "victim", victim.date_of_birth, referred_on)
    if not (victim.given_name or victim.family_name):
        reader.problem("victim_family_name", "is blank: a victim needs a given name or a family name")
    perpetrator = _perpetrator(reader, today=today)
    _born_by_referral(reader, "perpetrator", perpetrator.date_of_birth if perpetrator else None, referred_on)
    relationship = reader.read(
        "relationship",
        lambda value: parse_choice(
            value, RELATIONSHIPS, "intimate partner, ex-partner, adolescent to parent, other family member"
        ),
    )
    children = reader.read("children", lambda value: parse_whole_number(value, low=0, high=MAX_CHILDREN))
    dash_score = reader.read("dash_score", lambda value: parse_whole_number(value, low=0, high=MAX_DASH_SCORE))
    is_repeat = reader.read("repeat", parse_yes_no)
    information_only = reader.read("information_only", parse_yes_no)
    outcome = reader.read("outcome", lambda value: parse_choice(value, OUTCOMES, "review, closed, transferred"))
    idva_engaged = reader.read("idva_engaged", parse_yes_no)
    allocated = reader.date("idva_allocated_on", today=today)
    _before_referral(
        reader, "idva_allocated_on", allocated, referred_on, "an IDVA is allocated after the case is referred"
    )
    if (reference, victim.given_name, victim.family_name) == _EXAMPLE_CASE:
        reader.problems.append(_example_row(CASES_SHEET, row, reference or ""))
    if reader.problems:
        return None, reader.problems
    assert reference and referred_on and heard_on and agency_id is not None and is_repeat is not None
    return (
        CaseRow(
            row=row,
            reference=reference,
            referred_on=referred_on,
            heard_on=heard_on,
            referring_agency_id=agency_id,
            victim=victim,
            perpetrator=perpetrator,
            relationship=relationship or "",
            children=children or 0,
            dash_score=dash_score,
            is_repeat=is_repeat,
            information_only=bool(information_only),
            outcome=outcome or "",
            idva_engaged=idva_engaged,
            idva_allocated_on=allocated,
        ),
        [],
    )


_EXAMPLE_CASE = tuple(_CASE_COLUMNS[key].example for key in ("reference", "victim_given_name", "victim_family_name"))
_EXAMPLE_ACTION = (_ACTION_COLUMNS["case_reference"].example, words(_ACTION_COLUMNS["action"].example))


def _example_row(sheet: str, row: int, reference: str) -> Problem:
    # The template's fictional example, left in: imported, it would be a case (or action) nobody ever heard.
    return Problem(
        sheet,
        row,
        "",
        reference,
        "is the template's fictional example row (Fictionalia Imaginary): delete it from the file",
    )


def _heading(reader: _RowReader, key: str) -> str:
    return reader.columns[key].heading


def _born_by_referral(reader: _RowReader, prefix: str, born: date | None, referred_on: date | None) -> None:
    # Cross-field: nobody is referred before they are born (a date of birth typed in the wrong column, or a year).
    key = f"{prefix}_date_of_birth"
    if born and referred_on and born > referred_on:
        reader.problem(
            key,
            f"{reader.raw(key).strip()} is after the {_heading(reader, 'referred_on')} "
            f"({reader.raw('referred_on').strip()}): the {prefix} cannot be born after the case was referred",
            quoted=(reader.raw("referred_on"),),
        )


def _before_referral(reader: _RowReader, key: str, day: date | None, referred_on: date | None, what: str) -> None:
    # Cross-field, naming both columns: nothing about a case happens before it was referred.
    if day and referred_on and day < referred_on:
        reader.problem(
            key,
            f"{reader.raw(key).strip()} is before the {_heading(reader, 'referred_on')} "
            f"({reader.raw('referred_on').strip()}): {what}",
            quoted=(reader.raw("referred_on"),),
        )


def validate_action_row(
    row: int, values: Mapping[str, str], *, agencies: AgencyLookup, today: date
) -> tuple[ActionRow | None, list[Problem]]:
    """One row of the Actions sheet: the action, or every problem with it."""
    reader = _RowReader(ACTIONS_SHEET, row, values, _ACTION_COLUMNS)
    reference = reader.read("case_reference", lambda value: parse_text(value, limit=MAX_REFERENCE_LENGTH))
    agency_id = reader.read("agency", agencies.find)
    description = reader.text("action", MAX_ACTION_LENGTH)
    for_whom = reader.read(
        "for_whom",
        lambda value: parse_choice(value, FOR_WHOM, "victim, children, perpetrator, someone else, staff safety"),
    )
    due_on = reader.date("due_on", today=today, future=True)
    status = reader.read("status", lambda value: parse_choice(value, STATUSES, STATUS_WORDS))
    completed_on = reader.date("completed_on", today=today)
    if status == "done" and completed_on is None and not reader.raw("completed_on").strip():
        reader.problem("completed_on", "is blank: a done action needs the day it was done")
    if status == "open" and completed_on is not None:
        reader.problem("completed_on", f"{reader.raw('completed_on').strip()} is given but the action is open")
    reason = _not_completed_reason(reader, status)
    if (reference, words(description)) == _EXAMPLE_ACTION:
        reader.problems.append(_example_row(ACTIONS_SHEET, row, reference or ""))
    if reader.problems:
        return None, reader.problems
    assert reference and agency_id is not None and due_on and status
    return (
        ActionRow(row, reference, agency_id, description, for_whom or "victim", due_on, status, completed_on, reason),
        [],
    )


def _not_completed_reason(reader: _RowReader, status: str | None) -> str:
    """A not completed action needs the reason it was closed so and the day it was (the resolution records both,
    as when the chair closes one in OpenMARAC); any other action has no such reason, so one given is a mistake in
    the row rather than something to drop unseen."""
    reason = reader.text("not_completed_reason", MAX_REASON_LENGTH)
    if status == "not_completed":
        if "not_completed_reason" not in reader.values:
            heading = reader.columns["not_completed_reason"].heading
            reader.problem(
                "not_completed_reason",
                f"is not a column of the file: a not completed action needs the reason it was closed, in a column "
                f"headed '{heading}'",
            )
        elif not reader.raw("not_completed_reason").strip():
            reader.problem("not_completed_reason", "is blank: a not completed action needs the reason it was closed")
        if not reader.raw("completed_on").strip():
            reader.problem("completed_on", "is blank: a not completed action needs the day it was closed")
    elif reason and status is not None:
        reader.problem("not_completed_reason", "is given but the action is not 'not completed'")
    return reason


# --- headings --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headings:
    keys: list[str | None]  # for each column of the sheet, the key it holds, or None for a column we do not know
    problems: list[Problem]
    warnings: list[Problem]  # with each column whose heading OpenMARAC does not know (Problem.is_ignored_column)


def read_headings(sheet: str, headings: list[str], columns: tuple[Column, ...]) -> Headings:
    """Columns in any order, matched on their headings whatever the case and spacing. A heading OpenMARAC does not
    know is kept as the problem's value, never its column, so that the report can hide it like any other value."""
    known = {words(column.heading): column for column in columns} | {words(column.key): column for column in columns}
    by_key = {column.key: column for column in columns}
    aliases = {alias: by_key[key] for alias, key in HEADING_ALIASES.get(sheet, {}).items() if key in by_key}
    known = aliases | known  # a column's own heading wins
    if not looks_like_headings(headings, known):
        return Headings([None] * len(headings), [_no_heading_row(sheet, columns)], [])
    keys: list[str | None] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    seen: set[str] = set()
    for position, heading in enumerate(headings, start=1):
        column = known.get(words(heading))
        if column is None:
            if heading.strip():
                warnings.append(
                    Problem(
                        sheet,
                        1,
                        "",
                        heading.strip(),
                        f"column {position}, headed '{heading.strip()}', is not a column OpenMARAC knows; ignored",
                    )
                )
            keys.append(None)
            continue
        if column.key in seen:
            problems.append(Problem(sheet, 1, column.heading, "", "appears twice in the heading row"))
        elif words(heading) not in {words(column.heading), words(column.key)}:
            warnings.append(
                Problem(
                    sheet,
                    1,
                    column.heading,
                    heading.strip(),
                    f"column {position}, headed '{heading.strip()}', is read as '{column.heading}'",
                )
            )
        seen.add(column.key)
        keys.append(column.key)
    for column in columns:
        if column.required and column.key not in seen:
            problems.append(Problem(sheet, 1, column.heading, "", "is missing from the heading row"))
    return Headings(keys, problems, warnings)


def looks_like_headings(headings: list[str], known: Mapping[str, Column]) -> bool:
    """False for a first row that holds a case rather than headings: none of its cells is a heading OpenMARAC
    knows, or one of them is a date (no heading is)."""
    cells = [heading.strip() for heading in headings if heading.strip()]
    if not cells:
        return True  # a blank heading row: every required column is reported missing
    if not any(words(cell) in known for cell in cells):
        return False
    return not any(_is_date(cell) for cell in cells)


def _is_date(text: str) -> bool:
    try:
        return parse_date(text) is not None
    except CellError:
        return bool(_DAY_MONTH_YEAR.match(text))


def _no_heading_row(sheet: str, columns: tuple[Column, ...]) -> Problem:
    # Nothing from the row is quoted: without headings, it is a case's details.
    required = ", ".join(column.heading for column in columns if column.required)
    return Problem(
        sheet,
        0,  # the sheet as a whole: none of its rows was read
        "",
        "",
        "The first row does not look like a heading row: it must hold the column headings, such as "
        f"{required} (download the template to see them all), with the rows of data under it",
    )


# --- the rows against each other -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Previous:
    """What earlier imports at this MARAC brought in: fingerprints by case reference and by action key."""

    cases: Mapping[str, str]
    actions: Mapping[str, str]
    # References of cases in OpenMARAC that no import at this MARAC made: a new case cannot take one.
    references_taken: frozenset[str] = frozenset()


@dataclass
class Sorted:
    """The rows to create, and what was found out about the rest."""

    new_cases: list[CaseRow] = field(default_factory=list)
    new_actions: list[ActionRow] = field(default_factory=list)
    already_imported: int = 0
    changed: int = 0
    repeated_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def fingerprint(details: Mapping[str, object], key: bytes) -> str:
    """A keyed hash of a row's details: tells a changed row from an unchanged one without keeping the row."""
    canonical = json.dumps(details, sort_keys=True, default=str)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def action_key(action: ActionRow) -> str:
    """The identity of an action, hashed so that its words never sit in the mapping table. Not keyed, unlike the
    fingerprints: a new SECRET_KEY must not make a second import create every action again."""
    canonical = json.dumps(action.identity, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def sort_rows(
    cases: list[CaseRow],
    actions: list[ActionRow],
    previous: Previous,
    *,
    key: bytes,
    references_in_file: frozenset[str] = frozenset(),
    actions_with_problems: Iterable[tuple[int, str]] = (),
) -> Sorted:
    """Cross-row checks, then which rows are new. A case reference twice with different details, or an action for a
    case that neither the file nor an earlier import holds, is a problem; rows an earlier import brought in are
    counted, and where they have changed since, left as they are with a warning (OpenMARAC now holds them).
    references_in_file: every reference on the Cases sheet, rows with problems included, so that their actions are
    not also reported as belonging to no case. actions_with_problems: the row and case reference of each action row
    that had problems of its own, so that a case reference belonging to no case is reported with them, in the same
    check, rather than only once they are corrected."""
    result = Sorted()
    first: dict[str, CaseRow] = {}
    for case in cases:
        earlier = first.get(case.reference)
        if earlier is None:
            first[case.reference] = case
        elif earlier.details() != case.details():
            result.problems.append(_reference_repeated(case.row, case.reference, earlier.row))
            continue
        else:
            result.repeated_rows += 1
            continue
        _sort_case(case, previous, key, result)
    known_cases = set(first) | set(previous.cases) | references_in_file
    first_action: dict[tuple[str, int, str, date], ActionRow] = {}
    for row, reference in actions_with_problems:
        if reference and reference not in known_cases:
            result.problems.append(_no_such_case(row, reference))
    for action in actions:
        if action.case_reference not in known_cases:
            result.problems.append(_no_such_case(action.row, action.case_reference))
            continue
        if case_problems := _before_its_case(action, first.get(action.case_reference)):
            result.problems += case_problems
            continue
        earlier_action = first_action.get(action.identity)
        if earlier_action is not None:
            result.problems.append(
                Problem(
                    ACTIONS_SHEET,
                    action.row,
                    "",
                    "",
                    f"repeats row {earlier_action.row}: the same case, agency, action and due date",
                )
            )
            continue
        first_action[action.identity] = action
        _sort_action(action, previous, key, result)
    return result


def _reference_repeated(row: int, reference: str, earlier_row: int) -> Problem:
    return Problem(
        CASES_SHEET,
        row,
        "Case reference",
        reference,
        f"{reference} is also on row {earlier_row}, with different details",
    )


@dataclass(frozen=True)
class CaseCells:
    """A row of the Cases sheet as it was read: its case reference and cells (spaces folded), and whether it had
    problems of its own (so that it was not read into a case, and sort_rows does not see it)."""

    row: int
    reference: str
    cells: tuple[tuple[str, str], ...]
    has_problems: bool


def case_cells(row: int, values: Mapping[str, str], *, has_problems: bool) -> CaseCells:
    reference = " ".join(values.get("reference", "").split())
    cells = tuple(sorted((key, " ".join(value.split())) for key, value in values.items()))
    return CaseCells(row, reference, cells, has_problems)


def references_repeated_with_problems(rows: Iterable[CaseCells]) -> list[Problem]:
    """A case reference on an earlier row with other cells, where either row has problems of its own: reported with
    those problems, in the same check, not only once they are corrected (every problem of every row is reported).
    Between two rows without problems sort_rows decides, comparing what they were read as ("16.0" is 16)."""
    first: dict[str, CaseCells] = {}
    first_read: set[str] = set()
    problems = []
    for row in sorted(rows, key=lambda each: each.row):
        if not row.reference:
            continue
        earlier = first.setdefault(row.reference, row)
        if not row.has_problems:
            if row.reference in first_read:
                continue  # sort_rows compares it with the earlier row read without problems
            first_read.add(row.reference)
        if earlier is not row and (row.has_problems or earlier.has_problems) and earlier.cells != row.cells:
            problems.append(_reference_repeated(row.row, row.reference, earlier.row))
    return problems


def joined_problem(row: int, reference: str, role: str, person: int) -> Problem:
    """A note for the coordinator, not a problem: the row's victim or perpetrator was taken as a person OpenMARAC
    already holds (the same name and date of birth), which a referral's same-person check would have asked the
    coordinator to decide. Listed so that each can be checked, and corrected where it is not the same person."""
    return Problem(
        CASES_SHEET,
        row,
        "",
        reference,
        f"the {role} of case {reference} has the same name and date of birth as a person OpenMARAC already holds, "
        "so is taken as that person: check that it is the same person",
        person=person,
    )


def _before_its_case(action: ActionRow, case: CaseRow | None) -> list[Problem]:
    """Cross-sheet, naming both columns: an action is agreed at the case's hearing, so it cannot fall due, or be
    done, before the case was referred (a year mistyped, or a date of another case)."""
    if case is None:
        return []
    problems = []
    for column, day in (("Due date", action.due_on), ("Completed date", action.completed_on)):
        if day is not None and day < case.referred_on:
            problems.append(
                Problem(
                    ACTIONS_SHEET,
                    action.row,
                    column,
                    f"{day:%d/%m/%Y}",
                    f"{day:%d/%m/%Y} is before the Referral date of case {case.reference} "
                    f"({case.referred_on:%d/%m/%Y}, row {case.row} of Cases)",
                    quoted=(case.reference, f"{case.referred_on:%d/%m/%Y}"),
                )
            )
    return problems


def _no_such_case(row: int, reference: str) -> Problem:
    return Problem(
        ACTIONS_SHEET,
        row,
        "Case reference",
        reference,
        f"{reference} is not a case on the Cases sheet or imported before",
    )


def action_reference(values: Mapping[str, str]) -> str:
    """An action row's case reference as validate_action_row reads it; "" where it cannot be read (that is already
    a problem of the row)."""
    try:
        return parse_text(values.get("case_reference", ""), limit=MAX_REFERENCE_LENGTH)
    except CellError:
        return ""


def in_report_order(problems: Iterable[Problem]) -> list[Problem]:
    """The file's problems, the whole file's first, then the Cases sheet's and the Actions sheet's, each by row: a
    row's problems together, whichever check found them (kept in the order found within a row)."""
    sheets = {CASES_SHEET: 1, ACTIONS_SHEET: 2}
    return sorted(problems, key=lambda problem: (sheets.get(problem.sheet, 0), problem.row))


def _sort_case(case: CaseRow, previous: Previous, key: bytes, result: Sorted) -> None:
    held = previous.cases.get(case.reference)
    if held is None:
        if case.reference in previous.references_taken:
            result.problems.append(
                Problem(
                    CASES_SHEET,
                    case.row,
                    "Case reference",
                    case.reference,
                    f"{case.reference} is already the reference of another case in OpenMARAC; references must be "
                    "unique, so change it in the file (for example, add a prefix)",
                )
            )
        else:
            result.new_cases.append(case)
        return
    changed = Problem(
        CASES_SHEET,
        case.row,
        "",
        case.reference,
        f"case {case.reference} was imported before and has changed in the file since; it is left as "
        "OpenMARAC holds it (change it there)",
    )
    _count_imported_before(held, fingerprint(case.details(), key), changed, result)


def _sort_action(action: ActionRow, previous: Previous, key: bytes, result: Sorted) -> None:
    held = previous.actions.get(action_key(action))
    if held is None:
        result.new_actions.append(action)
        return
    changed = Problem(
        ACTIONS_SHEET,
        action.row,
        "",
        action.case_reference,
        "this action was imported before and has changed in the file since (its status or completed "
        "date?); it is left as OpenMARAC holds it (update it there)",
    )
    _count_imported_before(held, fingerprint(action.details(), key), changed, result)


def _count_imported_before(held: str, now: str, changed: Problem, result: Sorted) -> None:
    """A row imported by an earlier run is not imported again; if the file changed it since, say so."""
    result.already_imported += 1
    if held != now:
        result.changed += 1
        result.warnings.append(changed)


def idva_due_on(referred_on: date) -> date:
    """The last day an IDVA allocation counts as within 48 hours when only dates are known."""
    return referred_on + timedelta(days=IDVA_DAYS)


# --- the file as a whole ------------------------------------------------------------------------------------------

# The same problem on more rows than this is reported once, with its rows: one agency misspelt on 20,000 rows is
# one thing to correct, not 20,000.
GROUP_AFTER = 5


def grouped(problems: list[Problem]) -> list[Problem]:
    """Problems alike in all but their row (same sheet, column, value and message) reported once where there are
    more than GROUP_AFTER of them, at their first row, saying on how many rows and which; the rest as they were."""
    alike: dict[tuple[str, str, str, str], list[int]] = {}
    for problem in problems:
        if problem.row > 1:
            alike.setdefault((problem.sheet, problem.column, problem.value, problem.message), []).append(problem.row)
    result: list[Problem] = []
    for problem in problems:
        rows = alike.get((problem.sheet, problem.column, problem.value, problem.message), [])
        if len(rows) <= GROUP_AFTER or problem.row <= 1:
            result.append(problem)
        elif problem.row == rows[0]:
            result.append(replace(problem, message=f"{problem.message} (on {len(rows):,} rows: {row_ranges(rows)})"))
    return result


def row_ranges(rows: Iterable[int], most: int = 10) -> str:
    """2, 5 to 9, 12: runs of consecutive rows joined; after `most` runs, how many more rows."""
    runs: list[list[int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    text = ", ".join(f"{low:,}" if low == high else f"{low:,} to {high:,}" for low, high in runs[:most])
    left = sum(high - low + 1 for low, high in runs[most:])
    return f"{text} and {left:,} more" if left else text


def month_day_year_problem(sheet: str, column: Column, rows: list[int]) -> Problem:
    return Problem(
        sheet,
        0,
        column.heading,
        "",
        "this column's dates look like month/day/year (one has a second number over 12): OpenMARAC reads "
        "day/month/year, so 05/02/2024 would be read as 5 February. Change the column's dates to day/month/year "
        f"(or YYYY-MM-DD) and upload the file again. Rows: {row_ranges(rows)}",
    )


def meeting_run_here_problem(row: int, value: str, heard_on: date) -> Problem:
    return Problem(
        CASES_SHEET,
        row,
        _CASE_COLUMNS["heard_on"].heading,
        value,
        f"OpenMARAC ran the meeting of {heard_on.day} {heard_on:%B %Y}: cases heard at meetings run here cannot be "
        "imported; leave the rows of meetings from when you started using OpenMARAC out of the file",
        quoted=(f"{heard_on.day} {heard_on:%B %Y}",),
    )


def unheaded_column_problem(sheet: str, letter: str, rows: list[int]) -> Problem:
    return Problem(
        sheet,
        1,
        "",
        "",
        f"column {letter} has no heading but has values (rows {row_ranges(rows)}): if its heading cell is merged "
        "with the one beside it, unmerge the cells and give each column its own heading",
    )


def headings_lower_down(sheet: str, row: int) -> Problem:
    return Problem(
        sheet,
        0,
        "",
        "",
        f"The headings are on row {row}, not row 1: delete the rows above the headings (a title, for example), so "
        "that the headings are the first row",
    )


def formula_without_value(sheet: str, row: int, heading: str) -> Problem:
    return Problem(
        sheet,
        row,
        heading,
        "",
        "is a formula whose result the file does not hold (the file was not saved by Excel after the formula was "
        "written): open the file in Excel and save it, or copy the column and paste it back as values",
    )
