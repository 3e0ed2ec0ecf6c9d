"""After the meeting (DOMAIN.md step 12; BD Completion of Actions): the summary of actions circulated within
5 working days, agencies confirming completion or saying they cannot complete an action, and the coordinator's
chase of what is still open, escalated to the chair by the next meeting.

Rules first (no ORM), then the writes. Every write locks its row, writes its audit entry in the same transaction
and names ids only. E-mails carry a count and a link, never a name, a case reference or anything about a person."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import emails_of, role_emails
from actions.models import Action, ActionStatus
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac, MaracAgency
from meetings.models import Meeting, MeetingState, MeetingStatus
from referrals.calendar import LONDON, WorkingCalendar, add_working_days
from web.links import site_link
from web.mail import send_to_each


class TrackingRefused(Exception):
    """A write the rules do not allow; the message is safe to show the user."""

    message = "This could not be recorded."

    def __str__(self) -> str:
        return self.message


class StaleAction(TrackingRefused):
    message = (
        "Someone else updated this action while you were looking at it. Nothing has been saved: "
        "check the action again, then record your update if it is still needed."
    )


class ActionNotOpen(TrackingRefused):
    message = "This action is no longer open, so it cannot be updated."


class MeetingNotHeld(TrackingRefused):
    message = "The meeting has not started yet, so there is no summary of its actions to circulate."


# --- Rules ----------------------------------------------------------------------------------------------------------


def action_is_open(status: str) -> bool:
    return status == ActionStatus.OPEN


def action_is_overdue(*, status: str, due_on: date, today: date) -> bool:
    return action_is_open(status) and due_on < today


def meeting_has_started(*, starts_at: datetime, now: datetime, status: str = MeetingStatus.SCHEDULED) -> bool:
    """Its time has come, or the chair started it (a meeting may be started early: live_services.meeting_start)."""
    return status != MeetingStatus.SCHEDULED or starts_at <= now


# BD Completion of Actions: "The MARAC Coordinator will query any outstanding actions if these have not been
# completed by the date of the next meeting ... If the situation cannot be resolved, the MARAC Chair ...".
# The chair hears of it when that meeting has started or is within a working day, so it can be raised there.
def escalation_is_due(*, next_meeting_day: date | None, today: date, calendar: WorkingCalendar) -> bool:
    if next_meeting_day is None:
        return False
    return next_meeting_day <= add_working_days(today, 1, calendar=calendar)


@dataclass(frozen=True)
class SummaryCirculation:
    sent_at: datetime
    recipients: int


# --- Writes ---------------------------------------------------------------------------------------------------------


def _locked_open_action(action: Action, based_on_version: int) -> Action:
    locked = Action.objects.select_for_update().select_related("case").get(pk=action.pk)
    if not action_is_open(locked.status):
        raise ActionNotOpen
    if locked.version != based_on_version:
        raise StaleAction
    return locked


def _close(locked: Action, *, status: str, note: str, by: User) -> None:
    locked.status = status
    locked.completion_note = note
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.version += 1
    # Only these fields: the chase task writes chased_at and escalated_at without taking the version.
    locked.save(update_fields=["status", "completion_note", "closed_at", "closed_by", "version"])
    audit_record(
        action=AuditAction.CHANGE,
        obj=locked,
        user=by,
        summary=f"Action {locked.pk} on case {locked.case_id}: {locked.get_status_display()}",
        changes={"status": {"from": ActionStatus.OPEN, "to": status}, "completion_note": "changed"},
    )


def action_complete(*, action: Action, note: str, based_on_version: int, by: User) -> Action:
    """The owner agency confirms it completed the action, saying what was done."""
    with transaction.atomic():
        locked = _locked_open_action(action, based_on_version)
        _close(locked, status=ActionStatus.DONE, note=note, by=by)
    return locked


def action_cannot_complete(*, action: Action, reason: str, based_on_version: int, by: User) -> Action:
    """BD: "Where agencies are unable to complete either individual or standard actions they should notify the MARAC
    Coordinator." The coordinators are told by e-mail once the change is saved."""
    with transaction.atomic():
        locked = _locked_open_action(action, based_on_version)
        _close(locked, status=ActionStatus.CANNOT_COMPLETE, note=reason, by=by)
        marac = Marac.objects.get(pk=locked.case.marac_id)
        transaction.on_commit(lambda: _tell_coordinators_of_cannot_complete(marac))
    return locked


