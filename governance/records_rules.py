"""Deadlines and guards for the governance registers (BD Effectiveness of MARAC: Complaints, Breaches, Review;
BD Induction of New MARAC Representatives). Plain functions, no ORM: data in, decision out."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from governance.models import ComplaintStatus
from referrals.calendar import WorkingCalendar, add_working_days, months_after
from web.dates import happened_error

COMPLAINT_ACKNOWLEDGE_WORKING_DAYS = 5
VAWG_ACKNOWLEDGE_WORKING_DAYS = 5
PROTOCOL_REVIEW_MONTHS = 12
PROTOCOL_REVIEW_WARNING = timedelta(days=30)


# --- Deadlines ------------------------------------------------------------------------------------------------------


# One rule for every register's deadline, so that the registers' pages, their index and the home page count the same
# things as late: a deadline still to be met is overdue once its day has passed (it may be met on the day itself).
def deadline_has_passed(due_on: date, *, today: date) -> bool:
    return due_on < today


def deadlines_passed(dates: Iterable[date], *, today: date) -> int:
    return sum(deadline_has_passed(day, today=today) for day in dates)


# A deadline met after its day was still missed, and the record keeps saying so once it is met (BD Complaints:
# acknowledged "within 5 working days"; BD DHR: minutes released "within 10 working days").
def done_late(*, done_on: date | None, due_on: date | None) -> bool:
    return done_on is not None and due_on is not None and deadline_has_passed(due_on, today=done_on)


@dataclass(frozen=True)
class MissedDeadline:
    """A deadline met late: what was done late, in words completing a sentence ("Acknowledged late"), and its day."""

    what: str
    due_on: date


def missed_deadlines(steps: Iterable[tuple[str, date | None, date | None]]) -> list[MissedDeadline]:
    """Of (what, done on, due on) steps, those done after their day, in the order given."""
    return [
        MissedDeadline(what, due_on)
        for what, done_on, due_on in steps
        if due_on is not None and done_late(done_on=done_on, due_on=due_on)
    ]


# --- Complaints -----------------------------------------------------------------------------------------------------


# BD Complaints: "The MARAC Chair will acknowledge receipt of the complaint within 5 working days".
def complaint_acknowledge_by(received_on: date, *, calendar: WorkingCalendar) -> date:
    return add_working_days(received_on, COMPLAINT_ACKNOWLEDGE_WORKING_DAYS, calendar=calendar)


def complaint_awaits_acknowledgement(status: str) -> bool:
    return status == ComplaintStatus.RECEIVED


def complaint_acknowledgement_is_overdue(*, status: str, acknowledge_by: date, today: date) -> bool:
    return complaint_awaits_acknowledgement(status) and deadline_has_passed(acknowledge_by, today=today)


# BD Complaints: "The Chair of the VAWG Sub-Committee will acknowledge receipt of the complaint within 5 working days".
def complaint_vawg_acknowledge_by(escalated_on: date, *, calendar: WorkingCalendar) -> date:
    return add_working_days(escalated_on, VAWG_ACKNOWLEDGE_WORKING_DAYS, calendar=calendar)


def complaint_awaits_vawg_acknowledgement(status: str) -> bool:
    return complaint_after(status, ComplaintStep.ACKNOWLEDGE_VAWG) is not None


def complaint_vawg_acknowledgement_is_overdue(*, status: str, acknowledge_by: date | None, today: date) -> bool:
    """Late when escalated, not yet acknowledged by the VAWG chair, and past the date; never before the escalation,
    when there is no date."""
    return (
        complaint_awaits_vawg_acknowledgement(status)
        and acknowledge_by is not None
        and deadline_has_passed(acknowledge_by, today=today)
    )


# BD Complaints, in order: the chair acknowledges the complaint, investigates it and writes to the complainant (the
# response, stored as "resolved"); "If the complainant is not satisfied with the initial response from the MARAC
# Chair, then an escalated letter of complaint can be sent to the chair of the VAWG Sub Group"; the VAWG chair
# acknowledges it and responds. Each step, and the status it leads to from each status it may follow:
class ComplaintStep(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    INVESTIGATE = "investigate"
    RESPOND = "respond"
    ESCALATE = "escalate"
    ACKNOWLEDGE_VAWG = "acknowledge_vawg"
    RECORD_VAWG_OUTCOME = "record_vawg_outcome"


_COMPLAINT_STEPS: dict[ComplaintStep, tuple[frozenset[str], ComplaintStatus]] = {
    ComplaintStep.ACKNOWLEDGE: (frozenset({ComplaintStatus.RECEIVED}), ComplaintStatus.ACKNOWLEDGED),
    ComplaintStep.INVESTIGATE: (
        frozenset({ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.INVESTIGATING}),
        ComplaintStatus.INVESTIGATING,
    ),
    ComplaintStep.RESPOND: (
        frozenset({ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.INVESTIGATING}),
        ComplaintStatus.RESOLVED,
    ),
    ComplaintStep.ESCALATE: (frozenset({ComplaintStatus.RESOLVED}), ComplaintStatus.ESCALATED),
    ComplaintStep.ACKNOWLEDGE_VAWG: (frozenset({ComplaintStatus.ESCALATED}), ComplaintStatus.VAWG_ACKNOWLEDGED),
    ComplaintStep.RECORD_VAWG_OUTCOME: (
        frozenset({ComplaintStatus.VAWG_ACKNOWLEDGED}),
        ComplaintStatus.VAWG_RESPONDED,
    ),
}


def complaint_after(status: str, step: ComplaintStep) -> ComplaintStatus | None:
    """The status a step leads to, or None where the step cannot follow the complaint's status."""
    follows, leads_to = _COMPLAINT_STEPS[step]
    return leads_to if status in follows else None


