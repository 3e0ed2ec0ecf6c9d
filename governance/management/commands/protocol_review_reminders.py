from typing import Any

from django.core.management.base import BaseCommand

from governance.records_tasks import protocol_review_reminders


class Command(BaseCommand):
    help = (
        "Queue reminders to each MARAC's coordinators and chairs when the annual protocol review is due within "
        "30 days or overdue (run weekly from a scheduler)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = protocol_review_reminders.enqueue()
        self.stdout.write(f"Queued the protocol review reminders as task {result.id}")
