"""Person matching on truth-labelled synthetic people: the Splink model against an exact-match baseline.

    python -m bench.linkage.run [--sizes 100000,1000000] [--seed 1]

For each size: generate the people (bench/linkage/generate.py), then run each method in its own child
process so its wall time and peak memory (the child's maximum resident set size) are its own, then score the
pairs against the truth. Writes bench/results/linkage.json and the "Person matching" section of
docs/performance.md. Generation and scoring are not timed.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "linkage.json"
PERFORMANCE = ROOT / "docs" / "performance.md"
SECTION = "## Person matching"
THRESHOLDS = (0.5, 0.9)
CLUSTERED = ".clustered.parquet"  # the pairs judged the same person (judged_same_person)
DUCKDB_THREADS = 2
DUCKDB_MEMORY_LIMIT = "2500MB"


# --- Steps run in child processes ---------------------------------------------------------------------


def _duckdb_api(scratch: str) -> Any:
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect(
        config={
            "threads": DUCKDB_THREADS,
            "memory_limit": DUCKDB_MEMORY_LIMIT,
            "temp_directory": os.path.join(scratch, "spill"),
            "preserve_insertion_order": False,
        }
    )
    return DuckDBAPI(connection)


def _prepared(raw: str) -> Any:
    """Raw records -> the model's columns, in batches so memory stays flat."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bench.linkage.generate import nickname_table
    from people.linkage_model import RawColumns, prepare_columns

    nicknames = nickname_table()
    parts = []
    for batch in pq.ParquetFile(raw).iter_batches(batch_size=200_000):
        parts.append(prepare_columns(RawColumns.from_arrow(pa.Table.from_batches([batch])), nicknames))
    return pa.concat_tables(parts)


def step_splink(raw: str, out: str, scratch: str, seed: int) -> dict[str, float]:
    from people.linkage_model import judged_same_person, score_within, train_model

    phases: dict[str, float] = {}
    started = time.perf_counter()
    table = _prepared(raw)
    phases["prepare"] = time.perf_counter() - started
    db_api = _duckdb_api(scratch)
    mark = time.perf_counter()
    model = train_model(table, db_api=db_api, seed=seed)
    phases["train"] = time.perf_counter() - mark
    mark = time.perf_counter()
    scored = score_within(model, table, threshold=min(THRESHOLDS) / 10, db_api=db_api)
    columns = "unique_id_l, unique_id_r, match_probability"
    db_api._con.sql(f"copy (select {columns} from {scored.physical_name}) to '{out}' (format parquet)")  # noqa: S608
    phases["predict"] = time.perf_counter() - mark
    mark = time.perf_counter()
    same = judged_same_person(scored, db_api)
    db_api._con.sql(f"copy (select {columns} from {same}) to '{out}{CLUSTERED}' (format parquet)")  # noqa: S608
    phases["cluster"] = time.perf_counter() - mark
    with open(out + ".model.json", "w", encoding="utf-8") as file:
        json.dump(model, file)
    return phases


def step_exact(raw: str, out: str, scratch: str, seed: int) -> dict[str, float]:
    """The baseline: same normalised given name, family name and date of birth."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from people.matching import normalise_name

    started = time.perf_counter()
    columns = pq.read_table(raw, columns=["unique_id", "given_name", "family_name", "date_of_birth"])
    keys = pa.table(
        {
            "unique_id": columns["unique_id"],
            "name": [
                f"{normalise_name(given)} {normalise_name(family)}"
                for given, family in zip(
                    columns["given_name"].to_pylist(), columns["family_name"].to_pylist(), strict=True
                )
            ],
            "dob": columns["date_of_birth"],
        }
    )
    connection = _duckdb_api(scratch)._con
    connection.register("people", keys)
    connection.sql(
        "copy (select l.unique_id as unique_id_l, r.unique_id as unique_id_r, 1.0 as match_probability "  # noqa: S608
        "from people l join people r on l.name = r.name and l.dob = r.dob and l.unique_id < r.unique_id "
        f"where l.dob is not null) to '{out}' (format parquet)"
    )
    return {"match": time.perf_counter() - started}


STEPS = {"splink": step_splink, "exact": step_exact}


def child_main(argv: list[str]) -> None:
    step, raw, out, scratch, seed = argv
    phases = STEPS[step](raw, out, scratch, int(seed))
    with open(out + ".phases.json", "w", encoding="utf-8") as file:
        json.dump(phases, file)


# --- The parent: generate, measure, score, report -----------------------------------------------------


def _measured(args: list[str]) -> tuple[float, float, float]:
    """Run a child; return its wall time and CPU time in seconds and its peak resident memory in GB.

    CPU time is reported too because on a shared machine wall time mostly measures the other work."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT)  # noqa: S603 - our own module
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{args} failed with exit code {process.returncode}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024 / 1024


