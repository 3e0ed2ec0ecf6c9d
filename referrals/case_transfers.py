"""A MARAC-to-MARAC referral of a case this MARAC has already accepted: the victim has moved for good, so the MARAC
where they now live leads (BD Referrals to other MARACs, Jurisdiction; DOMAIN.md rule 13). It is recorded as a
Transfer from the case's referral; a MARAC in this installation receives its own submitted referral carrying that
referral's content, and decides on it by its own criteria. The sending MARAC keeps its case, marked transferred.

Transferring a referral before it became a case is referrals.decisions.referral_transfer (its referral is then
marked transferred); here the case's referral stays accepted, which is how the two kinds of Transfer differ."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from actions.models import Action
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseStatus
from marac.models import Marac
from meetings.models import Listing, MeetingStatus
from referrals import decisions
from referrals.calendar import format_day, format_meeting_time
from referrals.models import IdvaAllocation, Referral, ReferralStatus, Transfer

DECIDE = "referrals.decide"  # the coordinator's permission: accept, return or transfer a referral


class CaseTransferRefused(Exception):
    """The case cannot be referred to another MARAC now: the message says why, and nothing was saved."""


@dataclass(frozen=True)
class CaseTransferState:
    """What the case page says about referring the case to another MARAC."""

    transfer: Transfer | None  # made: where the case went, when and why
    awaited: bool  # the meeting's outcome was "Transferred to another MARAC" and no referral has been made yet
    refusal: str | None  # why it cannot be referred on now; None when it can


def case_transfer_of(case: Case) -> Transfer | None:
    """The MARAC-to-MARAC referral made of this case, if any (its referral's one transfer out)."""
    return Transfer.objects.filter(from_referral__case=case).select_related("to_marac").first()


def case_transfer_state(case: Case) -> CaseTransferState:
    transfer = case_transfer_of(case)
    refusal = case_transfer_refusal(case, Referral.objects.filter(case=case).first(), transfer)
    return CaseTransferState(transfer, transfer is None and case.status == CaseStatus.TRANSFERRED, refusal)


# BD Referrals to other MARACs: a case still open here (referred, listed, heard and open for review), or one the
# meeting recorded as transferred, can be sent on; a closed case cannot, nor one already sent, nor one a meeting
# still means to hear.
def case_transfer_refusal(case: Case, referral: Referral | None, transfer: Transfer | None) -> str | None:
    if transfer is not None:
        return f"This case was referred to {transfer.to_marac_label} on {_day(transfer.transferred_at)}."
    if case.status == CaseStatus.CLOSED:
        return "This case is closed, so it cannot be referred to another MARAC."
    if referral is None or referral.status != ReferralStatus.ACCEPTED:
        return (
            "This case came from the MARAC's earlier records, with no referral in OpenMARAC to send on. "
            "Send the other MARAC a referral by its usual secure route."
        )
    listing = _listing_still_to_hear(case)
    if listing is None:
        return None
    when = format_meeting_time(listing.meeting.starts_at)
    if _running(listing):  # the chair may still change the case's outcome there, and its status with it
        return f"This case is listed at the MARAC on {when}, which is still running: refer it once that meeting closes."
    return (
        f"This case is listed at the MARAC on {when}. Hear it there and record the outcome 'Transferred to another "
        "MARAC', or take it off that meeting's agenda ('Take off the agenda' on the meeting's page), then refer it."
    )


def _day(moment: datetime) -> str:
    day = timezone.localtime(moment).date()
    return f"{day.day} {day:%B %Y}"


def _listing_still_to_hear(case: Case) -> Listing | None:
    """A listing of the case at a meeting running now, or with no outcome at a meeting still to come: that meeting
    could hear, or settle again, a case already sent on. (One at a past meeting never run in OpenMARAC does not
    hold the case here.)"""
    running = Q(meeting__state__status=MeetingStatus.IN_PROGRESS)
    to_come = Q(outcome="", meeting__starts_at__gt=timezone.now()) & ~Q(meeting__state__status=MeetingStatus.CLOSED)
    return (
        Listing.objects.filter(case=case)
        .filter(running | to_come)
        .select_related("meeting__state")
        .order_by("meeting__starts_at")
        .first()
    )


def _running(listing: Listing) -> bool:
    state = getattr(listing.meeting, "state", None)
    return state is not None and state.status == MeetingStatus.IN_PROGRESS


def case_transfer(*, case: Case, to_marac: Marac | None, to_marac_name: str = "", reason: str, by: Any) -> Transfer:
    """Refer the case to another MARAC: all of it or nothing. A MARAC in this installation gets a new submitted
    referral carrying the case's referral, checked against its own criteria, and its coordinators are emailed; one
    outside it (to_marac None, named in to_marac_name) gets nothing from here: the referral is recorded, and the
    coordinator sends it by its usual route. The case becomes "Transferred". Refused with CaseTransferRefused if the
    case cannot be sent on now (case_transfer_refusal, under the case's lock: a second send finds the first)."""
    if (to_marac is None) == (not to_marac_name):
        raise ValueError("A referral goes to one MARAC: in this installation, or outside it by name")
    if not by.has_perm(DECIDE, case):
        raise PermissionDenied
    try:
        with transaction.atomic():
            return _transfer(case, to_marac, to_marac_name, reason, by)
    except IntegrityError as error:  # the referral's one transfer out was made at the same moment
        raise CaseTransferRefused("This case was referred to another MARAC at the same moment.") from error


def _transfer(case: Case, to_marac: Marac | None, to_marac_name: str, reason: str, by: Any) -> Transfer:
    # The referral, then the case: the order referral_list_at_emergency_meeting takes them in.
    referral = Referral.objects.select_for_update().filter(case_id=case.pk).first()
    current = Case.objects.select_for_update().get(pk=case.pk)
    refusal = case_transfer_refusal(current, referral, case_transfer_of(current))
    if refusal is not None:
        raise CaseTransferRefused(refusal)
    assert referral is not None  # refused above otherwise
    if to_marac is not None and to_marac.pk == current.marac_id:
        raise CaseTransferRefused("That is this MARAC: choose the MARAC the victim has moved to.")
    received = decisions.received_referral(referral, to_marac) if to_marac is not None else None
    transfer = Transfer(
        from_referral=referral,
        to_marac=to_marac,
        to_marac_name=to_marac_name,
        to_referral=received,
        reason=reason,
        transferred_by=by,
    )
    if received is not None:  # one outside this installation is sent the referral by the coordinator, by hand
        transfer.sender_summary = what_this_marac_held(current, by=by)
    transfer.save()
    was = current.status
    current.status = CaseStatus.TRANSFERRED
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    where = f"MARAC {to_marac.pk}" if to_marac is not None else "a MARAC outside this installation"
    audit_record(
        action=AuditAction.CHANGE,
        obj=current,
        user=by,
        summary=f"Referred case {current.pk} to {where} (transfer {transfer.pk})",
        changes={"status": {"from": was, "to": CaseStatus.TRANSFERRED}, "transfer_id": transfer.pk},
    )
    if received is not None:
        met = "met" if decisions.criteria_met_here(received) else "not met"
        summary = (
            f"Received by transfer {transfer.pk} of a case accepted by another MARAC; this MARAC's criteria {met}; "
            f"{_what_was_sent(transfer.sender_summary)}"
        )
        audit_record(action=AuditAction.CREATE, obj=received, user=by, summary=summary)
        transaction.on_commit(lambda: _tell_receiving_coordinators(received))
    return transfer


def _tell_receiving_coordinators(received: Referral) -> None:
    """Its MARAC's name and a link: nothing about the people in it, where it came from or why."""
    name = received.marac.name
    decisions.tell_receiving_coordinators(
        received,
        subject=f"a case has been referred to {name} by another MARAC",
        news=f"Another MARAC has referred a case to {name}: a MARAC-to-MARAC referral.",
    )


# What the receiving MARAC is sent of the case (BD Referrals to other MARACs, Jurisdiction; DOMAIN.md rule 13): the
# MARAC that now leads needs the risk picture the last one agreed. A snapshot in words, taken as the case is sent, so
# nothing that changes here later reaches the receiving MARAC, and it is given no way into this MARAC's case.
SUMMARY_VERSION = 1


def what_this_marac_held(case: Case, *, by: Any) -> dict[str, Any]:
    """The sending MARAC's hearings of the case (with their minutes), its actions, the IDVA service, the risk
    checklist scores it holds for the victim and the coordinator to ask. A restricted case sends only that it was
    restricted and whom to ask: its named users decide what the receiving coordinator, who is not named, may see."""
    summary: dict[str, Any] = {
        "version": SUMMARY_VERSION,
        "marac": case.marac.name,
        "case_reference": case.reference,
        "coordinator": {"name": by.full_name, "email": by.email},
        "restricted": case.restricted,
    }
    if case.restricted:
        return summary
    return summary | {
        "hearings": [_hearing(listing) for listing in _hearings(case)],
        "actions": [_action(action) for action in _actions(case)],
        "idva": _idva(case),
        "scores": _scores(case),
    }


def _hearings(case: Case) -> list[Listing]:
    """Its listings that a meeting took up: heard, settled or held over (not one at a meeting never run)."""
    listings = Listing.objects.filter(case=case).exclude(outcome="", started_at__isnull=True)
    return list(listings.select_related("meeting").order_by("meeting__starts_at"))


def _hearing(listing: Listing) -> dict[str, str]:
    return {
        "meeting": str(listing.meeting),
        "kind": listing.get_kind_display(),
        "outcome": listing.get_outcome_display() or "No outcome recorded",
        "risks": listing.risks_minute,
        "decisions": listing.decisions_minute,
    }


def _actions(case: Case) -> list[Action]:
    actions = Action.objects.filter(case=case).select_related("owner_agency", "listing__meeting")
    return list(actions.order_by("listing__meeting__starts_at", "due_on", "pk"))


def _action(action: Action) -> dict[str, str]:
    return {
        "agreed_at": str(action.listing.meeting),
        "agency": action.owner_agency.name,
        "description": action.description,
        "for_whom": action.get_for_whom_display(),
        "due_on": format_day(action.due_on),
        "status": action.get_status_display(),
        "note": action.completion_note,
    }


def _idva(case: Case) -> dict[str, str] | None:
    """The IDVA service, not the IDVA: the receiving coordinator asks the sending one for the handover. (Pages name
    other MARACs' coordinators, never their other staff.)"""
    allocation = IdvaAllocation.objects.filter(case=case).select_related("idva__agency").first()
    if allocation is None:
        return None
    if allocation.declined_by_victim:
        return {"words": "The victim declined the IDVA service."}
    if allocation.allocated_at is None:
        return {"words": "No IDVA had been allocated yet."}
    agency = allocation.idva.agency if allocation.idva is not None else None
    service = f"by {agency.name}" if agency is not None else "(the IDVA's service is not recorded)"
    on = format_day(timezone.localtime(allocation.allocated_at).date())
    return {"words": f"An IDVA was allocated on {on} {service}."}


def _scores(case: Case) -> list[dict[str, str]]:
    """The risk checklist scores held here for the victim, this case's and those of their earlier cases, oldest
    first. A restricted earlier case is left out: the receiving coordinator is not named on it."""
    cases = Case.objects.filter(marac_id=case.marac_id, victim_id=case.victim_id, dash_score__isnull=False)
    cases = cases.filter(Q(pk=case.pk) | Q(restricted=False, referred_on__lte=case.referred_on))
    return [
        {"case_reference": held.reference, "referred_on": format_day(held.referred_on), "score": str(held.dash_score)}
        for held in cases.order_by("referred_on", "pk")
    ]


def _what_was_sent(summary: dict[str, Any]) -> str:
    """For the audit trail: what the receiving MARAC was sent, counted, never quoted."""
    if summary.get("restricted"):
        return "sent no hearings of the restricted case, only its coordinator to ask"
    hearings, actions = len(summary.get("hearings", [])), len(summary.get("actions", []))
    return f"sent {hearings} hearing(s), {actions} action(s), the IDVA service and risk scores as they stood"


@dataclass(frozen=True)
class SentHearing:
    meeting: str
    kind: str
    outcome: str
    risks: str
    decisions: str


@dataclass(frozen=True)
class SentAction:
    agreed_at: str
    agency: str
    description: str
    for_whom: str
    due_on: str
    status: str
    note: str


@dataclass(frozen=True)
class SentScore:
    case_reference: str
    referred_on: str
    score: str


@dataclass(frozen=True)
class WhatTheSenderDid:
    """What a sending MARAC held of the case when it sent it on, for the receiving coordinator's page and Word copy."""

    marac: str
    case_reference: str
    coordinator_name: str
    coordinator_email: str
    restricted: bool
    hearings: Sequence[SentHearing]
    actions: Sequence[SentAction]
    idva: str
    scores: Sequence[SentScore]

    @property
    def coordinator(self) -> str:
        return f"{self.coordinator_name} ({self.coordinator_email})"

    @property
    def restricted_words(self) -> str:
        return (
            f"The case was restricted at {self.marac} to the people named on it, so what it held of the case was not "
            f"sent here. Ask its coordinator, {self.coordinator}, who can decide what to share."
        )


def what_the_sender_did(transfer: Transfer) -> WhatTheSenderDid | None:
    """The summary kept with a case transfer; None for a referral transferred before it became a case."""
    data = transfer.sender_summary or {}
    if not data:
        return None
    coordinator = data.get("coordinator") or {}
    return WhatTheSenderDid(
        marac=str(data.get("marac", "")),
        case_reference=str(data.get("case_reference", "")),
        coordinator_name=str(coordinator.get("name", "")),
        coordinator_email=str(coordinator.get("email", "")),
        restricted=bool(data.get("restricted")),
        hearings=[SentHearing(**hearing) for hearing in data.get("hearings", [])],
        actions=[SentAction(**action) for action in data.get("actions", [])],
        idva=str((data.get("idva") or {}).get("words", "")),
        scores=[SentScore(**score) for score in data.get("scores", [])],
    )
