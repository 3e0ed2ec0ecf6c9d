"""Importing a MARAC's history: an upload becomes an ImportRun; the run reads the file, checks every row, and
only if nothing is wrong writes everything in one transaction (all or nothing). Rows an earlier import brought in
are recognised through ImportedRecord and created again never.

What a heard case needs so that the boards' figures count it as they count a case run in OpenMARAC (see
demo.generator, which writes the same set): the victim (and perpetrator, and a child for each child) as people and
case parties, the case with its referral and hearing dates, referring agency, repeat flag and DASH score, the
meeting that heard it with the case listed on it (kind and outcome), an IDVA allocation where its date is known,
and the actions on that listing. A meeting the import makes gets a MeetingState saying only that its case list went
out (at the meeting's time, the latest it can have), so the representatives see it as they see any meeting held:
its status stays "scheduled", never "closed", because it was not run in OpenMARAC, so the figures that need
research, minutes and registers leave it out rather than count it as "nothing done".
"""

import base64
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from actions.models import Action, ActionResolution, ActionStatus, ResolutionKind
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseParty, PartyRole
from imports import rules
from imports.columns import ACTION_COLUMNS, ACTIONS_SHEET, CASE_COLUMNS, CASES_SHEET, DATE_FORMATS, Column
from imports.models import UNDER_WAY, ImportedRecord, ImportRun, RecordKind, RunStatus
from imports.reading import Table, UnreadableFile, read_upload
from imports.rules import ActionRow, AgencyChoice, AgencyLookup, CaseRow, PersonRow, Problem
from imports.stalling import STALLED_AFTER_MINUTES, STOPPED_MESSAGE, stalled_before
from marac.models import Marac, MaracAgency
from meetings import live_rules
from meetings.models import Listing, ListingKind, Meeting, MeetingState, MeetingStatus
from meetings.series import LONDON
from people.models import Address, Person, postcode_district_of
from referrals.decisions import victim_address_is_confidential
from referrals.models import IdvaAllocation

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
PROGRESS_EVERY = 1000
_BATCH_SIZE = 2000
_IN_CHUNK = 500
# Where a date is all that is known, events are put at midday, clear of any time zone's change of day.
_MIDDAY = time(12, 0)

Progress = Callable[[str, int, int], None]

UNEXPECTED = (
    "The import stopped because of an unexpected problem and nothing was saved. Try again; if it happens again, "
    "tell your administrator the number of this import."
)
AT_THE_SAME_TIME = (
    "Nothing was saved: another import at this MARAC saved some of the same rows while this one was being checked. "
    "Upload the file again: the rows already imported will be recognised and not created twice."
)


class ImportStopped(Exception):
    """The run was marked stopped (import_runs_stop_stalled) while this worker still held it: nothing it did is
    kept, and its outcome is not written over "stopped"."""


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def _fingerprint_key() -> bytes:
    return salted_hmac("openmarac.imports.fingerprint", "", algorithm="sha256").digest()


# --- starting a run ----------------------------------------------------------------------------------------------


def import_run_create(
    *, marac: Marac, by: Any, file_name: str, cases: bytes, actions: bytes | None, check_only: bool
) -> ImportRun:
    """The uploaded files, held encrypted on the run until it finishes; the run itself is started by the task."""
    upload = {
        "cases": base64.b64encode(cases).decode(),
        "actions": base64.b64encode(actions).decode() if actions is not None else None,
    }
    with transaction.atomic():
        run = ImportRun.objects.create(
            marac=marac, started_by=by, file_name=file_name[:200], upload=cast(Any, upload), check_only=check_only
        )
        size = len(cases) + len(actions or b"")
        audit_record(
            action=AuditAction.CREATE,
            obj=run,
            user=by,
            summary=f"History uploaded for {'checking' if check_only else 'import'}: {size} bytes",
        )
    return run


# --- checking ----------------------------------------------------------------------------------------------------


@dataclass
class Checked:
    sorted: rules.Sorted
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0


def agency_lookup(marac: Marac) -> AgencyLookup:
    memberships = MaracAgency.objects.filter(marac=marac).select_related("agency")
    return AgencyLookup(
        AgencyChoice(
            membership.agency_id,
            membership.agency.name,
            membership.agency.agency_type,
            membership.agency.get_agency_type_display(),
        )
        for membership in memberships
    )


def _chunks[T](items: list[T], size: int = _IN_CHUNK) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def previous_imports(marac: Marac, references: Iterable[str]) -> rules.Previous:
    """What earlier imports at this MARAC made, and which of the file's references other cases already hold."""
    records = ImportedRecord.objects.filter(marac=marac)
    cases = dict(records.filter(kind=RecordKind.CASE).values_list("external_key", "fingerprint"))
    actions = dict(records.filter(kind=RecordKind.ACTION).values_list("external_key", "fingerprint"))
    unmapped = sorted(set(references) - set(cases))
    taken: set[str] = set()
    for chunk in _chunks(unmapped):
        taken.update(Case.objects.filter(reference__in=chunk).values_list("reference", flat=True))
    return rules.Previous(cases=cases, actions=actions, references_taken=frozenset(taken))


