from typing import Any

from django.core.management.base import BaseCommand

from referrals.tasks import chase_children_notifications


class Command(BaseCommand):
    help = (
        "Queue the chase of notifications to children's services still unconfirmed after 2 working days "
        "(run daily from a scheduler)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = chase_children_notifications.enqueue()
        self.stdout.write(f"Queued the chase of children's services notifications as task {result.id}")
