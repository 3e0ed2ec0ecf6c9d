"""Background jobs for the action plan, run by the task worker; a scheduler starts them through management commands."""

from datetime import date, datetime, timedelta

from django.tasks import task
from django.utils import timezone

from accounts.models import Role, User
from actions import tracking
from actions.models import Action, ActionStatus
from actions.tracking_selectors import next_meeting_day_after, open_actions_at_marac
from marac.models import Agency, Marac
from referrals.calendar import WorkingCalendar, calendar_from_marac
from web.links import site_link
from web.mail import send_to_each

# Run daily, the chase would otherwise write to an agency every day about the same action: once a week is a reminder.
CHASE_AGAIN_AFTER = timedelta(days=7)


@task
def chase_overdue_actions() -> dict[str, int]:
    """BD Completion of Actions: the coordinator queries actions not completed, and those still open by the next
    meeting go to the chair. Each agency's representatives and each MARAC's chairs get a count and a link only."""
    now, today = timezone.now(), timezone.localdate()
    chased = escalated = 0
    for marac in Marac.objects.filter(cases__actions__status=ActionStatus.OPEN).distinct():
        overdue = list(open_actions_at_marac(marac_id=marac.pk, overdue_on=today))
        chased += _chase(marac, overdue, now)
        escalated += _escalate(marac, overdue, now, today)
    return {"chased": chased, "escalated": escalated}


def _chase(marac: Marac, overdue: list[Action], now: datetime) -> int:
    due = [action for action in overdue if action.chased_at is None or action.chased_at <= now - CHASE_AGAIN_AFTER]
    count = tracking.actions_mark_chased(actions=due, marac=marac, now=now)
    by_agency: dict[int, list[Action]] = {}
    for action in due:
        by_agency.setdefault(action.owner_agency_id, []).append(action)
    for agency_id, agency_overdue in sorted(by_agency.items()):
        _tell_agency(marac, Agency.objects.get(pk=agency_id), agency_overdue)
    return count


def _escalate(marac: Marac, overdue: list[Action], now: datetime, today: date) -> int:
    calendar = calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))
    due = [action for action in overdue if action.escalated_at is None and _at_next_meeting(action, today, calendar)]
    count = tracking.actions_mark_escalated(actions=due, marac=marac, now=now)
    if count:
        _tell_chairs(marac, due)
    return count


def _at_next_meeting(action: Action, today: date, calendar: WorkingCalendar) -> bool:
    next_day = next_meeting_day_after(marac_id=action.case.marac_id, day=action.due_on)
    return tracking.escalation_is_due(next_meeting_day=next_day, today=today, calendar=calendar)


def _counted(count: int) -> str:
    return f"{count} action" if count == 1 else f"{count} actions"


# Each person is told of the actions they can open, as their page lists them: one on a restricted case only to those
# named on it (the restriction page warns when an agency's people are not), so no e-mail counts more than the page.
def _tell_agency(marac: Marac, agency: Agency, overdue: list[Action]) -> None:
    people = tracking.representatives(marac_id=marac.pk, agency_id=agency.pk)
    for count, recipients in tracking.emails_by_visible_count(people, overdue).items():
        what = f"{_counted(count)} for {agency.name} at {marac.name} {'is' if count == 1 else 'are'} overdue"
        send_to_each(
            subject=f"OpenMARAC: {_counted(count)} overdue",
            message=(
                f"{what}. Please mark each one done, or say why it cannot be completed:\n\n"
                f"{site_link('actions:mine')}\n"
            ),
            recipients=recipients,
        )


def _tell_chairs(marac: Marac, escalated: list[Action]) -> None:
    chairs = User.objects.filter(role_grants__marac_id=marac.pk, role_grants__role=Role.CHAIR)
    for count, recipients in tracking.emails_by_visible_count(chairs, escalated).items():
        _tell_chairs_of(marac, count, recipients)


def _tell_chairs_of(marac: Marac, count: int, recipients: list[str]) -> None:
    send_to_each(
        subject=f"OpenMARAC: {_counted(count)} still open by the next meeting",
        message=(
            f"{_counted(count)} at {marac.name} {'is' if count == 1 else 'are'} still open although the next "
            f"meeting has started or is within a working day. Sign in to see them:\n\n"
            f"{site_link('actions:index')}\n"
        ),
        recipients=recipients,
    )