def _values(keys: list[str | None], cells: list[str]) -> dict[str, str]:
    return {key: cells[index] if index < len(cells) else "" for index, key in enumerate(keys) if key}


def check_history(
    *,
    marac: Marac,
    cases: Table,
    actions: Table | None,
    today: date,
    progress: Progress = _no_progress,
) -> Checked:
    """Every row read and checked, then the rows against each other and against earlier imports."""
    checked = Checked(rules.Sorted())
    case_headings = rules.read_headings(CASES_SHEET, cases.headings, CASE_COLUMNS)
    action_headings = rules.read_headings(ACTIONS_SHEET, actions.headings, ACTION_COLUMNS) if actions else None
    in_cells: list[Problem] = []
    for table, headings, columns in ((cases, case_headings, CASE_COLUMNS), (actions, action_headings, ACTION_COLUMNS)):
        if table is not None and headings is not None:
            checked.problems += _heading_problems(table, headings, columns)
            in_cells += _column_problems(table, headings, columns)
            checked.warnings += headings.warnings
    if checked.problems:
        return checked  # without the right columns the rows cannot be read
    checked.problems += in_cells
    action_rows = actions.rows if actions else []
    checked.rows = total = len(cases.rows) + len(action_rows)
    if not cases.rows and not action_rows:
        checked.problems.append(Problem(CASES_SHEET, 0, "", "", "has no rows of cases under its heading row"))
        return checked
    agencies = agency_lookup(marac)
    case_list: list[CaseRow] = []
    read_cases: list[rules.CaseCells] = []
    for done, (number, cells) in enumerate(cases.rows, start=1):
        values = _values(case_headings.keys, cells)
        case, problems = rules.validate_case_row(number, values, agencies=agencies, today=today)
        read_cases.append(rules.case_cells(number, values, has_problems=bool(problems)))
        checked.problems += problems
        if case is not None:
            case_list.append(case)
        progress(RunStatus.CHECKING, done, total)
    references = {row.reference for row in read_cases}
    checked.problems += rules.references_repeated_with_problems(read_cases)
    action_list: list[ActionRow] = []
    actions_with_problems: list[tuple[int, str]] = []
    for done, (number, cells) in enumerate(action_rows, start=len(cases.rows) + 1):
        assert action_headings is not None  # there are action rows only where there is an Actions sheet
        values = _values(action_headings.keys, cells)
        action, problems = rules.validate_action_row(number, values, agencies=agencies, today=today)
        checked.problems += problems
        if action is not None:
            action_list.append(action)
        else:
            actions_with_problems.append((number, rules.action_reference(values)))
        progress(RunStatus.CHECKING, done, total)
    previous = previous_imports(marac, {case.reference for case in case_list})
    checked.sorted = rules.sort_rows(
        case_list,
        action_list,
        previous,
        key=_fingerprint_key(),
        references_in_file=frozenset(references),
        actions_with_problems=actions_with_problems,
    )
    checked.problems += _heard_at_meetings_run_here(marac, checked.sorted.new_cases)
    # A formula with no result reads as blank: its own problem says why, not also "is blank; it is needed".
    formulas = {(problem.sheet, problem.row, problem.column) for problem in in_cells if problem.row > 1}
    checked.problems = [
        problem
        for problem in checked.problems + checked.sorted.problems
        if not ((problem.sheet, problem.row, problem.column) in formulas and problem.message.startswith("is blank"))
    ]
    checked.problems = rules.grouped(rules.in_report_order(checked.problems))
    checked.warnings += checked.sorted.warnings
    if checked.sorted.repeated_rows:
        checked.warnings.append(
            Problem(
                CASES_SHEET,
                0,
                "",
                "",
                f"{checked.sorted.repeated_rows} row{'s' if checked.sorted.repeated_rows != 1 else ''} repeated an "
                "earlier row exactly (the same reference and details) and "
                f"{'were' if checked.sorted.repeated_rows != 1 else 'was'} taken as that case, not a second one",
            )
        )
    return checked


