"""The timings and the comparison: the app's report (every indicator, each MARAC and combined) and quarterly return
for one MARAC, a region and the nation over the latest year, then DuckDB's, then every compared figure of both."""

import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.reports import duck
from bench.reports.data import Scale


def _timed[T](work: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The best of a few runs, the least disturbed by anything else the machine was doing, after one untimed
    run (the app's and DuckDB's alike): the caches warm, as a running server's are, where the benchmark's
    PostgreSQL has just been started with none."""
    work()
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result  # type: ignore[return-value]


def expected_figures(row: dict[str, Any]) -> dict[str, tuple[int, int | None]]:
    """The (numerator, denominator) each compared indicator must show, from DuckDB's counts for one column."""
    referred, heard = row["referred"], row["heard"]
    figures: dict[str, tuple[int, int | None]] = {
        "referrals": (referred, None),
        "referrals_change": (referred, row["referred_before"]),
        "cases_heard": (heard, None),
        "cases_heard_change": (heard, row["heard_before"]),
        "cases_per_10k": (heard, row["population"]),
        "victims_55_plus": (row["heard_55_plus"], heard),
        "victims_16_17": (row["heard_16_17"], heard),
        "male_victims": (row["heard_male"], heard),
        "repeat_cases": (row["heard_repeat"], heard),
        "victims_with_children": (row["heard_with_children"], heard),
        "children_in_households": (int(row["heard_children"]), None),
        "data_recorded": (row["heard_recorded"], heard),
        "non_police_referrals": (row["referred_non_police"], referred),
        "referrals_bme": (row["referred_bme"], referred),
        "referrals_lgbt": (row["referred_lgbt"], referred),
        "referrals_disability": (row["referred_disability"], referred),
        "referrals_male": (row["referred_male"], referred),
        "referrals_16_17": (row["referred_16_17"], referred),
        "referrals_perpetrator_under_18": (row["referred_perpetrator_under_18"], referred),
        "csc_referrals": (row["referred_csc"], None),
        "csc_referrals_growth": (row["referred_csc"], row["before_csc"]),
        "children_agency_referrals_growth": (row["referred_children_agencies"], row["before_children_agencies"]),
        "information_only_share": (row["discussed_information_only"], row["discussed"]),
        "information_only_against_the_rules": (row["information_only_against_the_rules"], None),
        "to_other_maracs": (row["discussed_transferred"], referred),
    }
    for key in row:
        if key.startswith("referred_from_"):
            figures[key.replace("referred_from_", "referrals_from_")] = (row[key], referred)
    for group in duck.ETHNIC_GROUPS:
        figures[f"population_ethnicity_{group}"] = (row[f"referred_ethnicity_{group}"], row["referred_ethnicity_known"])
    for band in (*duck.AGE_BANDS, *duck.AGE_BANDS_OPEN):
        figures[f"population_age_{band}"] = (row[f"referred_age_{band}"], row["referred_aged_16_plus"])
    return figures


def _compare_report(report: Any, duck_rows: list[dict[str, Any]], scope_ids: list[int]) -> tuple[int, list[str]]:
    """Each column of the app's report (each MARAC, then combined; or the one MARAC) against DuckDB's row."""
    by_key = {None if row["all_maracs"] else row["marac_id"]: row for row in duck_rows}
    column_keys: list[int | None] = [*scope_ids, None] if len(scope_ids) > 1 else [None]
    app = {row.indicator.key: row.cells for group in report.groups for row in group.rows}
    compared, mismatches = 0, []
    for index, key in enumerate(column_keys):
        row = by_key.get(key)
        if row is None:
            mismatches.append(f"DuckDB has no row for MARAC {key}")
            continue
        for indicator, (numerator, denominator) in expected_figures(row).items():
            figure = app[indicator][index].figure
            compared += 1
            if (figure.numerator, figure.denominator) != (numerator, denominator):
                mismatches.append(
                    f"{indicator} for {key or 'combined'}: app {figure.numerator}/{figure.denominator}, "
                    f"DuckDB {numerator}/{denominator}"
                )
    return compared, mismatches


def _compare_return(app_rows: list[Any], duck_rows: list[dict[str, Any]]) -> tuple[int, list[str]]:
    from reports.meeting_return import COUNT_KEYS

    mismatches: list[str] = []
    if len(app_rows) != len(duck_rows):
        mismatches.append(f"meeting return: app {len(app_rows)} meetings, DuckDB {len(duck_rows)}")
    compared = 0
    expected = {(row["marac"], row["held_on"]): row for row in duck_rows}
    for app_row in app_rows:
        theirs = expected.get((app_row.marac, app_row.held_on), {})
        for key in COUNT_KEYS:
            compared += 1
            if app_row.counts[key] != int(theirs.get(key) or 0):
                mismatches.append(
                    f"meeting return {app_row.marac} {app_row.held_on} {key}: "
                    f"app {app_row.counts[key]}, DuckDB {theirs.get(key)}"
                )
    return compared, mismatches


def measure(
    scale: Scale, generation: dict[str, Any], exported: dict[str, Any], *, directory: Path, repeats: int
) -> dict[str, Any]:
    import os

    from django.db import connection

    from marac.models import Marac
    from reports.cohorts import Scope
    from reports.meeting_return import meeting_return
    from reports.periods import PeriodKind, suppressed_period
    from reports.report import build_report
    from reports.suppression import suppression_threshold

    load_before = _load(os)
    end = date.fromisoformat(generation["end"])
    # The 12 months a board viewer gets, with small numbers suppressed: to the end of the last quarter over.
    year, _ = suppressed_period(PeriodKind.ROLLING_12_MONTHS, end, today=end + timedelta(days=1))
    before = year.year_before()
    maracs = list(Marac.objects.order_by("name").values_list("pk", "name", "region"))
    region = sorted({region for _, _, region in maracs})[0]
    scopes = {
        "one_marac": [(pk, name) for pk, name, _ in maracs[:1]],
        "region": [(pk, name) for pk, name, marac_region in maracs if marac_region == region],
        "nation": [(pk, name) for pk, name, _ in maracs],
    }
    threshold = suppression_threshold()
    duck_connection = duck.connect(directory)
    seconds: dict[str, float] = {}
    compared, mismatches = 0, []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]  # type: ignore[index]
    for name, chosen in scopes.items():
        ids = [pk for pk, _ in chosen]
        scope = Scope(tuple(ids), year)
        print(f"Timing {name} ({len(ids)} MARACs)...", flush=True)
        report_time, report = _timed(
            lambda chosen=chosen: build_report(maracs=chosen, period=year, suppress=True, threshold=threshold),
            repeats,
        )
        return_time, app_return = _timed(lambda scope=scope: meeting_return(scope), repeats)
        indicators_sql = duck.indicators_sql(ids, year.start, year.end, before.start, before.end)
        return_sql = duck.meeting_return_sql(ids, year.start, year.end)
        duck_indicators_time, duck_indicators = _timed(
            lambda sql=indicators_sql: duck.rows(duck_connection, sql), repeats
        )
        duck_return_time, duck_return = _timed(lambda sql=return_sql: duck.rows(duck_connection, sql), repeats)
        seconds[f"app_indicators_{name}_year"] = round(report_time, 4)
        seconds[f"app_quarterly_return_{name}_year"] = round(return_time, 4)
        seconds[f"app_total_{name}_year"] = round(report_time + return_time, 4)
        seconds[f"duckdb_indicators_{name}_year"] = round(duck_indicators_time, 4)
        seconds[f"duckdb_quarterly_return_{name}_year"] = round(duck_return_time, 4)
        seconds[f"duckdb_total_{name}_year"] = round(duck_indicators_time + duck_return_time, 4)
        count, wrong = _compare_report(report, duck_indicators, ids)
        compared += count
        mismatches += [f"{name}: {text}" for text in wrong]
        count, wrong = _compare_return(app_return, duck_return)
        compared += count
        mismatches += [f"{name}: {text}" for text in wrong]
        print(
            f"  app {report_time:.3f} s + {return_time:.3f} s, DuckDB {duck_indicators_time:.3f} s + "
            f"{duck_return_time:.3f} s; {len(mismatches)} mismatches so far",
            flush=True,
        )
    national_ratio = seconds["app_total_nation_year"] / seconds["duckdb_total_nation_year"]
    targets = {
        "one_marac_year_under_0.1s": seconds["app_total_one_marac_year"] < 0.1,
        "national_year_under_3s": seconds["app_total_nation_year"] < 3.0,
        "national_within_3x_duckdb": national_ratio <= 3.0,
        "figures_agree": not mismatches,
    }
    return {
        "benchmark": "reports",
        "run_on": date.today().isoformat(),  # noqa: DTZ011
        "data": {
            **{key: generation[key] for key in ("maracs", "years", "seed", "region_size", "end")},
            "period": year.label,
            "region": region,
            "region_maracs": len(scopes["region"]),
            "counts": generation["counts"],
            "database_size_gb": round(database_bytes / 1e9, 2),
            "generation_seconds": generation["seconds"],
            "generation_reused": generation["reused"],
            "export": exported,
        },
        "seconds": seconds,
        "national_app_over_duckdb": round(national_ratio, 2),
        "targets": targets,
        "figures_compared": compared,
        "mismatches": mismatches,
        "repeats": repeats,
        "database": _database(),
        "duckdb_threads": duck_connection.execute("SELECT current_setting('threads')").fetchone()[0],
        "load_average_before": load_before,
    }


def _load(os: Any) -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"1min": round(one, 2), "5min": round(five, 2), "15min": round(fifteen, 2)}


def _database() -> dict[str, str]:
    from django.conf import settings as django_settings
    from django.db import connection

    settings = {}
    with connection.cursor() as cursor:
        for name in ("server_version", "shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]  # type: ignore[index]
    # A report of several MARACs runs its queries side by side on this many connections (reports/fanout.py).
    settings["report_connections"] = str(django_settings.OPENMARAC_REPORT_CONNECTIONS)
    return {"vendor": connection.vendor, **settings}
