"""Reports at national scale: 300 MARACs x 10 years of synthetic history (about 1.2 million cases) generated into
PostgreSQL with the demo generator; the quarterly return (one row per meeting) and every indicator timed for one
MARAC, a region and the nation over the latest year, against the same figures from one hand-written DuckDB query
over the same data exported to Parquet. The figures of both must agree, or the run fails.

Run by `make bench-reports` (options as arguments here, or as environment variables for make):
  --maracs N / BENCH_MARACS (300)      --years N / BENCH_YEARS (10)      --seed N / BENCH_SEED
  --small / BENCH_SMALL=1: 30 MARACs x 2 years, a couple of minutes
  --fresh / BENCH_FRESH=1: drop the generated database and generate it again (otherwise it is reused)
  --repeats N / BENCH_REPEATS (3): timings are the best of N runs, after one untimed run
  --keep-cluster / BENCH_KEEP_CLUSTER=1: leave the benchmark's PostgreSQL running afterwards
Without DATABASE_URL the benchmark runs its own PostgreSQL cluster in BENCH_PG_DIR
(/tmp/openmarac-bench-reports, port BENCH_PG_PORT 25433), kept between runs with the generated databases in it
and the Parquet export beside them; with DATABASE_URL it uses that database (PostgreSQL; generated into if empty).
Results go to bench/results/reports.json and a table in docs/performance.md ("Reports at scale").
Not part of the test suite: its figures depend on the machine."""

import argparse
import json
import os
import platform
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.reports.cluster import Cluster  # noqa: E402
from bench.reports.data import Scale, export_parquet, generate, parquet_directory, recorded_generation  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "reports.json"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
SEED = 20_261_123
# Under /tmp so that the postgres user (the cluster's owner when run as root) can reach it; a bench's scratch data.
DEFAULT_PG_DIR = "/tmp/openmarac-bench-reports"  # noqa: S108
TARGETS = {"one_marac_year": 0.1, "national_year": 3.0, "national_over_duckdb": 3.0}


def _arguments() -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--maracs", type=int, default=int(env("BENCH_MARACS", "0")) or None)
    parser.add_argument("--years", type=int, default=int(env("BENCH_YEARS", "0")) or None)
    parser.add_argument("--seed", type=int, default=int(env("BENCH_SEED", str(SEED))))
    parser.add_argument("--region-size", type=int, default=int(env("BENCH_REGION_SIZE", "30")))
    parser.add_argument("--small", action="store_true", default=env("BENCH_SMALL", "") == "1")
    parser.add_argument("--fresh", action="store_true", default=env("BENCH_FRESH", "") == "1")
    parser.add_argument("--repeats", type=int, default=int(env("BENCH_REPEATS", "3")))
    parser.add_argument("--keep-cluster", action="store_true", default=env("BENCH_KEEP_CLUSTER", "") == "1")
    parser.add_argument("--jobs", type=int, default=int(env("BENCH_JOBS", "2")), help="processes generating")
    parser.add_argument("--generate-only", action="store_true", help="generate (or find) the data, then stop")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # k/n: one generation worker's part
    parser.add_argument("--end", type=date.fromisoformat, help=argparse.SUPPRESS)
    parser.add_argument("--pg-dir", type=Path, default=Path(env("BENCH_PG_DIR", DEFAULT_PG_DIR)))
    parser.add_argument("--pg-port", type=int, default=int(env("BENCH_PG_PORT", "25433")))
    arguments = parser.parse_args()
    arguments.maracs = arguments.maracs or (30 if arguments.small else 300)
    arguments.years = arguments.years or (2 if arguments.small else 10)
    return arguments


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"1min": round(one, 2), "5min": round(five, 2), "15min": round(fifteen, 2)}


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def _worker(arguments: argparse.Namespace) -> None:
    from bench.reports.data import generate_part

    _setup_django(os.environ["DATABASE_URL"])
    part, parts = map(int, arguments.worker.split("/"))
    scale = Scale(arguments.maracs, arguments.years, arguments.seed, arguments.region_size)
    generate_part(scale, arguments.end, (part, parts))


def _prepare(arguments: argparse.Namespace) -> tuple[Scale, Cluster | None, dict[str, Any]]:
    """The database with the scale's data in it, generated now if it is not there yet."""
    scale = Scale(arguments.maracs, arguments.years, arguments.seed, arguments.region_size)
    cluster = None
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        cluster = Cluster(arguments.pg_dir, arguments.pg_port)
        cluster.start()
        cluster.ensure_database(scale.database, fresh=arguments.fresh)
        database_url = cluster.url(scale.database)
    _setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The national benchmark needs PostgreSQL: unset DATABASE_URL to use the bench's own.")
    call_command("migrate", verbosity=0)
    generation = recorded_generation()
    if generation is not None and {key: generation[key] for key in ("maracs", "years", "seed", "region_size")} != {
        "maracs": scale.maracs,
        "years": scale.years,
        "seed": scale.seed,
        "region_size": scale.region_size,
    }:
        raise SystemExit(f"DATABASE_URL holds a different generation: {generation}")
    if generation is None:
        end = date.today() - timedelta(days=1)  # noqa: DTZ011  the generation's own last day, recorded
        print(f"Generating {scale.maracs} MARACs x {scale.years} years to {end} (once; reused afterwards)...")
        worker = [
            sys.executable, __file__, "--maracs", str(scale.maracs), "--years", str(scale.years),
            "--seed", str(scale.seed), "--region-size", str(scale.region_size), "--end", end.isoformat(), "--worker",
        ]  # fmt: skip
        generation = dict(generate(scale, end, jobs=max(1, arguments.jobs), worker=worker), reused=False)
    else:
        generation = dict(generation, reused=True)
    return scale, cluster, generation


def main() -> None:
    arguments = _arguments()
    if arguments.worker:
        _worker(arguments)
        return
    scale, cluster, generation = _prepare(arguments)
    print(f"Data: {json.dumps(generation)}")
    if arguments.generate_only:
        return
    from bench.reports.measure import measure

    directory = parquet_directory(arguments.pg_dir, scale.database)
    print(f"Exporting to Parquet in {directory} (once; reused afterwards)...", flush=True)
    exported = export_parquet(directory)
    try:
        results = measure(scale, generation, exported, directory=directory, repeats=arguments.repeats)
    finally:
        if cluster is not None and not arguments.keep_cluster:
            from django.db import connections

            connections.close_all()
            cluster.stop()
    results.update(machine=_machine(), load_average_after=_load())
    _write(results)
    print(json.dumps(results["seconds"], indent=2))
    if results["mismatches"]:
        print(f"FAILED: {len(results['mismatches'])} figures differ between the app and DuckDB", file=sys.stderr)
        for mismatch in results["mismatches"][:20]:
            print(f"  {mismatch}", file=sys.stderr)
        raise SystemExit(1)


def _write(results: dict[str, Any]) -> None:
    from bench.reports.doc import update_performance_doc

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    update_performance_doc(PERFORMANCE_DOC, results)


if __name__ == "__main__":
    main()