def _heading_problems(table: Table, headings: rules.Headings, columns: tuple[Column, ...]) -> list[Problem]:
    """What is wrong with a sheet's headings, so that its rows cannot be read: headings not on the first row, a
    column of values with no heading (merged heading cells), and rules.read_headings's problems."""
    problems = list(headings.problems)
    if any(problem.row == 0 for problem in problems):
        known = {rules.words(column.heading): column for column in columns}
        for number, cells in table.rows[:10]:
            if rules.looks_like_headings(cells, known):
                return [rules.headings_lower_down(table.sheet, number)]
        return problems
    for index, key in enumerate(headings.keys):
        if key is None and not (table.headings[index] if index < len(table.headings) else "").strip():
            filled = [number for number, cells in table.rows if index < len(cells) and cells[index].strip()]
            if filled:
                problems.append(rules.unheaded_column_problem(table.sheet, _letter(index), filled))
    return problems


def _column_problems(table: Table, headings: rules.Headings, columns: tuple[Column, ...]) -> list[Problem]:
    """Problems only a whole column shows: formulas whose results the file does not hold (read as blank), and a
    date column written month/day/year."""
    problems: list[Problem] = []
    by_key = {column.key: column for column in columns}
    for number, index in table.formulas_without_values:
        key = headings.keys[index] if index < len(headings.keys) else None
        if key is not None:
            problems.append(rules.formula_without_value(table.sheet, number, by_key[key].heading))
    for index, key in enumerate(headings.keys):
        if key is not None and by_key[key].accepted.startswith(DATE_FORMATS):
            values = [(number, cells[index]) for number, cells in table.rows if index < len(cells)]
            if (rows := rules.month_day_year(values)) is not None:
                problems.append(rules.month_day_year_problem(table.sheet, by_key[key], rows))
    return problems


def _letter(index: int) -> str:
    """The spreadsheet's letter for a column counted from 0: A, ..., Z, AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _meetings_on(marac: Marac, days: set[date]) -> dict[date, list[tuple[int, bool]]]:
    """The meetings OpenMARAC holds on each of the days, ordinary first (where an emergency MARAC met the same day,
    the file does not say, and an ordinary meeting is where a case is heard), each with whether an import made it.
    An imported meeting lists only cases an import brought in and was never run here (the import leaves its status
    "scheduled"); any other meeting OpenMARAC ran, and its figures (minutes, research, the SafeLives return) are
    the MARAC's own record, which an import must not change."""
    if not days:
        return {}
    start, end = _at(min(days), time.min), _at(max(days) + timedelta(days=1), time.min)
    imported_cases = ImportedRecord.objects.filter(marac=marac, kind=RecordKind.CASE).values("case_id")
    meetings = (
        Meeting.objects.filter(marac=marac, starts_at__gte=start, starts_at__lt=end)
        .annotate(
            listed=Count("listings"),
            listed_imported=Count("listings", filter=Q(listings__case_id__in=imported_cases)),
        )
        .order_by("is_emergency", "starts_at")
        .values_list("pk", "starts_at", "listed", "listed_imported", "state__status")
    )
    found: dict[date, list[tuple[int, bool]]] = {}
    for pk, starts_at, listed, listed_imported, status in meetings:
        day = starts_at.astimezone(LONDON).date()
        if day in days:
            imported = listed > 0 and listed == listed_imported and status in (None, MeetingStatus.SCHEDULED)
            found.setdefault(day, []).append((pk, imported))
    return found


def _heard_at_meetings_run_here(marac: Marac, cases: list[CaseRow]) -> list[Problem]:
    """A new case heard on a day OpenMARAC ran a meeting (and holds no imported one) is refused: it would become an
    item of that meeting, with no minute, and change its figures."""
    meetings = _meetings_on(marac, {case.heard_on for case in cases})
    run_here = {day for day, held in meetings.items() if not any(imported for _, imported in held)}
    return [
        rules.meeting_run_here_problem(case.row, f"{case.heard_on:%d/%m/%Y}", case.heard_on)
        for case in cases
        if case.heard_on in run_here
    ]


# --- saving ------------------------------------------------------------------------------------------------------


def _at(day: date, at: time = _MIDDAY) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