def complaint_is_open(status: str) -> bool:
    """Open until the chair's response is sent; open again once escalated, until the VAWG chair's outcome is
    recorded."""
    return status not in {ComplaintStatus.RESOLVED, ComplaintStatus.VAWG_RESPONDED}


def complaint_is_acknowledged_and_open(status: str) -> bool:
    """Investigated, or responded to, by the chair only once acknowledged, and until the chair's response is sent."""
    return complaint_after(status, ComplaintStep.RESPOND) is not None


def complaint_may_be_escalated(status: str) -> bool:
    """Only after the chair's response: escalation is the complainant's answer to it."""
    return complaint_after(status, ComplaintStep.ESCALATE) is not None


# BD Complaints: the chair acknowledges within 5 working days and gives the complainant a time frame for the response;
# the VAWG chair acknowledges an escalated complaint within 5 working days.
def complaint_deadlines_missed(
    *,
    acknowledge_by: date,
    acknowledged_on: date | None,
    response_promised_by: date | None,
    resolved_on: date | None,
    vawg_acknowledge_by: date | None,
    vawg_acknowledged_on: date | None,
) -> list[MissedDeadline]:
    """The complaint's deadlines that were met, but late."""
    return missed_deadlines(
        [
            ("Acknowledged late", acknowledged_on, acknowledge_by),
            ("Chair's response sent late", resolved_on, response_promised_by),
            ("Acknowledged late by the VAWG chair", vawg_acknowledged_on, vawg_acknowledge_by),
        ]
    )


def complaint_awaits_vawg_outcome(status: str) -> bool:
    """Acknowledged by the VAWG chair, who has not yet responded: as the chair's response follows their own
    acknowledgement, the VAWG chair's follows theirs."""
    return complaint_after(status, ComplaintStep.RECORD_VAWG_OUTCOME) is not None


def complaint_is_with_vawg_chair(status: str) -> bool:
    """Escalated, and the VAWG chair's outcome not yet recorded (acknowledged by them or not)."""
    return complaint_awaits_vawg_acknowledgement(status) or complaint_awaits_vawg_outcome(status)


# --- Requests for minutes and action plans --------------------------------------------------------------------------


