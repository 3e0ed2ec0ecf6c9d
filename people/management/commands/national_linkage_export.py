from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marac.models import Marac
from people import national


class Command(BaseCommand):
    help = (
        "Write the people held at the chosen MARACs (--marac ID, repeated; or --all) for a national person-matching "
        "run (docs/national-linkage.md): one owner-only Parquet file per MARAC in --out, named by run and MARAC id. "
        "Names, dates of birth, gender and the postcodes of addresses that are not confidential, under tokens only "
        "this installation can turn back into people. Prints the run id, needed to load the return; counts only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--marac", type=int, action="append", default=[], help="A MARAC's id (repeat for more).")
        parser.add_argument("--all", action="store_true", help="Every MARAC in this installation.")
        parser.add_argument("--out", required=True, help="The folder to write to (made owner-only).")
        parser.add_argument("--run", help="The run's id, to add MARACs to a run already started; new when left out.")

    def handle(self, *args: Any, marac: list[int], all: bool, out: str, run: str | None, **options: Any) -> None:
        if bool(marac) == all:
            raise CommandError("Choose the MARACs: --marac ID (repeated) or --all")
        maracs = list(Marac.objects.order_by("pk") if all else Marac.objects.filter(pk__in=marac).order_by("pk"))
        missing = sorted(set(marac) - {each.pk for each in maracs})
        if missing:
            raise CommandError(f"There is no MARAC {', '.join(map(str, missing))}")
        try:
            run = national.checked_run(run) if run else national.new_run()
            self.stdout.write(f"National person-matching run {run}")
            for each in maracs:
                exported = national.export_marac(each, run=run, out_dir=out)
                self.stdout.write(
                    f"MARAC {each.pk}: {exported.people} people written to {exported.path}; "
                    f"{exported.confidential_addresses_left_out} confidential addresses left out"
                )
        except national.NationalLinkageError as error:
            raise CommandError(str(error)) from None
