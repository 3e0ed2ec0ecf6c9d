"""The rules of the conference itself, as plain functions with no database: observers, who is missing, the case
timer, the standard actions every case gets, and what a plan should cover before the meeting moves on."""

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from actions.models import ForWhom
from cases.models import CaseStatus
from meetings.models import MeetingStatus, Outcome
from referrals import calendar

# BD Observers at MARAC: "Barking and Dagenham limit it to two observers per meeting".
MAX_OBSERVERS = 2


# BD Observers at MARAC: at most two, and "the MARAC Coordinator must be advised who the observers are before the
# meeting and given an opportunity to agree", so no observer is added once the meeting has started.
def observer_refusal(*, observers_so_far: int, meeting_started: bool) -> str | None:
    """Why another observer may not be added, in words; None when they may."""
    if meeting_started:
        return "Observers are agreed before the meeting starts. This meeting has started, so no observer can be added."
    if observers_so_far >= MAX_OBSERVERS:
        return (
            f"This meeting already has {MAX_OBSERVERS} observers, the most a MARAC allows, "
            "because highly sensitive information is shared. The observer has not been added."
        )
    return None


@dataclass(frozen=True)
class RegisterEntry:
    agency_id: int | None
    present: bool
    written_submission: bool


# BD Attendance: the named representative attends, or a named deputy, or failing both a written report is sent.
def core_agencies_missing(*, core_agencies: Sequence[tuple[int, str]], register: Sequence[RegisterEntry]) -> list[str]:
    """Names of the core agencies with no one present and no written submission."""
    covered = {entry.agency_id for entry in register if entry.present or entry.written_submission}
    return [name for agency_id, name in core_agencies if agency_id not in covered]


def core_agency_warning(missing: Sequence[str], *, closed: bool = False) -> str:
    """The warning on the live pages; in the past tense once the meeting has closed, as a record of who was not
    there."""
    if not missing:
        return ""
    lead = (
        "No one was there and no written submission was sent"
        if closed
        else "No one is here and no written submission was sent"
    )
    return f"{lead} for these core agencies: " + ", ".join(missing) + "."


# BD Attendance: each agency is represented by its named representative or a deputy, so a person attends for their
# own agency; the register has one line a person (their signature of the confidentiality agreement is on it).
def register_refusal(
    *, person_agency_id: int | None, agency_id: int, already_on_register: bool, person_agency_name: str = ""
) -> str | None:
    """Why a person may not be added to the register for `agency_id`, in words for the form; None when they may.
    No person (a written submission) is never refused here. A person with no agency on their account may attend
    for any agency: there is nothing to check against."""
    if already_on_register:
        return "This person is already on the register for this meeting. Change their line in the register instead."
    if person_agency_id is not None and person_agency_id != agency_id:
        theirs = f" ({person_agency_name})" if person_agency_name else ""
        return (
            f"This person works for another agency{theirs}. Choose the agency they work for, "
            "or the person attending for the agency chosen."
        )
    return None


@dataclass(frozen=True)
class RegisterLine:
    """A line of the register as the close page reads it: who, for which agency or organisation."""

    agency: str
    name: str
    present: bool
    signed: bool
    written_submission: bool = False


# BD The MARAC meeting: "They also must sign the Confidentiality Agreement at each meeting along with all invited
# visitors" (observers included). Checked as the meeting closes, so the chair knows whom to follow up.
def present_without_agreement(lines: Sequence[RegisterLine]) -> list[RegisterLine]:
    """The lines of people marked present who have not signed the agreement; a written submission has no one to
    sign, and someone who sent apologies was not there."""
    return [line for line in lines if line.present and not line.signed and not line.written_submission]


@dataclass(frozen=True)
class Timer:
    started_at: datetime
    slot_minutes: int
    minutes_elapsed: int

    @property
    def over_by(self) -> int:
        return max(0, self.minutes_elapsed - self.slot_minutes)


