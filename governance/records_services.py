"""Writes to the governance registers. Each locks the row it changes, refuses a stale edit (the version the user
saw), and writes its audit entry in the same transaction. Audit summaries name ids and dates, never a person.
Dates are held to records_rules.record_date_errors here, not only in the forms, so every caller keeps to them."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import role_emails
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case
from governance import disclosure_rules, records_rules
from governance.models import (
    AgreementSignature,
    Breach,
    Complaint,
    ComplaintStatus,
    DisclosureKind,
    DisclosureRequest,
    InductionRecord,
    ProtocolReview,
)
from governance.records_selectors import case_at_marac_for_user, marac_calendar
from marac.models import Agency, Marac
from referrals.calendar import format_day
from web import dates
from web.links import site_link
from web.mail import send_to_each


class RecordRefused(Exception):
    """A write the rules do not allow; the message is safe to show the user."""

    message = "This could not be recorded."

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message

    def __str__(self) -> str:
        return self.message


class StaleRecord(RecordRefused):
    message = (
        "Someone else changed this record while you were looking at it. Nothing has been saved: "
        "reload the page to see their change, then make yours again if it is still needed."
    )


class RecordDatesRefused(RecordRefused):
    """A date after today, or before the date it follows (records_rules.record_date_errors). `errors` holds each
    wrong date's message by field, for a caller that shows them beside its own fields."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(f"{error}." for error in errors.values()))


def _require_dates(dates: Iterable[records_rules.RecordDate]) -> None:
    """Whoever calls (a page, a management command, an API), a register only holds dates that have happened, in
    order. Called before anything is written, or inside the transaction that is then rolled back."""
    errors = records_rules.record_date_errors(dates, today=timezone.localdate())
    if errors:
        raise RecordDatesRefused(errors)


def _tell_chairs(marac: Marac, *, subject: str, what: str, url_name: str, pk: int) -> None:
    """Once the change is saved, email the MARAC's chairs a deadline of theirs: dates, the MARAC's name and a link,
    never who complained, who is asking or which case (the page says that to those who may see it). Sent when the
    transaction commits, as the other emails of an event are (actions.tracking, referrals.decisions): an email about
    a record that was rolled back would send the chair to a page that is not there."""
    link = site_link(url_name, pk)

    def send() -> None:
        recipients = role_emails(marac_id=marac.pk, role=Role.CHAIR)
        if recipients:
            message = f"{what}\n\nSign in to see it:\n\n{link}\n"
            send_to_each(subject=f"OpenMARAC: {subject}", message=message, recipients=recipients)

    transaction.on_commit(send)


def _locked[Record: Model](record: Record, based_on_version: int) -> Record:
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if locked.version != based_on_version:  # type: ignore[attr-defined]
        raise StaleRecord
    locked.version += 1  # type: ignore[attr-defined]
    return locked


def _audit(action: str, record: Model, summary: str, by: User, changes: dict[str, Any] | None = None) -> None:
    audit_record(action=action, obj=record, summary=summary, changes=changes, user=by)


# --- Complaints -----------------------------------------------------------------------------------------------------


def complaint_record(*, marac: Marac, received_on: date, from_whom: str, summary: str, by: User) -> Complaint:
    _require_dates(records_rules.complaint_received_dates(received_on=received_on))
    acknowledge_by = records_rules.complaint_acknowledge_by(received_on, calendar=marac_calendar(marac))
    with transaction.atomic():
        complaint = Complaint.objects.create(
            marac=marac,
            received_on=received_on,
            from_whom=from_whom,
            summary=summary,
            acknowledge_by=acknowledge_by,
            recorded_by=by,
        )
        _audit(
            AuditAction.CREATE, complaint, f"Complaint received {received_on}, to acknowledge by {acknowledge_by}", by
        )
        _tell_chairs(
            marac,
            subject=f"a complaint to acknowledge by {format_day(acknowledge_by)}",
            what=f"A complaint received on {format_day(received_on)} has been recorded at {marac.name}. The MARAC "
            f"chair acknowledges it within {records_rules.COMPLAINT_ACKNOWLEDGE_WORKING_DAYS} working days, by "
            f"{format_day(acknowledge_by)}, and tells the complainant when to expect a response.",
            url_name="governance_records:complaint",
            pk=complaint.pk,
        )
    return complaint


RESPONSE_PROMISED = "you told the complainant to expect your response"
RESPONSE_PROMISED_YEARS_AHEAD = 1


