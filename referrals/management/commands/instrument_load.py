import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from referrals.instrument_services import InstrumentError, instrument_load


class Command(BaseCommand):
    help = (
        "Load a new version of a risk checklist (for example the licensed official DASH wording) from a JSON file: "
        '{"code": "dash_ric", "title": "...", "wording_note": "...", "questions": ["...", ...]}. '
        "Referrals already answered keep the version they were answered on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            instrument = instrument_load(document=document, by=None)
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"Could not read {path}: {error}") from error
        except InstrumentError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Loaded {instrument}; new referrals use it from now on.")
