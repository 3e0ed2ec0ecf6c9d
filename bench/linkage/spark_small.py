"""The person-matching model on Spark in local mode against DuckDB, on small synthetic data.

    python -m bench.linkage.spark_small [--sizes 1000,10000] [--seed 1]

Trains once on DuckDB, then scores every blocked pair (linkage_model.score_within) on DuckDB and on Spark
(local[2], people.linkage_spark.local_spark_session) and checks they agree. Writes
bench/results/linkage_spark.json. Not a national benchmark: it shows Spark's fixed costs on one machine and
that the two backends give the same pairs. docs/national-linkage.md explains the cluster side.
"""

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "linkage_spark.json"
THRESHOLD = 0.5


def _records(size: int, seed: int) -> list[Any]:
    from bench.linkage.generate import as_person_record, records

    return [as_person_record(row) for row in records(size, seed)]


def _pairs(scored: Any) -> dict[tuple[str, str], float]:
    table = scored.as_pyarrow_table()
    rows = zip(table["unique_id_l"].to_pylist(), table["unique_id_r"].to_pylist(), strict=True)
    return {
        tuple(sorted(pair)): probability
        for pair, probability in zip(rows, table["match_probability"].to_pylist(), strict=True)
    }


def run_size(spark: Any, size: int, seed: int) -> dict[str, Any]:
    from bench.linkage.generate import nickname_table
    from people import linkage_spark
    from people.linkage_model import prepare_table, score_within, train_model

    nicknames = nickname_table()
    table = prepare_table(_records(size, seed), nicknames)
    started = time.perf_counter()
    model = train_model(table, seed=seed, nicknames=nicknames)
    train_duckdb = time.perf_counter() - started
    started = time.perf_counter()
    on_duckdb = _pairs(score_within(model, table, threshold=THRESHOLD))
    score_duckdb = time.perf_counter() - started
    started = time.perf_counter()
    spark_model = linkage_spark.model_for_dialect(model, "spark")
    on_spark = _pairs(score_within(spark_model, table, threshold=THRESHOLD, db_api=linkage_spark.spark_db_api(spark)))
    score_spark = time.perf_counter() - started
    shared = on_duckdb.keys() & on_spark.keys()
    return {
        "records": size,
        "train_duckdb_s": round(train_duckdb, 2),
        "score_duckdb_s": round(score_duckdb, 2),
        "score_spark_s": round(score_spark, 2),
        "pairs_duckdb": len(on_duckdb),
        "pairs_spark": len(on_spark),
        "same_pairs": on_duckdb.keys() == on_spark.keys(),
        "largest_probability_difference": max((abs(on_duckdb[p] - on_spark[p]) for p in shared), default=0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from people import linkage_spark

    load_before = os.getloadavg()
    started = time.perf_counter()
    spark = linkage_spark.local_spark_session()
    session_s = time.perf_counter() - started
    results = [run_size(spark, int(size), args.seed) for size in args.sizes.split(",")]
    spark.stop()
    report = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average_before_and_after": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        "spark": "local[2], linkage_spark.local_spark_session(small_data=True)",
        "spark_session_start_s": round(session_s, 2),
        "threshold": THRESHOLD,
        "sizes": results,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