class _People:
    """The people the new cases need: someone the MARAC already holds where the match is safe (the same name, as
    rules.name_for_matching compares names, and the same date of birth, and only one such person), someone earlier
    in the file with the same, otherwise new. Each taken as someone already held is listed (joined) for the
    coordinator to check: a referral's same-person check would have asked her to decide."""

    def __init__(self, marac: Marac) -> None:
        self.marac = marac
        self.held: dict[tuple[str, str, date], list[int]] = {}
        held = Person.objects.filter(marac=marac, date_of_birth__isnull=False)
        for pk, given, family, born in held.values_list("pk", "given_name", "family_name", "date_of_birth"):
            if born is not None:
                key = (rules.name_for_matching(given), rules.name_for_matching(family), born)
                self.held.setdefault(key, []).append(pk)
        self.in_file: dict[tuple[str, str, date], Person] = {}
        self.new: list[Person] = []
        # Each new person's postcodes, with the day of the referral that gave each (by id(): unsaved, unhashable).
        self.addresses: dict[int, tuple[Person, list[tuple[date, str]]]] = {}
        self.matched = 0
        self.joined: list[Problem] = []

    def person(self, row: PersonRow, case: CaseRow, role: str) -> Person | int:
        key = row.match_key
        if key is not None:
            held = self.held.get(key, [])
            if len(held) == 1:
                self.matched += 1
                self.joined.append(rules.joined_problem(case.row, case.reference, role, held[0]))
                return held[0]
        person = self.in_file.get(key) if key is not None else None
        if person is None:
            person = Person(
                marac_id=self.marac.pk,
                given_name=row.given_name,
                family_name=row.family_name,
                date_of_birth=row.date_of_birth,
                gender=row.gender,
                ethnicity=row.ethnicity,
                has_disability=row.has_disability,
            )
            self.new.append(person)
            if key is not None:
                self.in_file[key] = person
        if row.postcode:
            self.addresses.setdefault(id(person), (person, []))[1].append((case.referred_on, row.postcode))
        return person

    def joined_for(self, cases: list[CaseRow]) -> list[Problem]:
        """Who of the new cases' people would be taken as someone already held (for a check only: nothing saved)."""
        for case in cases:
            self.person(case.victim, case, "victim")
            if case.perpetrator is not None:
                self.person(case.perpetrator, case, "perpetrator")
        return self.joined

    def child(self, number: int) -> Person:
        person = Person(marac_id=self.marac.pk, description=f"Child {number}, not named in the imported history")
        self.new.append(person)
        return person

    def save(self) -> None:
        Person.objects.bulk_create(self.new, batch_size=_BATCH_SIZE)
        Address.objects.bulk_create(
            (address for person, given in self.addresses.values() for address in _addresses(person, given)),
            batch_size=_BATCH_SIZE,
        )


def _addresses(person: Person, given: list[tuple[date, str]]) -> list[Address]:
    """A victim's postcodes as the file gives them, by referral date: the latest is her current address, each
    earlier one ended the day before the next referral (as accepting a referral with a new address does, so that
    reports place each case where she lived then). The same postcode on consecutive referrals is one address.

    Only victims' postcodes are in the file, and a victim's address is confidential unless the referrer said the
    perpetrator knows it: the file never says so (referrals.decisions.victim_address_is_confidential). The children
    the import adds have no address, so none is at hers."""
    confidential = victim_address_is_confidential({})
    addresses: list[Address] = []
    for referred_on, postcode in sorted(given, key=lambda each: each[0]):
        if addresses and _same_postcode(addresses[-1].postcode, postcode):
            continue
        if addresses:
            earlier = addresses[-1]
            earlier.lived_to = max(referred_on - timedelta(days=1), earlier.lived_from or date.min)
        addresses.append(
            Address(
                person_id=person.pk,
                line_1="",
                postcode=postcode,
                # bulk_create skips Address.save, which sets the postcode district: set here instead.
                postcode_district=postcode_district_of(postcode),
                lived_from=referred_on if addresses else None,  # when she moved to her first is not known
                confidential=confidential,
            )
        )
    return addresses


def _same_postcode(one: str, other: str) -> bool:
    return "".join(one.upper().split()) == "".join(other.upper().split())


def _person_id(person: Person | int) -> int:
    return person if isinstance(person, int) else person.pk


def _meetings_for(marac: Marac, days: set[date]) -> tuple[dict[date, int], int]:
    """The meeting on each hearing day: one an earlier import made (_meetings_on), or a new one at the MARAC's
    usual time. Never a meeting OpenMARAC ran: a case heard that day was refused when the rows were checked."""
    found: dict[date, int] = {}
    for day, held in _meetings_on(marac, days).items():
        imported = [pk for pk, was_imported in held if was_imported]
        if imported:
            found[day] = imported[0]
    missing = sorted(days - set(found))
    created = Meeting.objects.bulk_create(
        (Meeting(marac_id=marac.pk, starts_at=_at(day, marac.meeting_start_time)) for day in missing),
        batch_size=_BATCH_SIZE,
    )
    # Held outside OpenMARAC, so its case list went out then: the release rule (meetings.agenda_services.
    # may_see_case_list) shows it to representatives like any meeting held here.
    MeetingState.objects.bulk_create(
        (MeetingState(meeting=meeting, case_list_released_at=meeting.starts_at) for meeting in created),
        batch_size=_BATCH_SIZE,
    )
    found.update({day: meeting.pk for day, meeting in zip(missing, created, strict=True)})
    return found, len(created)