def slot_minutes(*, information_only: bool, minutes_per_case: int, minutes_per_information_case: int) -> int:
    # BD The MARAC Chair: "keeping to time overall and by case i.e. max 15 minutes per case" (per MARAC here).
    return minutes_per_information_case if information_only else minutes_per_case


def case_timer(*, started_at: datetime | None, slot: int, now: datetime) -> Timer | None:
    if started_at is None:
        return None
    elapsed = max(0, int((now - started_at).total_seconds() // 60))
    return Timer(started_at=started_at, slot_minutes=slot, minutes_elapsed=elapsed)


@dataclass(frozen=True)
class StandardAction:
    owner_agency_id: int
    description: str
    for_whom: ForWhom


FLAG_AND_TAG = "Flag and tag this agency's files on the victim, the perpetrator and any children."
TREAT_AS_URGENT = "Put a 'treat all calls as urgent' marker on the victim's address and any other relevant addresses."
IDVA_REFERRAL = "Refer the victim to the IDVA service for specialist support and advice."
FEEDBACK_BY_IDVA = "Feed back to the victim on the outcome of the MARAC (the IDVA)."
FEEDBACK_BY_REFERRER = "Feed back to the victim on the outcome of the MARAC (the referrer: the IDVA was declined)."


@dataclass(frozen=True)
class StandardActionFacts:
    core_agency_ids: Sequence[int]
    police_agency_id: int | None
    idva_agency_id: int | None
    referring_agency_id: int
    idva_declined: bool


# BD Action planning: "a series of standard actions which will be implemented for all cases": all agencies flag and
# tag their files on perpetrator, victim and children; police TACAU on relevant addresses; referral to the IDSVA
# service; feedback to the victim by the IDSVA, or by the referrer where the victim did not consent to the IDSVA.
def standard_actions(facts: StandardActionFacts) -> tuple[list[StandardAction], list[str]]:
    """The standard actions for a case, and, in words, any that have no agency at this MARAC to own them."""
    # One flag-and-tag action per core agency, so each agency answers for its own files.
    planned = [StandardAction(agency_id, FLAG_AND_TAG, ForWhom.VICTIM) for agency_id in facts.core_agency_ids]
    gaps = [] if facts.core_agency_ids else ["No core agencies are set up at this MARAC to flag and tag their files."]
    if facts.police_agency_id is not None:
        planned.append(StandardAction(facts.police_agency_id, TREAT_AS_URGENT, ForWhom.VICTIM))
    else:
        gaps.append("No police agency is set up at this MARAC to own the 'treat all calls as urgent' marker.")
    if facts.idva_agency_id is not None:
        planned.append(StandardAction(facts.idva_agency_id, IDVA_REFERRAL, ForWhom.VICTIM))
    else:
        gaps.append("No IDVA service is set up at this MARAC to own the IDVA referral.")
    if facts.idva_declined:
        planned.append(StandardAction(facts.referring_agency_id, FEEDBACK_BY_REFERRER, ForWhom.VICTIM))
    elif facts.idva_agency_id is not None:
        planned.append(StandardAction(facts.idva_agency_id, FEEDBACK_BY_IDVA, ForWhom.VICTIM))
    return planned, gaps


def standard_actions_missing(
    planned: Sequence[StandardAction], existing: Collection[tuple[int, str]]
) -> list[StandardAction]:
    """Those not already on the plan, so opening a case twice never doubles them."""
    return [action for action in planned if (action.owner_agency_id, action.description) not in existing]


# LSCB: "All action plans created at Marac will have actions to address the behaviour of the perpetrator";
# BD Action planning: the plan is "to increase the safety of the victim, children, perpetrator...".
def plan_warnings(*, for_whom: Collection[str], children: int) -> list[str]:
    """What the chair is warned of before moving on from a case. `for_whom` lists the volunteered actions' subjects."""
    warnings = []
    if ForWhom.PERPETRATOR not in for_whom:
        warnings.append("The plan has no action to address the perpetrator's behaviour.")
    if children and ForWhom.CHILDREN not in for_whom:
        child_words = "a child" if children == 1 else f"{children} children"
        warnings.append(f"The case involves {child_words}, and the plan has no action for the children.")
    return warnings


# --- Starting and closing the meeting ------------------------------------------------------------------------------


# BD MARAC List: the case list goes to the representatives before the meeting, so they come with their research; a
# meeting whose list never went out has nothing anyone has prepared for.
def meeting_start_refusal(*, case_list_released: bool) -> str | None:
    """Why the meeting may not start, in words; None when it may."""
    if not case_list_released:
        return "The case list for this meeting has not been released, so the meeting cannot start. Release it first."
    return None


def meeting_start_warning(*, scheduled_day: date, today: date) -> str | None:
    """What the chair is asked to confirm before starting a meeting on a day other than its own: starting a few
    minutes early or running past midnight is normal, starting weeks early is almost always the wrong meeting."""
    if scheduled_day == today:
        return None
    days = abs((scheduled_day - today).days)
    span = "1 day" if days == 1 else f"{days} days"
    when = f"{span} from today" if scheduled_day > today else f"{span} ago"
    return f"This meeting is scheduled for {calendar.format_day(scheduled_day)}, {when}, not today."


# What may happen to a case the meeting did not reach before it closed.
HOLD_OVER = "hold_over"
LEAVE_UNHEARD = "not_heard"


def listing_is_unheard(*, started_at: datetime | None, outcome: str) -> bool:
    """Never opened in the meeting and no outcome recorded (held over and transferred cases have one)."""
    return started_at is None and not outcome


# The reason recorded with a restricted case not heard when the closer, not named on it, was asked about no case
# not heard (and so gave no reason).
CLOSED_BEFORE_HEARD = "The meeting closed before the case was heard."


def not_heard_note(reason: str) -> str:
    return f"Not heard at this meeting: {reason}"


# --- A case heard, and a meeting closed ----------------------------------------------------------------------------


def listing_was_heard(*, started_at: datetime | None, outcome: str) -> bool:
    """Opened in the meeting and not then held over: the case was heard, whatever its outcome."""
    return started_at is not None and outcome != Outcome.HELD_OVER


# The outcomes a hearing records (held over is the agenda's, for a case not heard).
OUTCOMES_AT_HEARING = (Outcome.REVIEW, Outcome.CLOSED, Outcome.TRANSFERRED)


# CAM meeting record ("Recommendations and outcome of MARAC meeting"): each case heard ends with the meeting's outcome.
# Opened and no outcome recorded: the meeting has not decided yet, so it may not close with the case left "Heard"
# as if it had been kept open for review.
def listing_needs_outcome(*, started_at: datetime | None, outcome: str) -> bool:
    return started_at is not None and not outcome


def no_outcome_warning(reference: str) -> str:
    """What the chair is told on moving on from a case heard with no outcome: a warning, not a block."""
    return (
        f"Case {reference} was heard with no outcome recorded. "
        "Go back to it and record the outcome: the meeting cannot close until it has one."
    )


# What a hearing's outcome makes of the case, as the import of a MARAC's history reads it (imports/services.py):
# closed at the meeting, transferred to another MARAC, or heard and open for review.
_STATUS_AFTER = {Outcome.CLOSED: CaseStatus.CLOSED, Outcome.TRANSFERRED: CaseStatus.TRANSFERRED}


def status_after_hearing(outcome: str) -> CaseStatus:
    return _STATUS_AFTER.get(Outcome(outcome), CaseStatus.HEARD) if outcome else CaseStatus.HEARD


def case_changes_after_hearing(
    *,
    status: str,
    heard_on: date | None,
    meeting_day: date,
    outcome: str = "",
    listed_later: bool = False,
    referred_elsewhere: bool = False,
) -> dict[str, dict[str, str]]:
    """What a case's record changes once a hearing of it at a meeting on `meeting_day` ends, as the audit's
    {"field": {"from": ..., "to": ...}}. The latest hearing decides the status (status_after_hearing of its outcome),
    unless the case is listed at a later meeting still to come, where it stays "Listed", or a MARAC-to-MARAC
    referral has been made of it (referred_elsewhere: that MARAC leads it now, and it stays "Transferred"); a hearing
    older than the day already recorded changes nothing. Its date heard becomes the latest hearing's, which the repeat
    rule counts from. Empty when nothing changes, so a second call is harmless."""
    if heard_on is not None and heard_on > meeting_day:
        return {}
    changes: dict[str, dict[str, str]] = {}
    target = status_after_hearing(outcome)
    kept = (listed_later and status == CaseStatus.LISTED) or (referred_elsewhere and status == CaseStatus.TRANSFERRED)
    if status != target and not kept:
        changes["status"] = {"from": status, "to": target.value}
    if heard_on != meeting_day:
        changes["heard_on"] = {"from": heard_on.isoformat() if heard_on else "", "to": meeting_day.isoformat()}
    return changes


NOT_STARTED_REFUSAL = (
    "This meeting has not started, so nothing was saved. Minutes, actions, outcomes and links to other processes "
    "are recorded once the chair starts the meeting."
)


CLOSED_MEETING_REFUSAL = (
    "This meeting has closed, so its live pages are read-only: nothing was saved. "
    "The minutes, actions and outcomes agreed at it stay as they were when it closed."
)


# The live meeting's minutes, actions and outcomes are the record of what the meeting agreed: once it has closed,
# nothing changes them through the live pages.
def meeting_is_closed(status: str) -> bool:
    return status == MeetingStatus.CLOSED


# --- Action due dates -----------------------------------------------------------------------------------------------

# A due date more than a year after the meeting is almost always a mistyped year.
MAX_DAYS_AFTER_MEETING = 366


# BD Action planning: actions are agreed at the meeting and reviewed at the next, so none can fall due before the
# meeting; one due on a day the agencies are closed (the MARAC's working calendar) falls due unseen.
def action_due_date_error(*, due_on: date, meeting_day: date, working: calendar.WorkingCalendar) -> str | None:
    """Why an action cannot be due on `due_on`, in words for the "Due by" field; None when it can."""
    if due_on < meeting_day:
        return f"The due date must be on or after the date of the meeting, {calendar.format_day(meeting_day)}"
    latest = meeting_day + timedelta(days=MAX_DAYS_AFTER_MEETING)
    if due_on > latest:
        return f"The due date must be within a year of the meeting, on or before {calendar.format_day(latest)}"
    reason = calendar.non_working_reason(due_on, working)
    if reason is None:
        return None
    what = "a weekend" if reason in ("Saturday", "Sunday") else reason
    suggestion = calendar.format_day(calendar.add_working_days(due_on, 1, calendar=working))
    return (
        f"The due date must be a working day: {calendar.format_day(due_on)} is {what}. "
        f"Choose a working day, for example {suggestion}"
    )


def minute_fingerprint(risks_minute: str, decisions_minute: str) -> str:
    """A short fingerprint of a minute's text, posted by the minute form: whether the minute itself changed since
    the page was opened, whatever else changed on the listing."""
    return hashlib.sha256(f"{risks_minute}\0{decisions_minute}".encode()).hexdigest()


# LSCB; BD: a case's discussion links it to other processes (MAPPA, MASH, a child protection conference...). The
# same link twice says nothing more and clutters the meeting record.
def process_link_refusal(*, kind: str, note: str, recorded: Collection[tuple[str, str]]) -> str | None:
    """Why a link to another process may not be recorded on a listing with the links `recorded` (kind, note), in
    words; None when it may. The same process with the same note (ignoring spaces at the ends and case) is the same
    link; the same process with another note (another date or reference) is another link."""
    wanted = (kind, " ".join(note.split()).casefold())
    if any((done_kind, " ".join(done_note.split()).casefold()) == wanted for done_kind, done_note in recorded):
        return "This link to another process, with this note, is already recorded for this case. Nothing was added."
    return None