def response_promised_error(promised_by: date | None, *, acknowledged_on: date | None, today: date) -> str | None:
    """BD Complaints: the acknowledgement gives "a timeframe in which a response will be made". The date promised is
    ahead, but not before the acknowledgement that gives it, and no more than a year on (2062 for 2026 is a slip).
    The form shows this beside its field; complaint_acknowledge refuses with it."""
    if promised_by is None:
        return None
    subject = f"The date {RESPONSE_PROMISED}"
    return records_rules.date_order_error(
        promised_by, earlier=acknowledged_on, what=RESPONSE_PROMISED, earlier_what=records_rules.COMPLAINT_ACKNOWLEDGED
    ) or dates.planned_error(promised_by, today=today, years_ahead=RESPONSE_PROMISED_YEARS_AHEAD, subject=subject)


def complaint_acknowledge(
    *,
    complaint: Complaint,
    acknowledged_on: date,
    based_on_version: int,
    by: User,
    response_promised_by: date | None = None,
) -> Complaint:
    """`response_promised_by`: when the chair told the complainant to expect a response. The page asks for it; it is
    optional here only for history recorded without it (an import of old complaints)."""
    with transaction.atomic():
        complaint = _locked(complaint, based_on_version)
        if not records_rules.complaint_awaits_acknowledgement(complaint.status):
            raise RecordRefused("This complaint has already been acknowledged.")
        _require_dates(
            records_rules.complaint_acknowledged_dates(
                acknowledged_on=acknowledged_on, received_on=complaint.received_on
            )
        )
        promised_error = response_promised_error(
            response_promised_by, acknowledged_on=acknowledged_on, today=timezone.localdate()
        )
        if promised_error:
            raise RecordDatesRefused({"response_promised_by": promised_error})
        complaint.acknowledged_on, complaint.status = acknowledged_on, ComplaintStatus.ACKNOWLEDGED
        complaint.response_promised_by = response_promised_by
        complaint.save(update_fields=["acknowledged_on", "response_promised_by", "status", "version"])
        promised = f", response promised by {response_promised_by}" if response_promised_by else ""
        changes = {"status": "changed", **({"response_promised_by": "changed"} if response_promised_by else {})}
        _audit(AuditAction.CHANGE, complaint, f"Complaint acknowledged {acknowledged_on}{promised}", by, changes)
    return complaint


def complaint_investigate(*, complaint: Complaint, notes: str, based_on_version: int, by: User) -> Complaint:
    with transaction.atomic():
        complaint = _locked(complaint, based_on_version)
        _require_acknowledged_and_open(complaint)
        complaint.investigation_notes, complaint.status = notes, ComplaintStatus.INVESTIGATING
        complaint.save(update_fields=["investigation_notes", "status", "version"])
        changes = {"investigation_notes": "changed", "status": "changed"}
        _audit(AuditAction.CHANGE, complaint, "Complaint investigation notes recorded", by, changes)
    return complaint


def complaint_resolve(*, complaint: Complaint, resolved_on: date, based_on_version: int, by: User) -> Complaint:
    with transaction.atomic():
        complaint = _locked(complaint, based_on_version)
        _require_acknowledged_and_open(complaint)
        _require_dates(
            records_rules.complaint_resolved_dates(
                resolved_on=resolved_on, received_on=complaint.received_on, acknowledged_on=complaint.acknowledged_on
            )
        )
        complaint.resolved_on, complaint.status = resolved_on, ComplaintStatus.RESOLVED
        complaint.save(update_fields=["resolved_on", "status", "version"])
        # Not "resolved": the complainant may still escalate it (ComplaintStatus.RESOLVED's label says the same).
        _audit(
            AuditAction.CHANGE,
            complaint,
            f"Chair's response to the complaint sent {resolved_on}",
            by,
            {"status": "changed"},
        )
    return complaint


