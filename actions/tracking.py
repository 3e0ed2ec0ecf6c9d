"""After the meeting (DOMAIN.md step 12; BD Completion of Actions): the summary of actions circulated within
5 working days, agencies confirming completion or saying they cannot complete an action, and the coordinator's
chase of what is still open, escalated to the chair by the next meeting.

Rules first (no ORM), then the writes. Every write locks its row, writes its audit entry in the same transaction
and names ids only. E-mails carry a count and a link, never a name, a case reference or anything about a person."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import emails_of
from actions.models import Action, ActionResolution, ActionStatus, ResolutionKind
from actions.services import agency_not_named_on_case
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import CaseRestriction
from marac.models import Agency, Marac, MaracAgency
from meetings import live_rules
from meetings.models import Meeting, MeetingState, MeetingStatus
from referrals.calendar import LONDON, WorkingCalendar, add_working_days, format_day
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


class NotAwaitingResolution(TrackingRefused):
    message = (
        "This action is no longer waiting for a resolution: the agency has not said it cannot be completed, or a "
        "resolution has already been recorded. Nothing has been saved."
    )


class NotMarkedDone(TrackingRefused):
    message = "This action is no longer marked done, so there is nothing to reopen. Nothing has been saved."


class NotThisMaracsAgency(TrackingRefused):
    message = "An action can only be passed to another of the MARAC's agencies."


class AgencyNotNamedOnCase(TrackingRefused):
    """The case is restricted and no one from the agency is named on it: services.agency_not_named_on_case says so."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


# BD Action planning: an action is specific, owned and timed. A new due date, when an action is reopened or passed
# to another agency, is checked as one set at the meeting is (a working day, within a year), from today.
def new_due_date_error(*, due_on: date, today: date, working: WorkingCalendar) -> str | None:
    """Why an action reopened or passed on cannot be due on `due_on`, in words for the field; None when it can."""
    if due_on < today:
        return f"The new due date must be today or later, {format_day(today)} or after"
    latest = today + timedelta(days=live_rules.MAX_DAYS_AFTER_MEETING)
    if due_on > latest:
        return f"The new due date must be within a year, on or before {format_day(latest)}"
    return live_rules.action_due_date_error(due_on=due_on, meeting_day=today, working=working)


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
    Coordinator ... If the situation cannot be resolved, the MARAC Chair ... will then work with the agency". The
    coordinators and the chairs are told by e-mail once the change is saved."""
    with transaction.atomic():
        locked = _locked_open_action(action, based_on_version)
        _close(locked, status=ActionStatus.CANNOT_COMPLETE, note=reason, by=by)
        marac = Marac.objects.get(pk=locked.case.marac_id)
        transaction.on_commit(lambda: _tell_coordinators_and_chairs_of_cannot_complete(marac, locked))
    return locked


# --- Resolving what an agency cannot complete (BD: "the MARAC Chair or the VAWG Sub Committee will then work with the
# agency concerned to identify a solution"), and reopening what was marked done by mistake -------------------------


def _locked_action(action: Action, based_on_version: int, *, status: str, refused: TrackingRefused) -> Action:
    # The version first: an action resolved by someone else meanwhile has a new status too, and "someone else updated
    # it" is what happened.
    locked = Action.objects.select_for_update().select_related("case").get(pk=action.pk)
    if locked.version != based_on_version:
        raise StaleAction
    if locked.status != status:
        raise refused
    return locked


def _resolution(locked: Action, *, kind: str, reason: str, referred_to_vawg: bool, by: User) -> ActionResolution:
    return ActionResolution(
        action=locked,
        kind=kind,
        reason=reason,
        referred_to_vawg=referred_to_vawg,
        from_agency_id=locked.owner_agency_id,
        superseded_note=locked.completion_note,
        by=by,
    )


def _reopen(locked: Action, resolution: ActionResolution, *, owner_agency_id: int, due_on: date, by: User) -> None:
    before = {"status": locked.status, "owner_agency": locked.owner_agency_id, "due_on": str(locked.due_on)}
    if owner_agency_id != locked.owner_agency_id:
        resolution.to_agency_id = owner_agency_id
    if due_on != locked.due_on:
        resolution.due_on = due_on
        locked.chased_at = locked.escalated_at = None  # a new date: chased and escalated afresh from it
    resolution.save()
    locked.status, locked.owner_agency_id, locked.due_on = ActionStatus.OPEN, owner_agency_id, due_on
    locked.completion_note, locked.closed_at, locked.closed_by = "", None, None
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "owner_agency",
            "due_on",
            "completion_note",
            "closed_at",
            "closed_by",
            "chased_at",
            "escalated_at",
            "version",
        ]
    )
    after = {"status": locked.status, "owner_agency": locked.owner_agency_id, "due_on": str(locked.due_on)}
    _audit_resolution(locked, resolution, before, after, by)


def _audit_resolution(
    locked: Action, resolution: ActionResolution, before: Mapping[str, object], after: Mapping[str, object], by: User
) -> None:
    changes = {name: {"from": before[name], "to": after[name]} for name in before if before[name] != after[name]}
    audit_record(
        action=AuditAction.CHANGE,
        obj=locked,
        user=by,
        summary=f"Action {locked.pk} on case {locked.case_id}: {resolution.get_kind_display()}",
        changes=changes
        | {"resolution": resolution.pk, "referred_to_vawg": resolution.referred_to_vawg, "reason": "recorded"},
    )


def action_reassign(
    *,
    action: Action,
    owner_agency: Agency,
    due_on: date,
    reason: str,
    referred_to_vawg: bool,
    based_on_version: int,
    by: User,
) -> Action:
    """The agency cannot complete the action: another of the MARAC's agencies takes it on, by a new date."""
    with transaction.atomic():
        locked = _locked_action(
            action, based_on_version, status=ActionStatus.CANNOT_COMPLETE, refused=NotAwaitingResolution()
        )
        if (
            owner_agency.pk == locked.owner_agency_id
            or not MaracAgency.objects.filter(marac_id=locked.case.marac_id, agency=owner_agency).exists()
        ):
            raise NotThisMaracsAgency
        if refused := agency_not_named_on_case(case=locked.case, agency=owner_agency):
            raise AgencyNotNamedOnCase(refused)
        resolution = _resolution(
            locked, kind=ResolutionKind.REASSIGNED, reason=reason, referred_to_vawg=referred_to_vawg, by=by
        )
        _reopen(locked, resolution, owner_agency_id=owner_agency.pk, due_on=due_on, by=by)
        marac = Marac.objects.get(pk=locked.case.marac_id)
        transaction.on_commit(lambda: _tell_agency_of_reopened(marac, owner_agency, locked))
    return locked


