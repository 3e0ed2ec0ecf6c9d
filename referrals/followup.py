"""What happens to an accepted referral before its meeting: the IDVA allocated within 48 hours, the IDVA's attempts
to contact the victim, and the notification to children's social care and its chasing.

Rules first (no ORM), then the reads, then the writes. Every write locks its row, writes an audit entry in the same
transaction and names ids only, never a person's details."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from accounts.permissions import roles_at
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseStatus
from cases.restriction import visible_given_restrictions
from marac.models import AgencyType
from referrals import jurisdiction
from referrals.models import ChildrenNotification, ContactAttempt, IdvaAllocation, Referral

HOUR = 3600


class FollowupRefused(Exception):
    """A follow-up write that the rules do not allow; the message is safe to show the user."""

    message = "This could not be recorded."

    def __str__(self) -> str:
        return self.message


class StaleRecord(FollowupRefused):
    message = (
        "Someone else changed this IDVA allocation while you were looking at it. Nothing has been saved: "
        "check the case page again, then make your change if it is still needed."
    )


class NotAnIdvaHere(FollowupRefused):
    message = "Choose someone who holds the IDVA role at this MARAC."


class VictimDeclined(FollowupRefused):
    message = "The victim declined the IDVA service, so no IDVA can be allocated."


class CaseFinished(FollowupRefused):
    message = (
        "This case is closed (or transferred to another MARAC), so it is no longer worked here: no IDVA is allocated, "
        "and no contact attempt or decline is recorded, on it."
    )


class AlreadyConfirmed(FollowupRefused):
    message = "Children's social care has already confirmed this notification."


class NotChildrensSocialCare(FollowupRefused):
    message = "Only the coordinator or a representative of children's social care can record confirmation."


# --- Rules ----------------------------------------------------------------------------------------------------------


class ClockState(StrEnum):
    RUNNING = "running"
    OVERDUE = "overdue"
    ALLOCATED = "allocated"
    DECLINED = "declined"
    NOT_ALLOCATED = "not_allocated"  # closed or transferred with no IDVA allocated: the clock stopped there


@dataclass(frozen=True)
class IdvaClock:
    state: ClockState
    due_by: datetime
    words: str
    tag_class: str
    tag_text: str

    @property
    def is_overdue(self) -> bool:
        return self.state == ClockState.OVERDUE


def _hours(seconds: float) -> str:
    hours = int(seconds // HOUR)
    if hours == 0:
        return "less than an hour"
    return f"{hours} hour{'s' if hours != 1 else ''}"


# A case closed at a meeting, or transferred to the MARAC where the victim now lives (DOMAIN 13: that MARAC leads),
# is no longer worked here: its IDVA allocation is a record, not a task.
FINISHED_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.TRANSFERRED})


def case_is_worked(status: str) -> bool:
    return status not in FINISHED_STATUSES


# Why the clock stopped with nobody allocated, in the words of the case's status.
_STOPPED_WORDS = {
    CaseStatus.CLOSED: "No IDVA was allocated before the case was closed.",
    # BD Referrals to other MARACs: the MARAC where the victim now lives leads, and allocates its own IDVA.
    CaseStatus.TRANSFERRED: "No IDVA was allocated here before the case was transferred to another MARAC, which now "
    "leads and allocates its own.",
}


# BD IDSVA: "an IDSVA will be allocated within 48 hours"; the clock stops at allocation or when the victim declines,
# and (with neither) when the case is closed or transferred: such a case is not overdue for ever.
def idva_clock(
    *, due_by: datetime, allocated_at: datetime | None, declined: bool, now: datetime, case_status: str
) -> IdvaClock:
    if declined:
        return IdvaClock(ClockState.DECLINED, due_by, "The victim declined the IDVA service.", "grey", "Declined")
    if allocated_at is not None:
        late = (allocated_at - due_by).total_seconds()
        words = "Allocated within the 48 hours." if late <= 0 else f"Allocated {_hours(late)} after the 48 hours."
        return IdvaClock(ClockState.ALLOCATED, due_by, words, "green", "Allocated")
    if not case_is_worked(case_status):
        words = _STOPPED_WORDS[CaseStatus(case_status)]
        return IdvaClock(ClockState.NOT_ALLOCATED, due_by, words, "grey", "Not allocated")
    left = (due_by - now).total_seconds()
    if left < 0:
        overdue = _hours(-left)
        return IdvaClock(ClockState.OVERDUE, due_by, f"Overdue by {overdue}.", "red", f"Overdue by {overdue}")
    return IdvaClock(ClockState.RUNNING, due_by, f"{_hours(left)} left.".capitalize(), "blue", "Waiting")


# BED 4: the contact is chased "if not confirmed after 2 working days"; chase_due_on is the second working day,
# so the chase is due once that day has passed.
ATTEMPT_IN_FUTURE = "The date of the attempt must be today or in the past"
ATTEMPT_BEFORE_REFERRAL = "The date of the attempt must be on or after the referral date"


def contact_attempt_date_problem(*, attempted_on: date, referral_date: date, today: date) -> str | None:
    """An attempt to contact the victim follows the referral and has happened (BD IDSVA: contact after referral)."""
    if attempted_on > today:
        return ATTEMPT_IN_FUTURE
    if attempted_on < referral_date:
        return ATTEMPT_BEFORE_REFERRAL
    return None


# BD Referrals to other MARACs, Jurisdiction: once the case has gone to the MARAC where the victim now lives
# (referrals.jurisdiction), that MARAC leads. It tells its own children's services when it accepts the referral it
# received, and chases that notification itself; this MARAC stops chasing its own, which stays as the record of it.
def children_chase_is_due(*, chase_due_on: date, confirmed: bool, today: date, sent_away: bool) -> bool:
    return not confirmed and not sent_away and today > chase_due_on


def may_manage_idva(user: Any, allocation: IdvaAllocation) -> bool:
    return bool(user.has_perm("referrals.manage_idva", allocation))


def may_confirm_children_notification(user: Any, notification: ChildrenNotification) -> bool:
    """The coordinator, or an agency representative at the MARAC whose agency is children's social care."""
    if not user.has_perm("referrals.confirm_children_notification", notification):
        return False
    if Role.COORDINATOR in roles_at(user, notification.marac_id):
        return True
    agency = getattr(user, "agency", None)
    return agency is not None and agency.agency_type == AgencyType.CHILDRENS_SOCIAL_CARE


