from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.docs import markdown


class Command(BaseCommand):
    help = "Write docs/indicators.md from reports/indicators.py (or, with --check, fail if it is stale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Fail if the file differs from the definitions.")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "indicators.md"
        wanted = markdown()
        if check:
            if not path.exists() or path.read_text() != wanted:
                raise CommandError("docs/indicators.md is out of date: run `manage.py indicators_doc`.")
            return
        path.write_text(wanted)
        self.stdout.write(f"Wrote {path.relative_to(settings.BASE_DIR)}")