def complaint_escalate(
    *, complaint: Complaint, escalated_on: date, reason: str, based_on_version: int, by: User
) -> Complaint:
    """The complainant is not satisfied with the chair's response: the complaint goes to the VAWG chair, who must
    acknowledge it within 5 working days, and is open again until their outcome is recorded."""
    with transaction.atomic():
        complaint = _locked(complaint, based_on_version)
        if not records_rules.complaint_may_be_escalated(complaint.status):
            raise RecordRefused(
                "Only a complaint the chair has responded to can be escalated: record the chair's response first."
            )
        _require_dates(
            records_rules.complaint_escalated_dates(escalated_on=escalated_on, resolved_on=complaint.resolved_on)
        )
        acknowledge_by = records_rules.complaint_vawg_acknowledge_by(
            escalated_on, calendar=marac_calendar(complaint.marac)
        )
        complaint.escalated_on, complaint.escalation_reason = escalated_on, reason
        complaint.vawg_acknowledge_by, complaint.status = acknowledge_by, ComplaintStatus.ESCALATED
        complaint.save(update_fields=["escalated_on", "escalation_reason", "vawg_acknowledge_by", "status", "version"])
        changes = {"status": "changed", "escalation_reason": "changed"}
        summary = f"Complaint escalated to the VAWG chair {escalated_on}, to be acknowledged by {acknowledge_by}"
        _audit(AuditAction.CHANGE, complaint, summary, by, changes)
        _tell_chairs(
            complaint.marac,
            subject=f"a complaint escalated to the VAWG chair, to be acknowledged by {format_day(acknowledge_by)}",
            what=f"A complaint at {complaint.marac.name} was escalated to the chair of the VAWG sub group on "
            f"{format_day(escalated_on)}: the complainant is not satisfied with the chair's response. The VAWG chair "
            f"acknowledges it within {records_rules.VAWG_ACKNOWLEDGE_WORKING_DAYS} working days, by "
            f"{format_day(acknowledge_by)}. Record their acknowledgement when it comes.",
            url_name="governance_records:complaint",
            pk=complaint.pk,
        )
    return complaint


def complaint_acknowledge_by_vawg_chair(
    *, complaint: Complaint, acknowledged_on: date, based_on_version: int, by: User
) -> Complaint:
    """The chair records that the VAWG chair acknowledged the escalated complaint."""
    with transaction.atomic():
        complaint = _locked(complaint, based_on_version)
        if complaint.vawg_acknowledged_on is not None:
            raise RecordRefused("The VAWG chair has already acknowledged this complaint.")
        if not records_rules.complaint_awaits_vawg_acknowledgement(complaint.status):
            raise RecordRefused(
                "Only a complaint escalated to the VAWG chair can have the VAWG chair's acknowledgement."
            )
        _require_dates(
            records_rules.complaint_vawg_acknowledged_dates(
                vawg_acknowledged_on=acknowledged_on, escalated_on=complaint.escalated_on
            )
        )
        complaint.vawg_acknowledged_on, complaint.status = acknowledged_on, ComplaintStatus.VAWG_ACKNOWLEDGED
        complaint.save(update_fields=["vawg_acknowledged_on", "status", "version"])
        changes = {"status": "changed", "vawg_acknowledged_on": "changed"}
        _audit(AuditAction.CHANGE, complaint, f"VAWG chair acknowledged the complaint {acknowledged_on}", by, changes)
    return complaint


def complaint_record_vawg_outcome(
    *, complaint: Complaint, responded_on: date, outcome: str, based_on_version: int, by: User
) -> Complaint:
    """The VAWG chair's response to an escalated complaint they have acknowledged, which closes it."""
    with transaction.atomic():
        complaint = _locked(complaint, based_on_version)
        if not records_rules.complaint_awaits_vawg_outcome(complaint.status):
            raise RecordRefused(
                "Only a complaint escalated to the VAWG chair can have the VAWG chair's outcome, once their "
                "acknowledgement is recorded."
            )
        _require_dates(
            records_rules.complaint_vawg_outcome_dates(
                vawg_responded_on=responded_on,
                escalated_on=complaint.escalated_on,
                vawg_acknowledged_on=complaint.vawg_acknowledged_on,
            )
        )
        complaint.vawg_responded_on, complaint.vawg_outcome = responded_on, outcome
        complaint.status = ComplaintStatus.VAWG_RESPONDED
        complaint.save(update_fields=["vawg_responded_on", "vawg_outcome", "status", "version"])
        changes = {"status": "changed", "vawg_outcome": "changed"}
        _audit(AuditAction.CHANGE, complaint, f"VAWG chair's response to the complaint {responded_on}", by, changes)
    return complaint


def _require_acknowledged_and_open(complaint: Complaint) -> None:
    if not records_rules.complaint_is_acknowledged_and_open(complaint.status):
        raise RecordRefused("The complaint must be acknowledged, and the chair's response not yet sent.")


# --- Breaches -------------------------------------------------------------------------------------------------------


