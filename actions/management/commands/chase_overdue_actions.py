from typing import Any

from django.core.management.base import BaseCommand

from actions.tasks import chase_overdue_actions


class Command(BaseCommand):
    help = (
        "Queue the chase of overdue actions and their escalation to the chair by the next meeting "
        "(run daily from a scheduler)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = chase_overdue_actions.enqueue()
        self.stdout.write(f"Queued the chase of overdue actions as task {result.id}")
