"""Import a MARAC's history from the command line, for files too large to upload: the same checks, the same
all-or-nothing save and the same records as the page, with progress on standard output."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from imports.models import RunStatus
from imports.services import import_run_create, import_run_execute, problems_of, warnings_of
from marac.models import Marac

SHOWN = 50


class Command(BaseCommand):
    help = "Import a MARAC's history from an .xlsx workbook (Cases and Actions sheets) or CSV files (docs/import.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--marac", type=int, required=True, help="The id of the MARAC the history belongs to.")
        parser.add_argument("--by", required=True, help="Email of the user importing: the audit trail names them.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")
        parser.add_argument("file", help="The workbook, or the cases CSV file.")
        parser.add_argument("actions", nargs="?", help="The actions CSV file, with a cases CSV file.")

    def handle(self, *args: Any, **options: Any) -> None:
        marac = Marac.objects.filter(pk=options["marac"]).first()
        if marac is None:
            raise CommandError(f"There is no MARAC {options['marac']}")
        by = User.objects.filter(email__iexact=options["by"], is_active=True).first()
        if by is None or not by.has_perm("imports.import_history", marac):
            raise CommandError(f"{options['by']} is not an administrator or coordinator at MARAC {marac.pk}")
        cases = self._read(options["file"])
        actions = self._read(options["actions"]) if options["actions"] else None
        run = import_run_create(
            marac=marac,
            by=by,
            file_name=Path(options["file"]).name,
            cases=cases,
            actions=actions,
            check_only=options["dry_run"],
        )
        run = import_run_execute(run_id=run.pk, progress=self._progress)
        self.stdout.write("")
        for warning in warnings_of(run)[:SHOWN]:
            self.stdout.write(f"Warning: {warning}")
        for problem in problems_of(run)[:SHOWN]:
            self.stdout.write(f"Problem: {problem}")
        if len(run.problems) > SHOWN:
            self.stdout.write(f"... and {len(run.problems) - SHOWN} more problems: see import {run.pk} in OpenMARAC")
        summary = ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in run.summary.items())
        self.stdout.write(f"Import {run.pk}: {run.get_status_display()}. {summary}")
        if run.failure:
            self.stdout.write(run.failure)
        if run.status not in (RunStatus.DONE, RunStatus.CHECKED):
            raise CommandError("Nothing was imported")

    def _read(self, name: str) -> bytes:
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}") from None

    def _progress(self, phase: str, done: int, total: int) -> None:
        if phase == RunStatus.READING:
            self.stdout.write("Reading the file...")
        elif total and (done % 1000 == 0 or done == total):
            # One line, rewritten: \r keeps a long run to a single line in a terminal.
            self.stdout.write(f"\r{RunStatus(phase).label}: {done} of {total} rows", ending="")
            self.stdout.flush()