# --- Reads ----------------------------------------------------------------------------------------------------------


def idvas_at(*, marac_id: int) -> QuerySet[User]:
    """The people who may be allocated: active users holding the IDVA role at the MARAC."""
    return User.objects.filter(is_active=True, role_grants__marac_id=marac_id, role_grants__role=Role.IDVA).distinct()


def allocations_at_marac(*, user: Any, marac_id: int, now: datetime) -> QuerySet[IdvaAllocation]:
    """The allocations `user` may know of: overdue first (longest overdue at the top), then those still within the 48
    hours, then the rest, newest first. A restricted case only for those named on it, as on the case list; a case
    transferred to another MARAC not at all (that MARAC leads and allocates its own IDVA), while a closed case stays
    as the record of its allocation."""
    # Waiting: nobody allocated (an imported allocation has a day but no named IDVA), not declined, case still worked.
    waiting = models.Q(idva__isnull=True, allocated_at__isnull=True, declined_by_victim=False) & ~models.Q(
        case__status__in=FINISHED_STATUSES
    )
    return (
        IdvaAllocation.objects.filter(case__marac_id=marac_id)
        .filter(visible_given_restrictions(user, through="case"))
        .exclude(case__status=CaseStatus.TRANSFERRED)
        .select_related("case", "idva")
        .annotate(
            rank=models.Case(
                models.When(waiting & models.Q(due_by__lt=now), then=models.Value(0)),
                models.When(waiting, then=models.Value(1)),
                default=models.Value(2),
            )
        )
        .order_by("rank", models.Case(models.When(rank__lt=2, then="due_by")).asc(nulls_last=True), "-due_by")
    )


def notifications_to_chase() -> QuerySet[ChildrenNotification]:
    """The notifications this MARAC still chases: unconfirmed, and of a case not sent to another MARAC (that MARAC
    chases its own: children_chase_is_due)."""
    return ChildrenNotification.objects.filter(confirmed_at__isnull=True).exclude(jurisdiction.sent_away("case__"))


def unconfirmed_notifications_at_marac(*, user: Any, marac_id: int) -> QuerySet[ChildrenNotification]:
    """The notifications still to be confirmed and chased here (notifications_to_chase). A restricted case only for
    those named on it, as on the case list."""
    return (
        notifications_to_chase()
        .filter(case__marac_id=marac_id)
        .filter(visible_given_restrictions(user, through="case"))
        .select_related("case")
        .order_by("chase_due_on", "sent_at")
    )


# --- Writes ---------------------------------------------------------------------------------------------------------