def _generate(size: int, seed: int, raw: str) -> None:
    code = f"from bench.linkage.generate import write; write({size}, {seed}, {raw!r})"
    _measured(["-c", code])  # generation is not part of the measurement


def _blocking_rules_sql() -> str:
    from people.linkage_model import blocking_rules

    rules = [rule.get_blocking_rule("duckdb").blocking_rule_sql for rule in blocking_rules()]  # type: ignore[union-attr]
    return " or ".join(f"({rule})" for rule in rules)


def _score(raw: str, predictions: dict[str, str], scratch: str) -> dict[str, Any]:
    """Pairwise precision and recall of each method, and the blocking rules' recall, against the truth."""
    import duckdb

    from people.linkage_model import SAME_PERSON_THRESHOLD

    connection = duckdb.connect(config={"threads": DUCKDB_THREADS, "temp_directory": os.path.join(scratch, "spill")})
    import pyarrow.parquet as pq

    connection.register("truth_clusters", pq.read_table(raw, columns=["unique_id", "cluster"]))
    true_pairs = int(
        connection.sql(
            "select sum(pairs) from "
            "(select count(*) * (count(*) - 1) / 2 as pairs from truth_clusters group by cluster)"
        ).fetchall()[0][0]
    )
    scores: dict[str, Any] = {"true_pairs": true_pairs}
    for method, path in predictions.items():
        by_threshold = {}
        for threshold in (SAME_PERSON_THRESHOLD,) if method == "splink_clustered" else THRESHOLDS:
            found, right = connection.sql(
                f"""select count(*), count(*) filter (where l.cluster = r.cluster)
                from read_parquet('{path}') p
                join truth_clusters l on l.unique_id = p.unique_id_l
                join truth_clusters r on r.unique_id = p.unique_id_r
                where p.match_probability >= {threshold}"""  # noqa: S608
            ).fetchall()[0]
            by_threshold[str(threshold)] = {
                "pairs_suggested": found,
                "true_pairs_suggested": right,
                "precision": round(right / found, 4) if found else None,
                "recall": round(right / true_pairs, 4) if true_pairs else None,
            }
        scores[method] = by_threshold
    prepared = _prepared(raw)
    connection.register("prepared", prepared)
    connection.sql(
        "create table people as select p.*, t.cluster from prepared p join truth_clusters t using (unique_id)"
    )
    blocked = connection.sql(
        f"""select count(*) filter (where {_blocking_rules_sql()}) from people l join people r
        on l.cluster = r.cluster and l.unique_id < r.unique_id"""  # noqa: S608
    ).fetchall()[0][0]
    scores["blocking_recall"] = round(blocked / true_pairs, 4) if true_pairs else None
    return scores