def _allocation(case: Case, row: CaseRow) -> IdvaAllocation | None:
    """Only what the file says: allocated on a day (on time up to two days after referral), declined after that
    allocation, or neither. A decline with no date is not recorded as one: the case page would state a day the
    file never gave ("declined on" its referral date), and without a day the 48-hour figure
    (reports.indicators.IDVA_DUE) would count it as a miss. Such a case, like one engaged on an unknown day, has
    no allocation and is left out of that figure."""
    due_by = _at(rules.idva_due_on(row.referred_on), time(23, 59))
    allocated_at = _at(row.idva_allocated_on) if row.idva_allocated_on else None
    if allocated_at is None:
        return None  # engaged, declined or not recorded, but when is not known: left out of the 48-hour figure
    if row.idva_engaged is False:
        return IdvaAllocation(
            case_id=case.pk, due_by=due_by, allocated_at=allocated_at, declined_by_victim=True, declined_at=allocated_at
        )
    return IdvaAllocation(case_id=case.pk, due_by=due_by, allocated_at=allocated_at)


def _listings_of_earlier_cases(marac: Marac, references: set[str]) -> dict[str, tuple[int, int]]:
    """For actions on cases an earlier import made: each case's id and the listing that heard it."""
    case_ids = dict(
        ImportedRecord.objects.filter(marac=marac, kind=RecordKind.CASE, external_key__in=references).values_list(
            "external_key", "case_id"
        )
    )
    listings: dict[int, int] = {}
    for listing_id, case_id in (
        Listing.objects.filter(case_id__in=[pk for pk in case_ids.values() if pk])
        .order_by("meeting__starts_at")
        .values_list("pk", "case_id")
    ):
        listings[case_id] = listing_id  # the latest hearing wins
    return {
        reference: (case_id, listings[case_id])
        for reference, case_id in case_ids.items()
        if case_id is not None and case_id in listings
    }


@dataclass(frozen=True)
class Saved:
    counts: dict[str, int]
    # Each victim or perpetrator taken as a person OpenMARAC already holds (rules.joined_problem), for the report.
    joined: list[Problem]


def save_history(
    *, marac: Marac, rows: rules.Sorted, run: ImportRun, by: Any, progress: Progress = _no_progress
) -> Saved:
    """Everything new, in one transaction: any failure and nothing is saved. Nothing is saved either if the run is
    no longer saving (it was marked stopped): checked as the transaction begins and again just before it ends."""
    key = _fingerprint_key()
    total = len(rows.new_cases) + len(rows.new_actions)
    with transaction.atomic():
        # The run's row stays locked from here to the commit: a run saving is alive, however slowly, and is never
        # marked stopped meanwhile (PostgreSQL; SQLite holds its one write lock as long).
        _hold_while_saving(run)
        # One import at a time at a MARAC (PostgreSQL); the unique mapping catches the rest anywhere.
        Marac.objects.select_for_update().filter(pk=marac.pk).exists()
        people = _People(marac)
        victims = [people.person(row.victim, row, "victim") for row in rows.new_cases]
        perpetrators = [
            people.person(row.perpetrator, row, "perpetrator") if row.perpetrator else None for row in rows.new_cases
        ]
        children = [[people.child(number) for number in range(1, row.children + 1)] for row in rows.new_cases]
        people.save()
        progress(RunStatus.SAVING, 0, total)
        meetings, meetings_added = _meetings_for(marac, {row.heard_on for row in rows.new_cases})
        cases = [
            Case(
                marac_id=marac.pk,
                reference=row.reference,
                victim_id=_person_id(victim),
                status=live_rules.status_after_hearing(row.outcome),
                referred_on=row.referred_on,
                referring_agency_id=row.referring_agency_id,
                heard_on=row.heard_on,
                information_only=row.information_only,
                is_repeat=row.is_repeat,
                dash_score=row.dash_score,
                victim_pregnant=None,  # the file does not say: not known, rather than the model's "no"
            )
            for row, victim in zip(rows.new_cases, victims, strict=True)
        ]
        Case.objects.bulk_create(cases, batch_size=_BATCH_SIZE)
        parties = []
        for case, victim, perpetrator, family in zip(cases, victims, perpetrators, children, strict=True):
            parties.append(CaseParty(case_id=case.pk, person_id=_person_id(victim), role=PartyRole.VICTIM))
            if perpetrator is not None:
                parties.append(
                    CaseParty(case_id=case.pk, person_id=_person_id(perpetrator), role=PartyRole.PERPETRATOR)
                )
            parties += [CaseParty(case_id=case.pk, person_id=child.pk, role=PartyRole.CHILD) for child in family]
        CaseParty.objects.bulk_create(parties, batch_size=_BATCH_SIZE)
        listings = [
            Listing(
                meeting_id=meetings[row.heard_on],
                case_id=case.pk,
                kind=ListingKind.INFORMATION_ONLY if row.information_only else ListingKind.FULL,
                outcome=row.outcome,
            )
            for row, case in zip(rows.new_cases, cases, strict=True)
        ]
        Listing.objects.bulk_create(listings, batch_size=_BATCH_SIZE)
        allocations = [
            allocation
            for row, case in zip(rows.new_cases, cases, strict=True)
            if (allocation := _allocation(case, row)) is not None
        ]
        IdvaAllocation.objects.bulk_create(allocations, batch_size=_BATCH_SIZE)
        progress(RunStatus.SAVING, len(cases), total)
        heard = {
            row.reference: (case.pk, listing.pk)
            for row, case, listing in zip(rows.new_cases, cases, listings, strict=True)
        }
        heard |= _listings_of_earlier_cases(marac, {row.case_reference for row in rows.new_actions} - set(heard))
        actions = [_action(row, heard[row.case_reference], by) for row in rows.new_actions]
        Action.objects.bulk_create(actions, batch_size=_BATCH_SIZE)
        closed = _not_completed_resolutions(rows.new_actions, actions, by)
        records = [
            ImportedRecord(
                marac_id=marac.pk,
                kind=RecordKind.CASE,
                external_key=row.reference,
                case_id=case.pk,
                fingerprint=rules.fingerprint(row.details(), key),
                relationship=row.relationship,
                run_id=run.pk,
            )
            for row, case in zip(rows.new_cases, cases, strict=True)
        ] + [
            ImportedRecord(
                marac_id=marac.pk,
                kind=RecordKind.ACTION,
                external_key=rules.action_key(row),
                action_id=action.pk,
                fingerprint=rules.fingerprint(row.details(), key),
                run_id=run.pk,
            )
            for row, action in zip(rows.new_actions, actions, strict=True)
        ]
        ImportedRecord.objects.bulk_create(records, batch_size=_BATCH_SIZE)
        counts = {
            "cases": len(cases),
            "actions": len(actions),
            "closed_not_completed": closed,
            "people_added": len(people.new),
            "people_matched": people.matched,
            "meetings_added": meetings_added,
            "idva_allocations": len(allocations),
            "already_imported": rows.already_imported,
            "changed_and_left": rows.changed,
        }
        audit_record(
            action=AuditAction.CREATE,
            obj=run,
            user=by,
            summary="History imported: " + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in counts.items()),
        )
        progress(RunStatus.SAVING, total, total)
        _hold_while_saving(run)  # a worker that slept through being marked stopped saves nothing: rolled back
    return Saved(counts, people.joined)