def breach_record(
    *,
    marac: Marac,
    occurred_on: date,
    reported_on: date,
    agency: Agency | None,
    of_what: str,
    description: str,
    by: User,
) -> Breach:
    _require_dates(records_rules.breach_dates(occurred_on=occurred_on, reported_on=reported_on))
    with transaction.atomic():
        breach = Breach.objects.create(
            marac=marac,
            occurred_on=occurred_on,
            reported_on=reported_on,
            agency=agency,
            of_what=of_what,
            description=description,
            recorded_by=by,
        )
        _audit(AuditAction.CREATE, breach, f"Breach of the {of_what} reported {reported_on}", by)
    return breach


REFERRAL_KEPT = (
    "The date the breach was referred to the VAWG sub group cannot be removed once recorded: enter the date it was "
    "referred"
)


def breach_update(
    *, breach: Breach, referred_to_vawg_on: date | None, outcome: str, based_on_version: int, by: User
) -> Breach:
    with transaction.atomic():
        breach = _locked(breach, based_on_version)
        if breach.referred_to_vawg_on is not None and referred_to_vawg_on is None:
            # BD Breaches: a breach referred to the VAWG sub group has been referred; a wrong date can be corrected.
            raise RecordDatesRefused({"referred_to_vawg_on": REFERRAL_KEPT})
        _require_dates(
            records_rules.breach_referred_dates(referred_to_vawg_on=referred_to_vawg_on, reported_on=breach.reported_on)
        )
        changes = {
            name: "changed"
            for name, new in [("referred_to_vawg_on", referred_to_vawg_on), ("outcome", outcome)]
            if getattr(breach, name) != new
        }
        breach.referred_to_vawg_on, breach.outcome = referred_to_vawg_on, outcome
        breach.save(update_fields=["referred_to_vawg_on", "outcome", "version"])
        _audit(AuditAction.CHANGE, breach, "Breach referral or outcome recorded", by, changes)
    return breach


# --- Disclosure requests --------------------------------------------------------------------------------------------

# The same words for a reference no case has and for a case the user may not see: nobody learns that a case exists.
CASE_NOT_FOUND = "Enter the reference of a case at this MARAC, as it is shown on the case's page"


def disclosure_request_record(
    *,
    marac: Marac,
    kind: str,
    requested_by: str,
    reference: str,
    received_on: date,
    circumstance: str,
    by: User,
    case: Case | None = None,
) -> DisclosureRequest:
    """`case`: the case the request is about, one `by` may see at the MARAC (the form finds it by its reference).
    A case named in a request stays in the disclosure register, so retention anonymises it rather than deleting it."""
    _require_dates(records_rules.request_received_dates(received_on=received_on))
    if case is not None and case_at_marac_for_user(user=by, marac_id=marac.pk, reference=case.reference) != case:
        raise RecordRefused(CASE_NOT_FOUND)
    if kind == DisclosureKind.DOMESTIC_HOMICIDE_REVIEW:
        requirement = disclosure_rules.dhr_requirement(
            circumstance=circumstance, received_on=received_on, calendar=marac_calendar(marac)
        )
    else:
        circumstance, requirement = "", disclosure_rules.court_requirement()
    with transaction.atomic():
        request = DisclosureRequest.objects.create(
            marac=marac,
            kind=kind,
            case=case,
            requested_by=requested_by,
            reference=reference,
            received_on=received_on,
            circumstance=circumstance,
            release_required=requirement.release_required,
            due_on=requirement.due_on,
            recorded_by=by,
        )
        due = f", release required by {requirement.due_on}" if requirement.release_required else ""
        about = f", about case {case.pk}" if case is not None else ""
        summary = f"{request.get_kind_display()} request received {received_on}{about}{due}"
        _audit(AuditAction.CREATE, request, summary, by, {"case": {"to": case.pk}} if case is not None else None)
        _tell_chairs_of_request(request)
    return request


def _tell_chairs_of_request(request: DisclosureRequest) -> None:
    received = format_day(request.received_on)
    if request.kind == DisclosureKind.DOMESTIC_HOMICIDE_REVIEW and request.release_required and request.due_on:
        subject = f"minutes and action plans to release by {format_day(request.due_on)}"
        what = (
            f"A domestic homicide review request received on {received} has been recorded at {request.marac.name}. "
            "The MARAC chair, with the coordinator, releases the minutes and action plans to the review panel within "
            f"{disclosure_rules.DHR_RELEASE_WORKING_DAYS} working days, by {format_day(request.due_on)}."
        )
    elif request.kind == DisclosureKind.DOMESTIC_HOMICIDE_REVIEW:
        subject = "a domestic homicide review request waits for your decision"
        what = (
            f"A domestic homicide review request received on {received} has been recorded at {request.marac.name}. "
            "It is not one of the circumstances in which release is required: the MARAC chair decides whether to "
            "release the minutes and action plans."
        )
    else:
        subject = "a court's request for disclosure waits for your decision"
        what = (
            f"A court's request for disclosure received on {received} has been recorded at {request.marac.name}. "
            "The MARAC chair decides whether to release the minutes and action plans."
        )
    _tell_chairs(request.marac, subject=subject, what=what, url_name="governance_records:disclosure", pk=request.pk)