def referral_date_of(case: Case) -> date:
    """The day the case was referred: its referral's submission, where it came through OpenMARAC and that was
    earlier than the acceptance, otherwise the case's own referral date (imported cases have only that)."""
    submitted = Referral.objects.filter(case=case).values_list("submitted_at", flat=True).first()
    if submitted is None:
        return case.referred_on
    return min(case.referred_on, timezone.localdate(submitted))


def _lock(allocation: IdvaAllocation) -> IdvaAllocation:
    """The row, locked; refused if it changed since the caller read `allocation` (a form carries its version), or
    if its case is closed."""
    current = IdvaAllocation.objects.select_for_update().select_related("case").get(pk=allocation.pk)
    if current.version != allocation.version:
        raise StaleRecord
    if not case_is_worked(current.case.status):
        raise CaseFinished
    return current


def idva_allocate(*, allocation: IdvaAllocation, idva: User, by: Any) -> IdvaAllocation:
    with transaction.atomic():
        current = _lock(allocation)
        if current.declined_by_victim:
            raise VictimDeclined
        if not (
            idva.is_active
            and RoleGrant.objects.filter(user=idva, marac_id=current.case.marac_id, role=Role.IDVA).exists()
        ):
            raise NotAnIdvaHere
        before = current.idva_id
        current.idva = idva
        # The clock stops at the first allocation; a later change of IDVA does not restart or reset it.
        current.allocated_at = current.allocated_at or timezone.now()
        current.version += 1
        current.save()
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"IDVA allocated to case {current.case_id}: user {idva.pk}",
            changes={"idva": {"from": str(before), "to": str(idva.pk)}},
        )
    return current


def contact_attempt_record(
    *, allocation: IdvaAllocation, attempted_at: datetime, method: str, succeeded: bool, note: str, by: Any
) -> ContactAttempt:
    with transaction.atomic():
        current = IdvaAllocation.objects.select_for_update().select_related("case").get(pk=allocation.pk)
        if not case_is_worked(current.case.status):
            raise CaseFinished
        attempt = ContactAttempt.objects.create(
            allocation=current, attempted_at=attempted_at, method=method, succeeded=succeeded, note=note, by=by
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=attempt,
            marac_id=current.case.marac_id,
            user=by,
            summary=f"Contact attempt on case {current.case_id}: {method}, {'spoke' if succeeded else 'no contact'}",
        )
    return attempt


def idva_declined(*, allocation: IdvaAllocation, by: Any) -> IdvaAllocation:
    """BD Action planning: once the victim declines the IDVA service, the referrer feeds back to the victim."""
    with transaction.atomic():
        current = _lock(allocation)
        if not current.declined_by_victim:
            current.declined_by_victim, current.declined_at = True, timezone.now()
            current.version += 1
            current.save()
            audit_record(
                action=AuditAction.CHANGE,
                obj=current,
                user=by,
                summary=f"Victim declined the IDVA service on case {current.case_id}; the referrer feeds back",
                changes={"declined_by_victim": {"from": "False", "to": "True"}},
            )
    return current


def children_notification_confirm(*, notification: ChildrenNotification, by: Any) -> ChildrenNotification:
    with transaction.atomic():
        current = ChildrenNotification.objects.select_for_update().select_related("case").get(pk=notification.pk)
        if not may_confirm_children_notification(by, current):
            raise NotChildrensSocialCare
        if current.confirmed_at is not None:
            raise AlreadyConfirmed
        current.confirmed_at, current.confirmed_by = timezone.now(), by
        current.save()
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"Children's social care confirmed the notification on case {current.case_id}",
        )
    return current


def children_notifications_mark_chased(*, today: date) -> dict[int, int]:
    """Stamp chased_at on every notification still chased here (notifications_to_chase) whose chase is due; how many,
    per MARAC. It keeps stamping each run until children's social care confirms, so the coordinators are reminded
    every day, and stops once the case has gone to another MARAC."""
    counts: dict[int, int] = {}
    with transaction.atomic():
        due = notifications_to_chase().select_for_update(of=("self",)).filter(chase_due_on__lt=today)
        for notification in due.select_related("case"):
            notification.chased_at = timezone.now()
            notification.save(update_fields=["chased_at"])
            audit_record(
                action=AuditAction.CHANGE,
                obj=notification,
                summary=f"Notification to children's services on case {notification.case_id} due a chase",
            )
            counts[notification.marac_id] = counts.get(notification.marac_id, 0) + 1
    return counts
