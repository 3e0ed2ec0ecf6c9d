"""Background jobs of the governance registers, run by the task worker; a scheduler starts them through management
commands."""

from datetime import date

from django.tasks import task
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import emails_of
from governance import records_rules
from governance.records_selectors import protocol_reviews_at
from marac.models import Marac
from referrals.calendar import format_day
from web.links import site_link
from web.mail import send_to_each


@task
def protocol_review_reminders() -> int:
    """BD Review: the protocol is reviewed annually. Each MARAC whose review is due within 30 days, overdue or never
    recorded has its coordinators and chairs told when it falls due; nothing about a person. Returns how many MARACs."""
    today, reminded = timezone.localdate(), 0
    for marac in Marac.objects.order_by("pk"):
        latest = protocol_reviews_at(marac_id=marac.pk).order_by("-reviewed_on", "-pk").first()
        next_due_on = latest.next_due_on if latest else None
        status = records_rules.protocol_review_status(next_due_on=next_due_on, today=today)
        if records_rules.protocol_review_needs_attention(status) and _remind(marac, status, next_due_on):
            reminded += 1
    return reminded


def _remind(marac: Marac, status: records_rules.ReviewStatus, next_due_on: date | None) -> bool:
    recipients = emails_of(  # people only, never an API credential's service account
        User.objects.filter(role_grants__marac=marac, role_grants__role__in=[Role.COORDINATOR, Role.CHAIR])
    )
    if not recipients:
        return False
    what = _what(status, next_due_on)
    what = what[:1].upper() + what[1:]
    link = site_link("governance_records:reviews")
    send_to_each(
        subject=f"OpenMARAC: {what}",
        message=f"{what} at {marac.name}. The VAWG sub group reviews the protocol every year. "
        f"Record the review here:\n\n{link}\n",
        recipients=recipients,
    )
    return True


def _what(status: records_rules.ReviewStatus, next_due_on: date | None) -> str:
    if next_due_on is None:
        return "no review of the MARAC protocol has been recorded"
    if status == records_rules.ReviewStatus.OVERDUE:
        return f"the MARAC protocol review is overdue (it was due by {format_day(next_due_on)})"
    return f"the MARAC protocol review is due by {format_day(next_due_on)}"
