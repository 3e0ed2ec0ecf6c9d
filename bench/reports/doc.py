"""The "Reports at scale" section of docs/performance.md: rewritten by each run, the rest of the file untouched."""

from pathlib import Path
from typing import Any

TITLE = "## Reports at scale"
DOC_HEADER = """# Performance

Results of the benchmarks under `bench/`; the full results of the latest runs are in `bench/results/`.
"""

HOW = """`make bench-reports` (or `.venv/bin/python bench/reports/run.py`) generates 300 MARACs x 10 years of
synthetic history into PostgreSQL with the demo generator (once: the database is kept, in the benchmark's own
cluster under `/tmp/openmarac-bench-reports`, and reused by later runs), exports it to Parquet, then times the
app's own report (`reports.report.build_report`: every indicator, each MARAC and combined) and quarterly return
(`reports.meeting_return`: one row per meeting) over the latest 12 months for one MARAC, a region and the
nation, against hand-written DuckDB SQL over the Parquet files (`bench/reports/duck.py`). Every figure DuckDB
computes (each compared indicator's numerator and denominator for every column, every count of every meeting
of the return) must equal the app's, or the run fails. Timings are the best of 3 runs.

Options (arguments, or environment variables for make): `BENCH_SMALL=1` (30 MARACs x 2 years, minutes),
`BENCH_MARACS`, `BENCH_YEARS`, `BENCH_SEED`, `BENCH_FRESH=1` (generate again), `BENCH_REPEATS`,
`BENCH_JOBS` (generation processes, 2), `BENCH_KEEP_CLUSTER=1` (leave PostgreSQL running),
`BENCH_PG_DIR`, `BENCH_PG_PORT` (25433); with `DATABASE_URL` set it uses that PostgreSQL database instead.
The machine's load average is recorded with the results: re-run on a quiet machine for figures to quote.

How the app computes them: every indicator is a `reports.measures.Measure` made of tallies (counts over a set of
rows: cases referred, cases heard, listings discussed...) and lookups (population figures, first referrals). A
report of many MARACs runs one query per set of rows and period, grouped by MARAC, for all the indicators that
count it (about 25 queries whatever the number of MARACs, where it used to be about 100 per MARAC), and sums the
combined column from the MARACs' counts where counting rows allows (distinct counts are queried on their own).
`reports/tests/test_measures.py` checks every column equals the indicator worked out alone. Ages are worked out
with `date_part(...)::integer` on PostgreSQL (EXTRACT gives a slow numeric there) and the "perpetrator under
18" subqueries are correlated on the case's own referral date, which keeps PostgreSQL from hashing every
perpetrator in the database; the quarterly return counts listings (a case is listed once a meeting) instead of
DISTINCT counts over a join of the cases' parties. No index or summary table was added. Run PostgreSQL with
`jit = off`: JIT compilation took 10 of the 23 seconds of the national report's widest query.

Limits of the comparison: the national areas are generated without users, so nothing was minuted in OpenMARAC
(research, actions, attendance, IDVA allocations are empty and those indicators show "no data" or 0); the
compared figures are the case and listing figures of the SafeLives return and the indicators built on them
(`bench/reports/measure.py: expected_figures`), plus every count of every meeting of the quarterly return.
DuckDB takes a meeting's day in UTC, which is its London day for the generated 9:30 meetings.
"""


def _table(results: dict[str, Any]) -> str:
    seconds, data = results["seconds"], results["data"]
    lines = [
        "| scope | MARACs | app: indicators | app: quarterly return | app: total | DuckDB: total | app / DuckDB |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    sizes = {"one_marac": 1, "region": data["region_maracs"], "nation": data["maracs"]}
    for scope, label in (("one_marac", "one MARAC"), ("region", data["region"]), ("nation", "the nation")):
        app, theirs = seconds[f"app_total_{scope}_year"], seconds[f"duckdb_total_{scope}_year"]
        lines.append(
            f"| {label} | {sizes[scope]} | {seconds[f'app_indicators_{scope}_year']:.3f} s "
            f"| {seconds[f'app_quarterly_return_{scope}_year']:.3f} s | {app:.3f} s | {theirs:.3f} s "
            f"| {app / theirs:.1f}x |"
        )
    return "\n".join(lines)


def section(results: dict[str, Any]) -> str:
    data, database, machine = results["data"], results["database"], results["machine"]
    counts = data["counts"]
    targets = ", ".join(f"{name}: {'met' if met else 'NOT met'}" for name, met in results["targets"].items())
    load = results["load_average_before"]
    return f"""{TITLE}

{HOW}
Latest run, {results["run_on"]}: {data["maracs"]} MARACs x {data["years"]} years to {data["end"]}
({counts["cases"]:,} cases, {counts["people"]:,} people, {counts["listings"]:,} listings, {counts["meetings"]:,}
meetings; {data["database_size_gb"]} GB), period {data["period"]}; PostgreSQL {database["server_version"]}
(shared_buffers {database["shared_buffers"]}, work_mem {database["work_mem"]}, jit {database["jit"]}), DuckDB with
{results["duckdb_threads"]} threads; {machine["processor"]}, {machine["cpus"]} CPUs, Python {machine["python"]};
load average {load["1min"]} / {load["5min"]} / {load["15min"]} (1 / 5 / 15 minutes) when timing began.
{results["figures_compared"]:,} figures compared, {len(results["mismatches"])} differing.

{_table(results)}

Targets: {targets}.
"""


def update_performance_doc(path: Path, results: dict[str, Any]) -> None:
    text = path.read_text() if path.exists() else DOC_HEADER
    new = section(results)
    if TITLE in text:
        before, _, rest = text.partition(TITLE)
        following = rest.find("\n## ")
        after = rest[following + 1 :] if following >= 0 else ""
        text = before + new + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + new
    path.write_text(text)
