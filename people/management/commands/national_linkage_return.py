from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from people import national


class Command(BaseCommand):
    help = (
        "Load a national person-matching run's return (--file: one MARAC's folder marac=<id>, or the returns folder "
        "holding one per MARAC) for the MARACs of this installation: their coordinators then see, on the person's "
        "record, 'a possible match exists at MARAC X; contact its coordinator'. Only pairs across two MARACs; "
        "nothing about the other MARAC's person. Loading the same return again changes nothing. Counts only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True, help="The return: a MARAC's folder, or the returns folder.")
        parser.add_argument("--run", required=True, help="The run's id, printed by national_linkage_export.")

    def handle(self, *args: Any, file: str, run: str, **options: Any) -> None:
        try:
            national.checked_run(run)
            folders = national.return_folders(file)
            for code, path in folders.items():
                marac = national.marac_of_code(code)
                if marac is None:
                    self.stdout.write(f"MARAC {code}: not in this installation, not loaded")
                    continue
                loaded = national.load_return(path, run=run, marac=marac)
                self.stdout.write(
                    f"MARAC {marac.pk}: {loaded.people} people may be held at another MARAC "
                    f"({loaded.created} new, {loaded.changed} changed, {loaded.removed} no longer found); "
                    f"{loaded.not_same_person} pairs already found not the same person; "
                    f"{loaded.unknown_people} rows matched no one held here, "
                    f"{loaded.unknown_maracs} named no other MARAC of this installation"
                )
        except national.NationalLinkageError as error:
            raise CommandError(str(error)) from None