def disclosure_decide(
    *, request: DisclosureRequest, decision: str, reason: str, based_on_version: int, by: User
) -> DisclosureRequest:
    with transaction.atomic():
        request = _locked(request, based_on_version)
        if not disclosure_rules.chair_may_decide(
            release_required=request.release_required, released_on=request.released_on
        ):
            raise RecordRefused("Release is required or has happened: there is no decision for the chair to make.")
        request.chair_decision, request.decision_reason, request.decided_by = decision, reason, by
        request.save(update_fields=["chair_decision", "decision_reason", "decided_by", "version"])
        changes = {"chair_decision": {"to": decision}, "decision_reason": "changed"}
        _audit(AuditAction.CHANGE, request, f"Chair decided: {decision}", by, changes)
    return request


def disclosure_record_release(
    *, request: DisclosureRequest, released_on: date, redaction_notes: str, based_on_version: int, by: User
) -> DisclosureRequest:
    with transaction.atomic():
        request = _locked(request, based_on_version)
        if not disclosure_rules.release_is_outstanding(
            release_required=request.release_required,
            chair_decision=request.chair_decision,
            released_on=request.released_on,
        ):
            raise RecordRefused("Only a request that must be released, or that the chair agreed to, can be released.")
        _require_dates(records_rules.request_released_dates(released_on=released_on, received_on=request.received_on))
        request.released_on, request.redaction_notes = released_on, redaction_notes
        request.save(update_fields=["released_on", "redaction_notes", "version"])
        changes = {"released_on": {"to": str(released_on)}, "redaction_notes": "changed"}
        _audit(AuditAction.CHANGE, request, f"Minutes and action plans released {released_on}", by, changes)
    return request


# --- Agreements, induction, protocol review -------------------------------------------------------------------------


def signature_record(
    *, marac: Marac, agency: Agency, document: str, signed_on: date, signed_by: str, by: User
) -> AgreementSignature:
    _require_dates(records_rules.agreement_signed_dates(signed_on=signed_on))
    with transaction.atomic():
        signature = AgreementSignature.objects.create(
            marac=marac, agency=agency, document=document, signed_on=signed_on, signed_by=signed_by
        )
        _audit(AuditAction.CREATE, signature, f"Agency {agency.pk} signed the {document} on {signed_on}", by)
    return signature


def induction_start(*, marac: Marac, user: User, by: User) -> InductionRecord:
    with transaction.atomic():
        induction, created = InductionRecord.objects.get_or_create(marac=marac, user=user)
        if created:
            _audit(AuditAction.CREATE, induction, f"Induction started for user {user.pk}", by)
    return induction


def induction_update(
    *, induction: InductionRecord, items: list[str], today: date, based_on_version: int, by: User
) -> InductionRecord:
    with transaction.atomic():
        induction = _locked(induction, based_on_version)
        induction.completed_items = records_rules.induction_items_known(items)
        induction.completed_on = records_rules.induction_completed_on(
            items=induction.completed_items, previously=induction.completed_on, today=today
        )
        induction.save(update_fields=["completed_items", "completed_on", "version"])
        done = f"{len(induction.completed_items)} of {len(records_rules.INDUCTION_ITEMS)} items done"
        _audit(
            AuditAction.CHANGE, induction, f"Induction checklist updated: {done}", by, {"completed_items": "changed"}
        )
    return induction


def protocol_review_record(*, marac: Marac, reviewed_on: date, notes: str, by: User) -> ProtocolReview:
    _require_dates(records_rules.protocol_reviewed_dates(reviewed_on=reviewed_on))
    next_due_on = records_rules.protocol_review_next_due(reviewed_on)
    with transaction.atomic():
        review = ProtocolReview.objects.create(
            marac=marac, reviewed_on=reviewed_on, next_due_on=next_due_on, notes=notes, recorded_by=by
        )
        _audit(AuditAction.CREATE, review, f"Protocol reviewed {reviewed_on}, next due {next_due_on}", by)
    return review
