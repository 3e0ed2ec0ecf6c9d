from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.models import AuditAction
from audit.services import audit_record
from people.encryption import UndecryptableValue, encrypted_field_names, rotate_model


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value under the newest key in OPENMARAC_FIELD_ENCRYPTION_KEYS, in batches. "
        "Safe to run again: values already under the newest key are left alone. Prints counts, never a value. "
        "See docs/operations.md, Key rotation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows locked and rewritten at a time.")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        rotated = 0
        for model in apps.get_models():
            if not encrypted_field_names(model):
                continue
            try:
                count = rotate_model(model, batch_size=batch_size)
            except UndecryptableValue as error:
                raise CommandError(f"{model._meta.label}: {error} Batches before it are done; run again.") from None
            rotated += count.rotated
            self.stdout.write(
                f"{model._meta.label}: {count.rows} rows, {count.rotated} values re-encrypted, "
                f"{count.already_current} already under the newest key"
            )
        audit_record(
            action=AuditAction.CHANGE,
            object_type="encryption.keys",
            summary=f"Rotated field encryption keys: {rotated} values re-encrypted",
        )
        self.stdout.write(f"Done: {rotated} values re-encrypted under the newest key.")