# BD DHR: the review panel receives the minutes and action plans "within 10 working days" (disclosure_rules).
def release_deadlines_missed(*, released_on: date | None, due_on: date | None) -> list[MissedDeadline]:
    return missed_deadlines([("Released late", released_on, due_on)])


# --- Breaches -------------------------------------------------------------------------------------------------------


# BD Breaches: "Any identified breaches of either the Operating Protocol or Information Sharing Agreement, will be
# referred to the VAWG Sub-Committee for consideration".
def breach_awaits_referral(referred_to_vawg_on: date | None) -> bool:
    return referred_to_vawg_on is None


# --- Agreements -----------------------------------------------------------------------------------------------------

AGREEMENT_DOCUMENTS = ("isa", "protocol")


# BD Information shared at the MARAC: "All attending agencies are required to sign the MARAC Information Sharing
# Protocol prior to attending the meeting."
def missing_agreements(member_agency_ids: Iterable[int], signed: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    """For each member agency that has not signed both documents, the documents it has not signed."""
    held: dict[int, set[str]] = {}
    for agency_id, document in signed:
        held.setdefault(agency_id, set()).add(document)
    missing = {}
    for agency_id in member_agency_ids:
        unsigned = [document for document in AGREEMENT_DOCUMENTS if document not in held.get(agency_id, set())]
        if unsigned:
            missing[agency_id] = unsigned
    return missing


# --- Induction ------------------------------------------------------------------------------------------------------

# BD Induction of New MARAC Representatives: the coordinator's steps for a new member, then "A MARAC induction should
# include" the four items that follow.
INDUCTION_ITEMS: tuple[tuple[str, str], ...] = (
    ("told_coordinator", "Told the MARAC coordinator before their first meeting that they will attend regularly"),
    ("secure_email", "Gave a secure e-mail address and was added to the MARAC's circulation list"),
    ("introduced_to_chair", "The MARAC chair was told of the new member and introductions were made"),
    ("awareness_training", "Attended domestic abuse awareness training (the safeguarding board's training offer)"),
    ("handover", "Had a hand-over meeting with the representative they replace (where replacing one)"),
    (
        "local_process",
        "Knows the local MARAC process: dates, times and places of meetings, the IDVAs on the borough, risk "
        "assessment, the information sharing agreement and the referral form",
    ),
    ("safelives_resources", "Visited the SafeLives website and its resources for MARAC representatives"),
)
INDUCTION_ITEM_KEYS = frozenset(key for key, _ in INDUCTION_ITEMS)


def induction_items_known(items: Iterable[str]) -> list[str]:
    """The ticked items in checklist order, dropping any the checklist no longer has."""
    ticked = set(items)
    return [key for key, _ in INDUCTION_ITEMS if key in ticked]


def induction_is_complete(items: Iterable[str]) -> bool:
    return set(items) >= INDUCTION_ITEM_KEYS


def induction_completed_on(*, items: Iterable[str], previously: date | None, today: date) -> date | None:
    """The day every item was first ticked; cleared again if an item is unticked."""
    if not induction_is_complete(items):
        return None
    return previously or today


# --- Protocol review ------------------------------------------------------------------------------------------------


class ReviewStatus(StrEnum):
    NEVER_REVIEWED = "never_reviewed"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    NOT_DUE = "not_due"


# BD Review: "The MARAC Operating Protocol will be reviewed annually by the VAWG Sub Group".
def protocol_review_next_due(reviewed_on: date) -> date:
    return months_after(reviewed_on, PROTOCOL_REVIEW_MONTHS)


def protocol_review_status(*, next_due_on: date | None, today: date) -> ReviewStatus:
    if next_due_on is None:
        return ReviewStatus.NEVER_REVIEWED
    if deadline_has_passed(next_due_on, today=today):
        return ReviewStatus.OVERDUE
    if next_due_on <= today + PROTOCOL_REVIEW_WARNING:
        return ReviewStatus.DUE_SOON
    return ReviewStatus.NOT_DUE


def protocol_review_needs_attention(status: ReviewStatus) -> bool:
    return status != ReviewStatus.NOT_DUE


def protocol_reviews_missed(reviews: Iterable[tuple[date, date]]) -> list[MissedDeadline | None]:
    """For (reviewed on, next due on) reviews, oldest first: for each, the deadline it met late, the day the review
    before it set, or None (the first review, and any on time)."""
    missed: list[MissedDeadline | None] = []
    due_on: date | None = None
    for reviewed_on, next_due_on in reviews:
        missed.append(next(iter(missed_deadlines([("Reviewed late", reviewed_on, due_on)])), None))
        due_on = next_due_on
    return missed


# --- What needs attention -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    overdue_acknowledgements: int
    overdue_responses: int
    overdue_vawg_acknowledgements: int
    complaints_open: int
    complaints_with_vawg_chair: int
    breaches_not_referred: int
    releases_due: int
    releases_overdue: int
    awaiting_chair_decision: int
    agencies_unsigned: int
    inductions_incomplete: int
    protocol_review: ReviewStatus
    protocol_review_due_on: date | None

    @property
    def protocol_review_due(self) -> bool:
        return protocol_review_needs_attention(self.protocol_review)


# --- Dates of things that have happened -----------------------------------------------------------------------------

# The words completing "The date ...", one set for the forms' messages and the services' refusals alike.
COMPLAINT_RECEIVED = "the complaint was received"
COMPLAINT_ACKNOWLEDGED = "the complaint was acknowledged"
COMPLAINT_RESOLVED = "the chair's response was sent"
COMPLAINT_ESCALATED = "the complainant asked for the complaint to be escalated"
COMPLAINT_VAWG_ACKNOWLEDGED = "the VAWG chair acknowledged the complaint"
COMPLAINT_VAWG_RESPONDED = "the VAWG chair responded"
BREACH_OCCURRED = "of the breach"
BREACH_REPORTED = "the breach was reported"
BREACH_REFERRED = "the breach was referred to the VAWG sub group"
REQUEST_RECEIVED = "the written request was received"
REQUEST_RELEASED = "the minutes and action plans were released"
AGREEMENT_SIGNED = "the agreement was signed"
PROTOCOL_REVIEWED = "the VAWG sub group reviewed the protocol"


# A register records what has happened: a complaint received, a breach reported, minutes released. A date after
# today is a typing slip (2028 for 2026), and would push deadlines such as "acknowledge in 5 working days" into
# the future, so it is refused with the GOV.UK message for a date that must be in the past; so is a date before
# the first MARAC (1 January 2003: 1800 for 2018), by the rule every form shares (web/dates.py).
def happened_date_error(value: date | None, *, today: date, what: str) -> str | None:
    """The error for a date of something that has happened, or None if the date is from 1 January 2003 to today
    (or empty).

    `what` completes "The date ...", for example "the complaint was received"."""
    if value is None:
        return None
    return happened_error(value, today=today, subject=f"The date {what}")


def date_order_error(value: date | None, *, earlier: date | None, what: str, earlier_what: str) -> str | None:
    """The error for a date that cannot come before another (resolved before received), or None if in order."""
    if value is None or earlier is None or value >= earlier:
        return None
    return f"The date {what} must be the same as or after the date {earlier_what}"


@dataclass(frozen=True)
class RecordDate:
    """One date a register records: its field, its value, the words completing "The date ...", and where it
    cannot come before another date (acknowledged before received), that date and its words."""

    field: str
    value: date | None
    what: str
    earlier: date | None = None
    earlier_what: str = ""


def record_date_errors(dates: Iterable[RecordDate], *, today: date) -> dict[str, str]:
    """Each wrong date's error by field, {} when every date is right: a date after today first, otherwise one
    before the date it follows. The forms show these beside their fields; the services refuse with them."""
    errors = {}
    for record_date in dates:
        error = happened_date_error(record_date.value, today=today, what=record_date.what) or date_order_error(
            record_date.value, earlier=record_date.earlier, what=record_date.what, earlier_what=record_date.earlier_what
        )
        if error:
            errors[record_date.field] = error
    return errors


# Which date follows which, register by register: the forms and the services take them from here.


def complaint_received_dates(*, received_on: date | None) -> list[RecordDate]:
    return [RecordDate("received_on", received_on, COMPLAINT_RECEIVED)]


def complaint_acknowledged_dates(*, acknowledged_on: date | None, received_on: date | None) -> list[RecordDate]:
    return [RecordDate("acknowledged_on", acknowledged_on, COMPLAINT_ACKNOWLEDGED, received_on, COMPLAINT_RECEIVED)]


def complaint_resolved_dates(
    *, resolved_on: date | None, received_on: date | None, acknowledged_on: date | None
) -> list[RecordDate]:
    """Resolved on or after the acknowledgement, or the receipt while the complaint has no acknowledgement date."""
    if acknowledged_on:
        return [RecordDate("resolved_on", resolved_on, COMPLAINT_RESOLVED, acknowledged_on, COMPLAINT_ACKNOWLEDGED)]
    return [RecordDate("resolved_on", resolved_on, COMPLAINT_RESOLVED, received_on, COMPLAINT_RECEIVED)]


def complaint_escalated_dates(*, escalated_on: date | None, resolved_on: date | None) -> list[RecordDate]:
    """Escalated on or after the day the chair's response was sent: escalation answers it."""
    return [RecordDate("escalated_on", escalated_on, COMPLAINT_ESCALATED, resolved_on, COMPLAINT_RESOLVED)]


def complaint_vawg_acknowledged_dates(
    *, vawg_acknowledged_on: date | None, escalated_on: date | None
) -> list[RecordDate]:
    return [
        RecordDate(
            "vawg_acknowledged_on", vawg_acknowledged_on, COMPLAINT_VAWG_ACKNOWLEDGED, escalated_on, COMPLAINT_ESCALATED
        )
    ]


def complaint_vawg_outcome_dates(
    *, vawg_responded_on: date | None, escalated_on: date | None, vawg_acknowledged_on: date | None = None
) -> list[RecordDate]:
    """Responded on or after the VAWG chair's acknowledgement, or the escalation where no acknowledgement is dated."""
    if vawg_acknowledged_on:
        return [
            RecordDate(
                "vawg_responded_on",
                vawg_responded_on,
                COMPLAINT_VAWG_RESPONDED,
                vawg_acknowledged_on,
                COMPLAINT_VAWG_ACKNOWLEDGED,
            )
        ]
    return [
        RecordDate("vawg_responded_on", vawg_responded_on, COMPLAINT_VAWG_RESPONDED, escalated_on, COMPLAINT_ESCALATED)
    ]


def breach_dates(*, occurred_on: date | None, reported_on: date | None) -> list[RecordDate]:
    return [
        RecordDate("occurred_on", occurred_on, BREACH_OCCURRED),
        RecordDate("reported_on", reported_on, BREACH_REPORTED, occurred_on, BREACH_OCCURRED),
    ]


def breach_referred_dates(*, referred_to_vawg_on: date | None, reported_on: date | None) -> list[RecordDate]:
    return [RecordDate("referred_to_vawg_on", referred_to_vawg_on, BREACH_REFERRED, reported_on, BREACH_REPORTED)]


def request_received_dates(*, received_on: date | None) -> list[RecordDate]:
    return [RecordDate("received_on", received_on, REQUEST_RECEIVED)]


def request_released_dates(*, released_on: date | None, received_on: date | None) -> list[RecordDate]:
    return [RecordDate("released_on", released_on, REQUEST_RELEASED, received_on, REQUEST_RECEIVED)]


def agreement_signed_dates(*, signed_on: date | None) -> list[RecordDate]:
    return [RecordDate("signed_on", signed_on, AGREEMENT_SIGNED)]


def protocol_reviewed_dates(*, reviewed_on: date | None) -> list[RecordDate]:
    return [RecordDate("reviewed_on", reviewed_on, PROTOCOL_REVIEWED)]
