"""A MARAC-to-MARAC referral of a case this MARAC has already accepted: the victim has moved for good, so the MARAC
where they now live leads (BD Referrals to other MARACs, Jurisdiction; DOMAIN.md rule 13). It is recorded as a
Transfer from the case's referral; a MARAC in this installation receives its own submitted referral carrying that
referral's content, and decides on it by its own criteria. The sending MARAC keeps its case, marked transferred.

Transferring a referral before it became a case is referrals.decisions.referral_transfer (its referral is then
marked transferred); here the case's referral stays accepted, which is how the two kinds of Transfer differ."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseStatus
from marac.models import Marac
from meetings.models import Listing, MeetingStatus
from referrals import decisions
from referrals.calendar import format_meeting_time
from referrals.models import Referral, ReferralStatus, Transfer

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
        "MARAC', or take it off that meeting's agenda, then refer it."
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
    transfer = Transfer.objects.create(
        from_referral=referral,
        to_marac=to_marac,
        to_marac_name=to_marac_name,
        to_referral=received,
        reason=reason,
        transferred_by=by,
    )
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
        summary = f"Received by transfer {transfer.pk} of a case accepted by another MARAC; this MARAC's criteria {met}"
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