def _hold_while_saving(run: ImportRun) -> None:
    """The run's heartbeat, written only while the run is still saving; otherwise ImportStopped (so the caller's
    transaction rolls back). The UPDATE locks the run's row until the transaction ends."""
    if not ImportRun.objects.filter(pk=run.pk, status=RunStatus.SAVING).update(last_progress_at=timezone.now()):
        raise ImportStopped(run.pk)


def _action(row: ActionRow, heard: tuple[int, int], by: Any) -> Action:
    case_id, listing_id = heard
    return Action(
        listing_id=listing_id,
        case_id=case_id,
        owner_agency_id=row.agency_id,
        description=row.description,
        for_whom=row.for_whom,
        due_on=row.due_on,
        status=row.status,
        closed_at=_at(row.completed_on) if row.completed_on else None,
        created_by=by,
    )


def _not_completed_resolutions(rows: list[ActionRow], actions: list[Action], by: Any) -> int:
    """Each action the file says was closed as not completed gets the resolution that closing records in OpenMARAC
    (actions.tracking.action_close_not_completed): the file's reason, on the day it gives. Made only with its new
    action, so a second import of the same row, which makes no action, makes no second resolution. Not referred to
    the VAWG sub group: the file does not say. Returns how many were made."""
    closed = [
        (row, action) for row, action in zip(rows, actions, strict=True) if row.status == ActionStatus.NOT_COMPLETED
    ]
    resolutions = ActionResolution.objects.bulk_create(
        (
            ActionResolution(
                action_id=action.pk,
                kind=ResolutionKind.NOT_COMPLETED,
                reason=row.not_completed_reason,
                from_agency_id=row.agency_id,
                by=by,
            )
            for row, action in closed
        ),
        batch_size=_BATCH_SIZE,
    )
    # `at` is set on creation to now; the closing happened on the file's day (checked present for this status).
    for resolution, (row, _) in zip(resolutions, closed, strict=True):
        assert row.completed_on is not None
        resolution.at = _at(row.completed_on)
    ActionResolution.objects.bulk_update(resolutions, ["at"], batch_size=_BATCH_SIZE)
    return len(resolutions)


