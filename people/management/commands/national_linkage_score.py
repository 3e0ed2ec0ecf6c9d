import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from people import linkage, linkage_spark, national


class Command(BaseCommand):
    help = (
        "Score one national person-matching run's exports together on Spark in local mode (what the cluster job "
        "does, docs/national-linkage.md) and write each MARAC's return under --out (marac=<id>/): its own tokens, "
        "the other MARAC, a pair reference and the probability. Needs Java 17 and PySpark. Counts only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--exports", nargs="+", required=True, help="Export files, or folders holding them.")
        parser.add_argument("--out", required=True, help="A new folder for the returns (made owner-only).")
        model = parser.add_mutually_exclusive_group(required=True)
        model.add_argument("--model", help="The national model, a JSON file (a trained person-matching model).")
        model.add_argument("--model-of-marac", type=int, help="Use this MARAC's current matching model.")
        parser.add_argument("--threshold", type=float, default=linkage.ELSEWHERE_THRESHOLD)
        parser.add_argument("--cores", type=int, default=2)
        parser.add_argument("--driver-memory", default="2g")
        parser.add_argument(
            "--large", action="store_true", help="Spark's settings for large data (hundreds of thousands of records)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["threshold"] <= 1:
            raise CommandError("--threshold is a probability above 0 and at most 1")
        model = self._model(options["model"], options["model_of_marac"])
        try:
            national.checked_score_inputs(options["exports"], options["out"])  # before Spark's slow start
            with national.private_umask(), national.scratch_folder() as scratch:
                spark = linkage_spark.local_spark_session(
                    cores=options["cores"],
                    driver_memory=options["driver_memory"],
                    scratch=scratch,
                    small_data=not options["large"],
                )
                try:
                    scored = national.score_exports(
                        model, options["exports"], options["out"], spark, threshold=options["threshold"]
                    )
                finally:
                    spark.stop()
        except (national.NationalLinkageError, linkage_spark.JavaMissingError, ValueError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Run {scored.run}: {scored.records} records scored")
        for code, pairs in sorted(scored.pairs_by_marac.items()):
            folder = os.path.join(options["out"], f"marac={code}")
            self.stdout.write(f"MARAC {code}: {pairs} possible matches at other MARACs, in {folder}")
        if not scored.pairs_by_marac:
            self.stdout.write("No possible matches across MARACs")

    def _model(self, path: str | None, marac_id: int | None) -> dict[str, Any]:
        if path is not None:
            try:
                return national.model_from_file(path)
            except (OSError, ValueError) as error:
                raise CommandError(f"Could not read the model {path}: {error.__class__.__name__}") from None
        current = linkage.current_model(marac_id) if marac_id is not None else None
        if current is None:
            raise CommandError(f"MARAC {marac_id} has no trained matching model")
        return dict(current.model)
