from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import verify_chain


class Command(BaseCommand):
    help = "Check that every audit entry is chained by hash to the one before; report the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"The audit chain is broken at entry {broken.pk} (recorded {broken.at.isoformat()}), "
                f"after {checked} good entries."
            )
        self.stdout.write(f"The audit chain holds: {checked} entries checked.")