# --- running -----------------------------------------------------------------------------------------------------


class _RunProgress:
    """Progress written to the run as it checks (every PROGRESS_EVERY rows, committed so the run's page shows it),
    and passed on to whoever else is watching (the management command prints it). While saving everything is in
    one transaction, so the run's page shows "Saving" until it is done.

    Each write is also the run's heartbeat (imports/stalling.py), as is each ROWS_PER_HEARTBEAT rows read. Each is
    written only while the run is under way: a run marked stopped meanwhile raises ImportStopped, and the worker
    gives it up."""

    def __init__(self, run: ImportRun, also: Progress) -> None:
        self.run, self.also, self.written = run, also, 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == RunStatus.CHECKING and (done - self.written >= PROGRESS_EVERY or done == total):
            self._write(status=phase, rows_done=done, rows_total=total)
            self.written = done
        self.also(phase, done, total)

    def reading(self, rows_read: int) -> None:
        # The total is not known until the file is read: the page shows the rows read so far.
        self._write(rows_done=rows_read)

    def saving(self) -> None:
        self._write(status=RunStatus.SAVING)

    def _write(self, **progress: Any) -> None:
        under_way = ImportRun.objects.filter(pk=self.run.pk, status__in=UNDER_WAY)
        if not under_way.update(last_progress_at=timezone.now(), **progress):
            raise ImportStopped(self.run.pk)


def _upload_of(run: ImportRun) -> tuple[bytes, bytes | None]:
    actions = run.upload.get("actions")
    return base64.b64decode(run.upload["cases"]), base64.b64decode(actions) if actions else None


def import_run_execute(*, run_id: int, progress: Progress = _no_progress) -> ImportRun:
    """The task's work: read, check, and (unless only checking, and only if nothing is wrong) save. A run marked
    stopped before or while this runs (its worker was thought dead) is left as it is, with nothing saved."""
    # Claimed in one statement, so a task delivered twice (or retried), or a run already marked stopped, is never
    # run (again).
    now = timezone.now()
    claimed = ImportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.READING, started_at=now, last_progress_at=now
    )
    run = ImportRun.objects.select_related("marac", "started_by").get(pk=run_id)
    if not claimed:
        return run
    progress(RunStatus.READING, 0, 0)
    try:
        return _execute(run, _RunProgress(run, progress), progress)
    except ImportStopped:
        logger.warning("Import run %s had been marked stopped: this worker's work on it was not saved", run.pk)
        run.refresh_from_db()
        return run


def _execute(run: ImportRun, watcher: _RunProgress, progress: Progress) -> ImportRun:
    try:
        cases, actions = read_upload(
            *_upload_of(run), heartbeat=watcher.reading, named_workbook=run.file_name.lower().endswith(".xlsx")
        )
        checked = check_history(
            marac=run.marac,
            cases=cases,
            actions=actions,
            today=timezone.localdate(),
            progress=watcher,
        )
        run.rows_total = run.rows_done = checked.rows
        run.warnings = [warning.as_stored() for warning in checked.warnings]
        if checked.problems:
            return _finish(run, RunStatus.REFUSED, problems=checked.problems)
        sorted_rows = checked.sorted
        would = {
            "cases": len(sorted_rows.new_cases),
            "actions": len(sorted_rows.new_actions),
            "already_imported": sorted_rows.already_imported,
            "changed_and_left": sorted_rows.changed,
        }
        if run.check_only:
            # Who would be taken as someone already held, as saving would find them: listed for the coordinator.
            joined = _People(run.marac).joined_for(sorted_rows.new_cases)
            run.warnings += [note.as_stored() for note in joined]
            return _finish(run, RunStatus.CHECKED, summary=would)
        watcher.saving()
        # Saved and marked done in one transaction: there is no moment when the rows are saved and the run still
        # looks under way (and could be marked stopped, "nothing saved").
        with transaction.atomic():
            saved = save_history(marac=run.marac, rows=sorted_rows, run=run, by=run.started_by, progress=progress)
            # Who was taken as someone already held, as saving found them (the same as the check, moments before).
            run.warnings += [joined.as_stored() for joined in saved.joined]
            return _finish(run, RunStatus.DONE, summary=saved.counts)
    except ImportStopped:
        raise
    except UnreadableFile as error:
        return _finish(run, RunStatus.REFUSED, problems=[Problem("The file", 0, "", "", str(error))])
    except IntegrityError:
        return _finish(run, RunStatus.FAILED, failure=AT_THE_SAME_TIME)
    except Exception as error:
        # The class of the error only: its message could quote a value from the file.
        logger.error("Import run %s stopped: %s", run.pk, type(error).__name__)
        return _finish(run, RunStatus.FAILED, failure=UNEXPECTED)


