"""Background jobs of the front door, run by the task worker; a scheduler starts them through management commands."""

from django.tasks import task
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import role_emails
from marac.models import Marac
from referrals.followup import children_notifications_mark_chased
from web.links import site_link
from web.mail import send_to_each


@task
def chase_children_notifications() -> int:
    """BED 4: chase children's services where a notification is still unconfirmed after 2 working days. Each MARAC's
    coordinators get a count and a link: never a name, a case reference or anything else about a person."""
    counts = children_notifications_mark_chased(today=timezone.localdate())
    for marac_id, count in sorted(counts.items()):
        _tell_coordinators(Marac.objects.get(pk=marac_id), count)
    return sum(counts.values())


def _tell_coordinators(marac: Marac, count: int) -> None:
    recipients = role_emails(marac_id=marac.pk, role=Role.COORDINATOR)  # people only, never a credential
    if not recipients:
        return
    link = site_link("referrals:children_notifications")
    noun = "notification" if count == 1 else "notifications"
    verb = "needs" if count == 1 else "need"
    what = f"{count} {noun} to children's services {verb} chasing"
    message = f"{what} at {marac.name}. Sign in to see them:\n\n{link}\n"
    send_to_each(subject=f"OpenMARAC: {what}", message=message, recipients=recipients)
