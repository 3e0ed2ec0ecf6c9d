from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.permissions import markdown_table


class Command(BaseCommand):
    help = "Write docs/permissions.md from accounts/permissions.py (or, with --check, fail if it is stale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Fail if the file differs from the declarations.")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "permissions.md"
        wanted = markdown_table()
        if check:
            if not path.exists() or path.read_text() != wanted:
                raise CommandError("docs/permissions.md is out of date: run `make docs`.")
            return
        path.write_text(wanted)
        self.stdout.write(f"Wrote {path.relative_to(settings.BASE_DIR)}")