def action_summary_circulate(*, meeting: Meeting, by: User) -> SummaryCirculation:
    """Record that the summary of actions went out and e-mail each representative at the MARAC a link to it."""
    now = timezone.now()
    with transaction.atomic():
        MeetingState.objects.get_or_create(meeting=meeting)
        state = MeetingState.objects.select_for_update().get(meeting=meeting)
        if not meeting_has_started(starts_at=meeting.starts_at, now=now, status=state.status):
            raise MeetingNotHeld
        first = state.action_summary_sent_at is None
        state.action_summary_sent_at = now
        state.version += 1
        state.save(update_fields=["action_summary_sent_at", "version"])
        recipients = representative_emails(marac_id=meeting.marac_id)
        audit_record(
            action=AuditAction.CHANGE,
            obj=state,
            user=by,
            summary=f"Summary of actions for meeting {meeting.pk} circulated to {len(recipients)} representatives"
            + ("" if first else " again"),
            changes={"action_summary_sent_at": "changed"},
        )
        transaction.on_commit(lambda: _send_summary_links(meeting, recipients))
    return SummaryCirculation(sent_at=now, recipients=len(recipients))


def actions_mark_chased(*, actions: Iterable[Action], marac: Marac, now: datetime) -> int:
    ids = [action.pk for action in actions]
    if not ids:
        return 0
    with transaction.atomic():
        count = Action.objects.filter(pk__in=ids, status=ActionStatus.OPEN).update(chased_at=now)
        audit_record(
            action=AuditAction.CHANGE,
            object_type="actions.action",
            marac_id=marac.pk,
            summary=f"Chased {count} overdue actions",
            changes={"chased_at": "changed", "actions": ids},
        )
    return count


def actions_mark_escalated(*, actions: Iterable[Action], marac: Marac, now: datetime) -> int:
    ids = [action.pk for action in actions]
    if not ids:
        return 0
    with transaction.atomic():
        count = Action.objects.filter(pk__in=ids, status=ActionStatus.OPEN).update(escalated_at=now)
        audit_record(
            action=AuditAction.CHANGE,
            object_type="actions.action",
            marac_id=marac.pk,
            summary=f"Escalated {count} open actions to the chair",
            changes={"escalated_at": "changed", "actions": ids},
        )
    return count


# --- Who is told ----------------------------------------------------------------------------------------------------

_REPRESENTING = (Role.AGENCY_REPRESENTATIVE, Role.IDVA)


def representative_emails(*, marac_id: int, agency_id: int | None = None) -> list[str]:
    """The representatives of a MARAC's agencies (or one agency): those holding a representative's or IDVA's role
    there, and the named representatives and deputies of its agencies."""
    by_role = Q(role_grants__marac_id=marac_id, role_grants__role__in=_REPRESENTING)
    memberships = MaracAgency.objects.filter(marac_id=marac_id)
    if agency_id is not None:
        by_role &= Q(agency_id=agency_id)
        memberships = memberships.filter(agency_id=agency_id)
    named = Q(pk__in=memberships.values("representative")) | Q(pk__in=memberships.values("deputies"))
    return emails_of(User.objects.filter(by_role | named))


def _send_summary_links(meeting: Meeting, recipients: list[str]) -> None:
    if not recipients:
        return
    day = f"{meeting.starts_at.astimezone(LONDON):%-d %B %Y}"
    send_to_each(
        subject="OpenMARAC: summary of actions from the MARAC meeting",
        message=(
            f"The summary of actions agreed at the {meeting.marac.name} meeting on {day} is ready. "
            "Sign in to see it and your agency's actions:\n\n"
            f"{site_link('actions:summary', meeting.pk)}\n"
        ),
        recipients=recipients,
    )


def _tell_coordinators_of_cannot_complete(marac: Marac) -> None:
    recipients = role_emails(marac_id=marac.pk, role=Role.COORDINATOR)
    if not recipients:
        return
    send_to_each(
        subject="OpenMARAC: an agency cannot complete an action",
        message=(
            f"An agency at {marac.name} has said it cannot complete an action. Sign in to see it:\n\n"
            f"{site_link('actions:cannot_complete')}\n"
        ),
        recipients=recipients,
    )
