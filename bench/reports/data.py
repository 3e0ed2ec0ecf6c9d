"""The national data: generated once into PostgreSQL with the demo generator, then reused while the generation
it records matches what is asked for; exported to Parquet for DuckDB the same way."""

import json
import os
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

MARKER_TABLE = "bench_reports_generation"
# Raised whenever what demo.generator.generate_national writes changes, so that saved data is generated again
# (2: the areas' populations sum to about England and Wales's, NATIONAL_AREA_POPULATIONS).
DATA_VERSION = 2


@dataclass(frozen=True)
class Scale:
    maracs: int
    years: int
    seed: int
    region_size: int

    @property
    def database(self) -> str:
        return f"bench_reports_{self.maracs}x{self.years}_s{self.seed}_v{DATA_VERSION}"


def recorded_generation() -> dict[str, Any] | None:
    """What the bench generated into this database, if it finished."""
    from django.db import connection

    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT document FROM {MARKER_TABLE}")  # noqa: S608  a constant name
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def _record_generation(document: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (document text NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (document) VALUES (%s)", [json.dumps(document)])  # noqa: S608


def generate(scale: Scale, end: date, *, jobs: int, worker: list[str]) -> dict[str, Any]:
    """Every MARAC of the scale into the (empty, migrated) database, shared among `jobs` processes each started
    by the `worker` command followed by its part ("k/n"), with progress on stdout."""
    from django.db import connection, connections

    from cases.models import Case, CaseParty
    from meetings.models import Listing, Meeting
    from people.models import Address, Alias, Person

    if connection.vendor == "postgresql":
        from cases.models import Case

        if Case.objects.exists():
            raise SystemExit(
                "The database has cases but no finished generation recorded: an interrupted run? "
                "Run again with --fresh (or BENCH_FRESH=1) to drop it and start again."
            )
    started = time.perf_counter()
    connections.close_all()
    workers = [subprocess.Popen([*worker, f"{part}/{jobs}"]) for part in range(jobs)]  # noqa: S603
    if any(process.wait() for process in workers):
        raise SystemExit("A generation worker failed: see above; run again with --fresh.")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    models = {"cases": Case, "people": Person, "addresses": Address, "aliases": Alias, "case_parties": CaseParty}
    totals = {name: model.objects.count() for name, model in (*models.items(), ("listings", Listing))}
    totals["meetings"] = Meeting.objects.count()
    document = {
        **asdict(scale),
        "end": end.isoformat(),
        "jobs": jobs,
        "seconds": round(seconds, 1),
        "vacuum_analyze_seconds": round(time.perf_counter() - started - seconds, 1),
        "counts": totals,
    }
    _record_generation(document)
    return document


def generate_part(scale: Scale, end: date, part: tuple[int, int]) -> None:
    """One worker's share of the MARACs (index k modulo n)."""
    from demo.generator import AreaCounts, generate_national

    started, cases = time.perf_counter(), 0

    def progress(index: int, area: AreaCounts) -> None:
        nonlocal cases
        cases += area.cases
        print(f"  [{part[0]}] MARAC {index + 1}/{scale.maracs}: {cases:,} cases, {time.perf_counter() - started:.0f} s")

    generate_national(
        maracs=scale.maracs,
        years=scale.years,
        seed=scale.seed,
        end=end,
        region_size=scale.region_size,
        progress=progress,
        part=part,
    )


# --- Parquet ------------------------------------------------------------------------------------------------

# The columns DuckDB's query reads, table by table: everything the case-level figures are made of.
EXPORTED: dict[str, tuple[str, ...]] = {
    "marac_marac": ("id", "name", "region"),
    "marac_agency": ("id", "agency_type"),
    "marac_populationfigure": ("marac_id", "local_authority", "year", "adult_female_population"),
    "people_person": (
        "id",
        "marac_id",
        "date_of_birth",
        "gender",
        "is_transgender",
        "ethnicity",
        "sexuality",
        "has_disability",
    ),
    "cases_case": (
        "id",
        "marac_id",
        "victim_id",
        "referred_on",
        "heard_on",
        "referring_agency_id",
        "information_only",
        "is_repeat",
        "victim_pregnant",
    ),
    "cases_caseparty": ("case_id", "person_id", "role"),
    "meetings_meeting": ("id", "marac_id", "starts_at"),
    "meetings_listing": (
        "id",
        "meeting_id",
        "case_id",
        "kind",
        "outcome",
        "vulnerable_adult",
        "specific_actions_requested",
        "referrer_disagrees",
    ),
    "meetings_meetingstate": ("meeting_id", "status"),
}


def export_parquet(directory: Path) -> dict[str, Any]:
    """Each table's columns as a Parquet file: PostgreSQL's COPY to CSV, then DuckDB writes the Parquet (no
    network here to install DuckDB's postgres extension). Reused when a finished export is there."""
    import duckdb
    from django.db import connection

    marker = directory / "export.json"
    if marker.exists():
        return dict(json.loads(marker.read_text()), reused=True)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table, columns in EXPORTED.items():
            csv = directory / f"{table}.csv"
            with (
                csv.open("wb") as out,
                cursor.cursor.copy(
                    f"COPY (SELECT {', '.join(columns)} FROM {table} ORDER BY 1) TO STDOUT WITH (FORMAT csv, HEADER)"  # noqa: S608
                ) as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
            duck = duckdb.connect()
            # Types from PostgreSQL's own catalogue, so nothing is left to DuckDB's guessing.
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s", [table]
            )
            types = {name: _duck_type(kind) for name, kind in cursor.fetchall()}
            spec = ", ".join(f"'{column}': '{types[column]}'" for column in columns)
            source = f"read_csv('{csv}', header=true, columns={{{spec}}})"
            duck.execute(f"COPY (SELECT * FROM {source}) TO '{directory / table}.parquet' (FORMAT parquet)")  # noqa: S608
            counted = duck.execute(f"SELECT count(*) FROM '{directory / table}.parquet'").fetchone()  # noqa: S608
            rows[table] = counted[0] if counted else 0
            duck.close()
            csv.unlink()
    document = {"seconds": round(time.perf_counter() - started, 1), "rows": rows}
    marker.write_text(json.dumps(document))
    return dict(document, reused=False)


def _duck_type(postgres_type: str) -> str:
    return {
        "bigint": "BIGINT",
        "integer": "INTEGER",
        "smallint": "SMALLINT",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "timestamp with time zone": "TIMESTAMPTZ",
    }.get(postgres_type, "VARCHAR")


def parquet_directory(base: Path, database: str) -> Path:
    return Path(os.environ.get("BENCH_PARQUET_DIR", base / "parquet")) / database