def action_reopen(
    *, action: Action, due_on: date, reason: str, referred_to_vawg: bool, based_on_version: int, by: User
) -> Action:
    """The agency cannot complete the action yet, but a solution was found with it: the same agency, a new date."""
    with transaction.atomic():
        locked = _locked_action(
            action, based_on_version, status=ActionStatus.CANNOT_COMPLETE, refused=NotAwaitingResolution()
        )
        resolution = _resolution(
            locked, kind=ResolutionKind.REOPENED, reason=reason, referred_to_vawg=referred_to_vawg, by=by
        )
        _reopen(locked, resolution, owner_agency_id=locked.owner_agency_id, due_on=due_on, by=by)
        marac, agency = Marac.objects.get(pk=locked.case.marac_id), locked.owner_agency
        transaction.on_commit(lambda: _tell_agency_of_reopened(marac, agency, locked))
    return locked


def action_close_not_completed(
    *, action: Action, reason: str, referred_to_vawg: bool, based_on_version: int, by: User
) -> Action:
    """No solution was found: the action is closed as not completed, saying why and whether the VAWG sub group had it.
    The agency's own reason stays on the action."""
    with transaction.atomic():
        locked = _locked_action(
            action, based_on_version, status=ActionStatus.CANNOT_COMPLETE, refused=NotAwaitingResolution()
        )
        resolution = _resolution(
            locked, kind=ResolutionKind.NOT_COMPLETED, reason=reason, referred_to_vawg=referred_to_vawg, by=by
        )
        resolution.superseded_note = ""  # nothing set aside: completion_note keeps the agency's reason
        resolution.save()
        locked.status = ActionStatus.NOT_COMPLETED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        before = {"status": ActionStatus.CANNOT_COMPLETE}
        _audit_resolution(locked, resolution, before, {"status": locked.status}, by)
    return locked


