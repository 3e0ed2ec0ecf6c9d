from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.schema import schema_text


class Command(BaseCommand):
    help = "Write docs/openapi.json, the open API's schema (or, with --check, fail if the committed one is stale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Fail if docs/openapi.json differs from the API.")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "openapi.json"
        wanted = schema_text()
        if check:
            if not path.exists() or path.read_text() != wanted:
                raise CommandError("docs/openapi.json is out of date: run `make docs` and commit it.")
            return
        path.write_text(wanted)
        self.stdout.write(f"Wrote {path.relative_to(settings.BASE_DIR)}")