def _finish(
    run: ImportRun,
    status: RunStatus,
    *,
    problems: list[Problem] | None = None,
    summary: dict[str, int] | None = None,
    failure: str = "",
) -> ImportRun:
    """The run's outcome, written only while it is under way (checked under its row's lock): over "stopped" a
    late outcome is not written (ImportStopped)."""
    with transaction.atomic():
        if ImportRun.objects.select_for_update().filter(pk=run.pk, status__in=UNDER_WAY).first() is None:
            raise ImportStopped(run.pk)
        run.status, run.finished_at, run.failure = status, timezone.now(), failure
        run.last_progress_at = run.finished_at
        run.problems = [problem.as_stored() for problem in problems or []]
        run.summary = {
            **(summary or {}),
            "rows": run.rows_total,
            "problems": len(run.problems),
            "warnings": len(run.warnings),
        }
        run.upload = {}  # the file is not kept once the run is over
        run.save()
        if status != RunStatus.DONE:  # a done run was audited with its records, in the same transaction
            counts = ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in run.summary.items())
            audit_record(
                action=AuditAction.CHANGE,
                obj=run,
                user=run.started_by,
                summary=f"Import {status.label.lower()}: {counts}",
            )
    return run


def import_runs_stop_stalled(*, now: datetime, marac: Marac | None = None) -> int:
    """Mark stopped each run under way (at one MARAC, or anywhere) that has shown no progress for STALLED_AFTER
    (imports/stalling.py): its worker died, or it would have written its heartbeat. The run's page then says so and
    the file can be uploaded again (imports are all or nothing, and a second import of the same rows creates
    nothing). The held upload is emptied, as when a run finishes; each change is audited with the run's id only.
    The one place a run is marked stopped. Returns how many were."""
    stalled = ImportRun.objects.filter(status__in=UNDER_WAY, last_progress_at__lte=stalled_before(now))
    if marac is not None:
        stalled = stalled.filter(marac=marac)
    stopped = 0
    for run_id in list(stalled.values_list("pk", flat=True)):
        with transaction.atomic():
            # Checked again under the row's lock. A run saving holds that lock until it commits: it is alive, so
            # it is skipped, not waited for (PostgreSQL; SQLite has no row locks and one writer at a time).
            run = stalled.select_for_update(skip_locked=True).filter(pk=run_id).first()
            if run is None:
                continue
            run.status, run.finished_at, run.failure, run.upload = RunStatus.STOPPED, now, STOPPED_MESSAGE, {}
            run.save(update_fields=["status", "finished_at", "failure", "upload"])
            audit_record(
                action=AuditAction.CHANGE,
                obj=run,
                summary=f"Import run {run.pk} marked stopped: no progress for "
                f"{STALLED_AFTER_MINUTES} minutes; its held upload emptied",
            )
        stopped += 1
    return stopped


# An import's report quotes the file's values (names, dates of birth, addresses) in its problems and warnings, and the
# file's name can carry a name: they are kept long enough to correct the file and upload it again, then removed.
# Where each problem was and the counts stay, as an administrator who did not upload the file sees them.
REPORT_VALUES_KEPT_DAYS = 30


def import_reports_redact(*, now: datetime) -> int:
    """Remove the file's values and name from the reports of runs finished more than REPORT_VALUES_KEPT_DAYS ago;
    each run's change audited (ids only). Returns how many runs were changed.

    First, as a backstop for runs nobody has looked at since their worker died, any run stalled anywhere is marked
    stopped (import_runs_stop_stalled, which the import pages call for their MARAC), so its held upload does not
    wait on the database for a page to be opened."""
    import_runs_stop_stalled(now=now)
    finished_before = now - timedelta(days=REPORT_VALUES_KEPT_DAYS)
    due = ImportRun.objects.filter(finished_at__lt=finished_before, report_redacted_at__isnull=True)
    changed = 0
    for run_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            run = ImportRun.objects.select_for_update().get(pk=run_id)
            run.problems = [problem.redacted().as_stored() for problem in problems_of(run)]
            run.warnings = [warning.redacted().as_stored() for warning in warnings_of(run)]
            run.file_name, run.report_redacted_at = "", now
            run.save(update_fields=["problems", "warnings", "file_name", "report_redacted_at"])
            audit_record(
                action=AuditAction.CHANGE,
                obj=run,
                user=None,
                summary=f"Import run {run.pk}: the file's values and name removed from its report after "
                f"{REPORT_VALUES_KEPT_DAYS} days",
            )
        changed += 1
    return changed


def problems_of(run: ImportRun) -> list[Problem]:
    return [Problem.from_list(values) for values in run.problems]


def warnings_of(run: ImportRun) -> list[Problem]:
    return [Problem.from_list(values) for values in run.warnings]