def action_reopen_done(*, action: Action, reason: str, based_on_version: int, by: User) -> Action:
    """Marked done by mistake: open again for the same agency and date, the note it was closed with kept on the
    record of the reopening."""
    with transaction.atomic():
        locked = _locked_action(action, based_on_version, status=ActionStatus.DONE, refused=NotMarkedDone())
        resolution = _resolution(
            locked, kind=ResolutionKind.DONE_REOPENED, reason=reason, referred_to_vawg=False, by=by
        )
        # Open again, perhaps already overdue: chased, and escalated by the next meeting, as if never marked done.
        locked.chased_at = locked.escalated_at = None
        _reopen(locked, resolution, owner_agency_id=locked.owner_agency_id, due_on=locked.due_on, by=by)
        marac, agency = Marac.objects.get(pk=locked.case.marac_id), locked.owner_agency
        transaction.on_commit(lambda: _tell_agency_of_reopened_done(marac, agency, locked))
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


def representatives(*, marac_id: int, agency_id: int | None = None) -> QuerySet[User]:
    """The representatives of a MARAC's agencies (or one agency): those holding a representative's or IDVA's role
    there, and the named representatives and deputies of its agencies."""
    by_role = Q(role_grants__marac_id=marac_id, role_grants__role__in=_REPRESENTING)
    memberships = MaracAgency.objects.filter(marac_id=marac_id)
    if agency_id is not None:
        by_role &= Q(agency_id=agency_id)
        memberships = memberships.filter(agency_id=agency_id)
    named = Q(pk__in=memberships.values("representative")) | Q(pk__in=memberships.values("deputies"))
    return User.objects.filter(by_role | named)


def representative_emails(*, marac_id: int, agency_id: int | None = None) -> list[str]:
    return emails_of(representatives(marac_id=marac_id, agency_id=agency_id))


def emails_by_visible_count(users: QuerySet[User], actions: list[Action]) -> dict[int, list[str]]:
    """The addresses among `users`, by how many of `actions` each can see: an action on a restricted case only to
    those named on it, as on their pages (tracking_selectors). Nobody is told of actions they could not open."""
    open_cases = sum(1 for action in actions if not action.case.restricted)
    restricted = [action.case_id for action in actions if action.case.restricted]
    named = set(
        CaseRestriction.objects.filter(case_id__in=set(restricted), user__in=users).values_list("user_id", "case_id")
    )
    by_count: dict[int, list[int]] = {}
    for user_id in set(users.values_list("pk", flat=True)):
        count = open_cases + sum(1 for case_id in restricted if (user_id, case_id) in named)
        if count:
            by_count.setdefault(count, []).append(user_id)
    emails = {count: emails_of(User.objects.filter(pk__in=ids)) for count, ids in sorted(by_count.items())}
    return {count: addresses for count, addresses in emails.items() if addresses}


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


def _tell_coordinators_and_chairs_of_cannot_complete(marac: Marac, action: Action) -> None:
    """Only those who may open the action are told: on a restricted case, the coordinators and chairs named on it."""
    coordinators_and_chairs = User.objects.filter(
        role_grants__marac_id=marac.pk, role_grants__role__in=[Role.COORDINATOR, Role.CHAIR]
    )
    recipients = sorted(
        {email for emails in emails_by_visible_count(coordinators_and_chairs, [action]).values() for email in emails}
    )
    if not recipients:
        return
    send_to_each(
        subject="OpenMARAC: an agency cannot complete an action",
        message=(
            f"An agency at {marac.name} has said it cannot complete an action. Sign in to see it and record how it "
            f"was resolved:\n\n"
            f"{site_link('actions:cannot_complete')}\n"
        ),
        recipients=recipients,
    )


def _tell_agency(agency: Agency, action: Action, *, marac: Marac, what: str) -> None:
    """Tell the agency's representatives who may open the action that it is theirs again: `what` happened, a link."""
    for _count, recipients in emails_by_visible_count(
        representatives(marac_id=marac.pk, agency_id=agency.pk), [action]
    ).items():
        send_to_each(
            subject="OpenMARAC: an action for your agency is open again",
            message=f"{what} Sign in to see it:\n\n{site_link('actions:mine')}\n",
            recipients=recipients,
        )


def _tell_agency_of_reopened(marac: Marac, agency: Agency, action: Action) -> None:
    what = (
        f"The coordinator or chair at {marac.name} has given {agency.name} an action to complete, with a new due date."
    )
    _tell_agency(agency, action, marac=marac, what=what)


def _tell_agency_of_reopened_done(marac: Marac, agency: Agency, action: Action) -> None:
    what = (
        f"The coordinator at {marac.name} has reopened an action {agency.name} had marked done: it is open again, "
        "with the same due date, and the reason is with the action."
    )
    _tell_agency(agency, action, marac=marac, what=what)
