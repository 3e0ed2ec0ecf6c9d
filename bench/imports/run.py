"""Benchmark of the history import: a synthetic MARAC history of N cases (and as many actions) written as an .xlsx
workbook and as CSV files, imported through the same code as the page and the command, then imported again (the
idempotent path: every row recognised, nothing created). Reports rows per second for each phase.

    .venv/bin/python -m bench.imports.run [--cases 20000]           # SQLite in a temporary file
    scripts/with-postgres.sh .venv/bin/python -m bench.imports.run  # PostgreSQL (DATABASE_URL)

Writes bench/results/imports-<database>.json. Not part of the test suite: its figures depend on the machine."""

import argparse
import csv
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def _rows(cases: int, prefix: str) -> tuple[list[list[str]], list[list[str]]]:
    """Obviously fictional cases: a victim and perpetrator each, some repeats, some children, two actions each."""
    from imports.columns import ACTION_COLUMNS, CASE_COLUMNS

    case_rows, action_rows = [], []
    for number in range(cases):
        day = 1 + number % 28
        month = 1 + (number // 28) % 12
        year = 2015 + (number // 336) % 10
        values = {
            "reference": f"{prefix}-{number:06d}",
            "referred_on": f"{day:02d}/{month:02d}/{year}",
            "heard_on": f"{year}-{month:02d}-{day:02d}",
            "referring_agency": "Police" if number % 3 else "IDVA service",
            "victim_given_name": "Fictionalia",
            "victim_family_name": f"Benchperson{number // 3}",  # every third case the same victim again
            "victim_date_of_birth": f"{1 + number // 3 % 28:02d}/0{1 + number // 3 % 9}/19{60 + number // 3 % 40}",
            "victim_gender": "female",
            "victim_ethnicity": ("White", "Asian", "Black", "Mixed", "")[number % 5],
            "victim_disability": ("yes", "no", "")[number % 3],
            "victim_postcode": f"ZZ{number % 90 + 1} {number % 9}AA",
            "perpetrator_given_name": "Imaginario",
            "perpetrator_family_name": f"Benchmadeup{number // 3}",
            "perpetrator_date_of_birth": f"{1 + number // 3 % 28:02d}/0{1 + number // 3 % 9}/19{55 + number // 3 % 40}",
            "perpetrator_gender": "male",
            "relationship": "ex-partner",
            "children": str(number % 4),
            "dash_score": str(14 + number % 11),
            "repeat": "yes" if number % 3 else "no",
            "information_only": "no",
            "outcome": "closed",
            "idva_engaged": "yes",
            "idva_allocated_on": f"{day:02d}/{month:02d}/{year}",
        }
        case_rows.append([values[column.key] for column in CASE_COLUMNS])
        for what in ("Flag and tag the victim's address", "Safety planning with the victim"):
            action = {
                "case_reference": values["reference"],
                "agency": "Police",
                "action": what,
                "for_whom": "victim",
                "due_on": f"{year}-{month:02d}-{day:02d}",
                "status": "done",
                "completed_on": f"{year}-{month:02d}-{day:02d}",
            }
            action_rows.append([action.get(column.key, "") for column in ACTION_COLUMNS])
    return case_rows, action_rows


def _xlsx(case_rows: list[list[str]], action_rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    from imports.columns import ACTION_COLUMNS, CASE_COLUMNS

    workbook = Workbook(write_only=True)
    for title, columns, rows in (("Cases", CASE_COLUMNS, case_rows), ("Actions", ACTION_COLUMNS, action_rows)):
        sheet = workbook.create_sheet(title)
        sheet.append([column.heading for column in columns])
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _csv(headings: list[str], rows: list[list[str]]) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(headings)
    writer.writerows(rows)
    return output.getvalue().encode()


def _marac() -> tuple[Any, Any]:
    from accounts.models import Role
    from marac.models import Agency, AgencyType, Marac, MaracAgency
    from testing.factories import UserFactory, grant

    marac = Marac.objects.create(name=f"Bench MARAC {time.time_ns()}", police_force="Bench Constabulary")
    for name, kind in (("Bench Police", AgencyType.POLICE), ("Bench IDVA", AgencyType.IDVA_SERVICE)):
        agency = Agency.objects.create(name=f"{name} {marac.pk}", agency_type=kind)
        MaracAgency.objects.create(marac=marac, agency=agency, is_core=True)
    coordinator = grant(UserFactory(email=f"bench{marac.pk}@example.invalid"), marac, Role.COORDINATOR)
    return marac, coordinator


class _Clock:
    """Seconds spent in each phase, from the progress the import reports."""

    def __init__(self) -> None:
        self.cpu = time.process_time()
        self.started = time.perf_counter()
        self.phases: dict[str, float] = {}
        self.phase = "reading"
        self.since = self.started

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            now = time.perf_counter()
            self.phases[self.phase] = round(now - self.since, 2)
            self.phase, self.since = phase, now

    def stop(self) -> dict[str, float]:
        now = time.perf_counter()
        self.phases[self.phase] = round(now - self.since, 2)
        # CPU seconds of this process: on SQLite all of the work, on PostgreSQL all but the server's. Less
        # disturbed than wall-clock seconds on a shared machine.
        cpu = round(time.process_time() - self.cpu, 2)
        return {**self.phases, "total": round(now - self.started, 2), "process_cpu": cpu}


def _import(marac: Any, by: Any, cases: bytes, actions: bytes | None) -> dict[str, Any]:
    from imports.services import import_run_create, import_run_execute

    run = import_run_create(marac=marac, by=by, file_name="bench", cases=cases, actions=actions, check_only=False)
    clock = _Clock()
    run = import_run_execute(run_id=run.pk, progress=clock)
    seconds = clock.stop()
    assert run.status == "done", (run.status, run.failure, run.problems[:3])
    rows = run.rows_total
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_second": round(rows / seconds["total"]),
        "rows_per_process_cpu_second": round(rows / seconds["process_cpu"]),
        **run.summary,
    }


def _ensure_postgres_database(url: str) -> None:
    """scripts/with-postgres.sh starts a cluster without the database its DATABASE_URL names: create it."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    arguments = parser.parse_args()
    temporary = None
    if "DATABASE_URL" not in os.environ:
        temporary = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{temporary.name}"
    elif os.environ["DATABASE_URL"].startswith("postgres"):
        _ensure_postgres_database(os.environ["DATABASE_URL"])
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from imports.columns import ACTION_COLUMNS, CASE_COLUMNS

    try:
        call_command("migrate", verbosity=0)
        workbook = _xlsx(*_rows(arguments.cases, "XLSX"))
        case_rows, action_rows = _rows(arguments.cases, "CSV")
        cases_csv = _csv([column.heading for column in CASE_COLUMNS], case_rows)
        actions_csv = _csv([column.heading for column in ACTION_COLUMNS], action_rows)
        load_before = _load()
        results: dict[str, Any] = {"cases": arguments.cases, "actions": len(action_rows)}
        marac, by = _marac()
        results["xlsx_first_import"] = _import(marac, by, workbook, None)
        results["xlsx_again_nothing_new"] = _import(marac, by, workbook, None)
        marac, by = _marac()
        results["csv_first_import"] = _import(marac, by, cases_csv, actions_csv)
        results.update(
            database=connection.vendor,
            file_bytes={"xlsx": len(workbook), "csv": len(cases_csv) + len(actions_csv)},
            load_average_before=load_before,
            load_average_after=_load(),
            machine={"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        )
    finally:
        if temporary is not None:
            connection.close()
            os.unlink(temporary.name)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"imports-{results['database']}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
