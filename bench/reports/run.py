"""Benchmark of the indicators: a region of 7 MARACs with 5 years of synthetic history, then the time to compute
every indicator for one MARAC's year and for the region's (each MARAC side by side, and combined).

Run by `make bench-reports`. It writes to the database in DATABASE_URL (PostgreSQL, say) or, without one, to a
temporary SQLite file it deletes afterwards; results go to bench/results/reports.json and a line in
docs/performance.md. Not part of the test suite: it takes minutes and its figures depend on the machine."""

import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARACS, YEARS, SEED = 7, 5, 20_261_123
RESULTS = ROOT / "bench" / "results" / "reports.json"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
DOC_HEADER = """# Performance

Lines added by the benchmarks under `bench/`; the full results of the latest run are in `bench/results/`.

| date | benchmark | database | machine | data | timings (seconds) |
| --- | --- | --- | --- | --- | --- |
"""


def _setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _timed[T](work: Callable[[], T], repeats: int = 3) -> tuple[float, T]:
    """The best of a few runs: the least disturbed by anything else the machine was doing."""
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result  # type: ignore[return-value]


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def _database() -> dict[str, str]:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return {"vendor": "sqlite", "version": sqlite3.sqlite_version}
    return {"vendor": connection.vendor, "version": str(connection.cursor().connection.info.server_version)}


def run() -> dict[str, Any]:
    from django.core.management import call_command
    from django.utils import timezone

    from cases.models import Case
    from demo.generator import generate_national
    from marac.models import Marac
    from meetings.models import Listing
    from reports.periods import PeriodKind, period_containing
    from reports.report import build_report
    from reports.suppression import suppression_threshold

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    end = today - timedelta(days=1)
    started = time.perf_counter()
    areas = generate_national(maracs=MARACS, years=YEARS, seed=SEED, end=end)
    generated_in = time.perf_counter() - started
    maracs = list(
        Marac.objects.filter(pk__in=[area.marac_id for area in areas]).order_by("name").values_list("pk", "name")
    )
    year = period_containing(PeriodKind.ROLLING_12_MONTHS, end)
    threshold = suppression_threshold()
    one_time, _ = _timed(lambda: build_report(maracs=maracs[:1], period=year, suppress=True, threshold=threshold))
    region_time, _ = _timed(lambda: build_report(maracs=maracs, period=year, suppress=True, threshold=threshold))
    return {
        "benchmark": "reports",
        "run_on": today.isoformat(),
        "region": {"maracs": MARACS, "years": YEARS, "seed": SEED, "period": year.label},
        "counts": {
            "cases": Case.objects.count(),
            "listings": Listing.objects.count(),
            "people": sum(area.people for area in areas),
            "meetings": sum(area.meetings for area in areas),
        },
        "seconds": {
            "generate_region": round(generated_in, 2),
            "indicators_one_marac_year": round(one_time, 3),
            "indicators_region_year": round(region_time, 3),
        },
        "machine": _machine(),
        "database": _database(),
    }


def _write(results: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if not PERFORMANCE_DOC.exists():
        PERFORMANCE_DOC.write_text(DOC_HEADER)
    seconds, counts, machine = results["seconds"], results["counts"], results["machine"]
    line = (
        f"| {results['run_on']} | reports | {results['database']['vendor']} {results['database']['version']} "
        f"| {machine['processor']}, {machine['cpus']} CPUs, Python {machine['python']} "
        f"| {MARACS} MARACs x {YEARS} years, {counts['cases']:,} cases "
        f"| one MARAC-year {seconds['indicators_one_marac_year']}, region-year {seconds['indicators_region_year']} |\n"
    )
    with PERFORMANCE_DOC.open("a") as doc:
        doc.write(line)


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="openmarac-bench-") as scratch:
        _setup_django(database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}")
        results = run()
    _write(results)
    print(json.dumps(results["seconds"], indent=2))


if __name__ == "__main__":
    main()
