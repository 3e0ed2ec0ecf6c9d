from typing import Any

from django.core.management.base import BaseCommand

from meetings.live_services import meeting_cases_heard
from meetings.models import Meeting, MeetingStatus


class Command(BaseCommand):
    help = (
        "Give every case heard at a closed meeting the status its hearing's outcome gives it, and its date heard "
        "(once, after upgrading: meetings closed before OpenMARAC did this as they ran left their cases Listed). "
        "Audited; safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = Meeting.objects.filter(state__status=MeetingStatus.CLOSED).order_by("starts_at", "pk")
        changed = sum(meeting_cases_heard(meeting=meeting, by=None) for meeting in closed.iterator())
        self.stdout.write(f"Cases changed: {changed}")