def run_size(size: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-linkage-") as scratch:
        raw = os.path.join(scratch, "people.parquet")
        _generate(size, seed, raw)
        outcome: dict[str, Any] = {"records": size}
        predictions = {}
        for method in ("exact", "splink"):
            out = os.path.join(scratch, f"{method}.parquet")
            seconds, cpu_seconds, peak = _measured(
                ["-m", "bench.linkage.run", "--child", method, raw, out, scratch, str(seed)]
            )
            with open(out + ".phases.json", encoding="utf-8") as file:
                phases = json.load(file)
            outcome[method] = {
                "wall_seconds": round(seconds, 1),
                "cpu_seconds": round(cpu_seconds, 1),
                "peak_memory_gb": round(peak, 2),
                "phases_seconds": {name: round(value, 1) for name, value in phases.items()},
            }
            predictions[method] = out
            if method == "splink":
                predictions["splink_clustered"] = out + CLUSTERED
            print(f"{size:,} records, {method}: {seconds:.1f} s ({cpu_seconds:.1f} s CPU), {peak:.2f} GB", flush=True)
        scores = _score(raw, predictions, scratch)
        outcome["true_pairs"] = scores.pop("true_pairs")
        outcome["splink"]["blocking_recall"] = scores.pop("blocking_recall")
        for method in ("exact", "splink"):
            outcome[method]["by_threshold"] = scores[method]
        outcome["splink"]["clustered"] = next(iter(scores["splink_clustered"].values()))
        print(json.dumps(outcome, indent=2), flush=True)
        return outcome


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _table(result: dict[str, Any]) -> str:
    from people.linkage_model import LINK_THRESHOLD, SAME_PERSON_THRESHOLD

    lines = [
        SECTION,
        "",
        *textwrap.wrap(
            "`make bench-linkage` (bench/linkage; method in docs/linkage.md). Pairwise precision and recall against"
            ' the generator\'s truth. "splink, scored pairs": the pairs Splink scores at 0.5 or more, one pair at a'
            ' time (0.9 too in bench/results/linkage.json). "splink, clustered": the pairs judged the same person'
            f" (`judged_same_person`): those scored {SAME_PERSON_THRESHOLD} or more, plus every pair of records"
            f" joined through a chain of pairs each scored {LINK_THRESHOLD} or more; the model's answer, with no"
            ' person deciding, to "which records are the same person", which the target is measured on. Blocking'
            " recall is the share of true pairs the blocking rules let through. Wall time, CPU time (user + system,"
            " all threads) and peak memory are those of the child process that prepares the records, trains the"
            f" model, scores every blocked pair and clusters (DuckDB, {DUCKDB_THREADS} threads, memory limit"
            f" {DUCKDB_MEMORY_LIMIT}). Target at 1,000,000 records: precision >= 0.98, recall >= 0.95, under 5"
            " minutes and 4 GB on 2 cores. On a shared machine the wall time mostly measures the other work (see the"
            " load average); the CPU time does not.",
            width=110,
        ),
        "",
        "| date | machine | load average before / after | records | method | precision | recall | blocking recall"
        " | wall time (s) | CPU time (s) | peak memory (GB) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in result["runs"]:
        rows = [("splink, scored pairs", run["splink"], run["splink"]["by_threshold"]["0.5"])]
        if "clustered" in run["splink"]:
            rows.append(("splink, clustered", run["splink"], run["splink"]["clustered"]))
        rows.append(("exact", run["exact"], run["exact"]["by_threshold"]["0.5"]))
        for method, figures, at in rows:
            lines.append(
                f"| {run['date']} | {run['machine']} | {run['load_average_before']} / "
                f"{run['load_average_after']} | {run['records']:,} | {method} | {at['precision']} | {at['recall']}"
                f" | {figures.get('blocking_recall', '')} | {figures['wall_seconds']} | {figures['cpu_seconds']}"
                f" | {figures['peak_memory_gb']} |"
            )
    return "\n".join(lines) + "\n"


def _write_section(text: str) -> None:
    current = PERFORMANCE.read_text(encoding="utf-8")
    if SECTION in current:
        before, rest = current.split(SECTION, 1)
        after = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        current = before + text + ("\n" + after if after else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    PERFORMANCE.write_text(current, encoding="utf-8")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print only; leave the results files alone")
    options = parser.parse_args()
    runs = []
    for size in options.sizes.split(","):
        before = _load()
        run = run_size(int(size), options.seed)
        runs.append(
            {
                "date": datetime.now(UTC).date().isoformat(),
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": _machine(),
                "load_average_before": before,
                "load_average_after": _load(),
                "seed": options.seed,
                "duckdb": {"threads": DUCKDB_THREADS, "memory_limit": DUCKDB_MEMORY_LIMIT},
                **run,
            }
        )
    if not options.no_write:
        result = _merged(runs)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        _write_section(_table(result))


def _merged(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """This invocation's runs, plus earlier runs at other sizes (so 100k and 1M can be run separately)."""
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    shared = {key: value for key, value in previous.items() if key != "runs"}  # older files kept these once
    earlier = [{**shared, **run} for run in previous.get("runs", [])]
    sizes = {run["records"] for run in runs}
    kept = [run for run in earlier if run["records"] not in sizes and "date" in run]
    return {"runs": sorted([*kept, *runs], key=lambda run: run["records"])}


if __name__ == "__main__":
    main()
