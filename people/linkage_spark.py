"""Person matching at national scale: the same Splink model as people.linkage_model, run on Spark.

A MARAC's own matching runs on DuckDB inside OpenMARAC. A national (or regional) run, across the person
records of many MARACs, runs the same model on a Spark cluster; docs/national-linkage.md describes it end to
end. This module is the Spark side of that: a session for local mode (tests, a laptop) and one for a cluster,
Splink's SparkAPI, train, dedupe and find_matches through it, and the Parquet files a national run reads and
writes. PySpark is a development dependency, not a production one, so it is imported only when used.

Why models are re-rendered: Splink keeps each comparison level's SQL in the saved model as text in the dialect
it was trained in ("given_name_l" is a column in DuckDB, a string literal in Spark), and a Linker runs that
text unchanged on whichever backend it is given. model_for_dialect rebuilds the SQL from the one definition
(linkage_model.build_settings) for the backend about to run it, keeping every trained parameter.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import logging
import os
import re
import shutil
import subprocess  # nosec B404
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa  # type: ignore[import-untyped]

from people import linkage_model
from people.linkage_model import PersonRecord, Suggestion
from people.nicknames import NICKNAMES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from splink.backends.spark import SparkAPI

MINIMUM_JAVA = 17
NATIONAL_ID_SEPARATOR = ":"
# The columns a MARAC exports for a national run: linkage_model.PREPARED_SCHEMA, with unique_id replaced by
# "<MARAC code>:<token>" (see national_export).
EXPORT_SCHEMA = linkage_model.PREPARED_SCHEMA


class JavaMissingError(RuntimeError):
    pass


# --- Sessions -----------------------------------------------------------------------------------------


def java_major_version() -> int:
    """The major version of the Java runtime Spark will start (JAVA_HOME first, as Spark's launcher does)."""
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else shutil.which("java")
    if not java or not os.path.exists(java):
        where = f"JAVA_HOME is {java_home} but it has no bin/java" if java_home else "no java on PATH"
        raise JavaMissingError(
            f"Spark needs Java {MINIMUM_JAVA} or later and none was found ({where}); "
            "install it, e.g. `apt-get install openjdk-17-jre-headless`"
        )
    banner = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr  # noqa: S603
    found = re.search(r'version "(\d+)(?:\.(\d+))?', banner)
    if not found:
        raise JavaMissingError(f"Could not read the Java version from `{java} -version`")
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8" is Java 8


def require_java() -> None:
    major = java_major_version()
    if major < MINIMUM_JAVA:
        raise JavaMissingError(f"Spark 4 needs Java {MINIMUM_JAVA} or later; found Java {major}")


def similarity_jar() -> str:
    """The jar of string-similarity functions (jaro_winkler and others) that Splink ships for Spark."""
    from splink.backends.spark import similarity_jar_location

    return similarity_jar_location()


def _common_config(shuffle_partitions: int) -> dict[str, str]:
    return {
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        # Dates of birth are dates, not instants: never let a machine's time zone move them.
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
    }


# For a few thousand records Spark's fixed cost per query (planning, compiling generated code, scheduling)
# is most of the time: measured on the tests' 400 records, these cut the JVM's CPU time by about half.
SMALL_DATA_CONFIG = {
    "spark.sql.codegen.wholeStage": "false",  # compiling Java for every query costs more than it saves
    "spark.sql.adaptive.enabled": "false",  # re-planning after each stage, for partitions of a few KB
    # Interpret expressions rather than compile them (an internal setting, ignored if a release drops it):
    # training runs some 70 small EM queries, each with new constants, so nothing compiled is reused.
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}
SMALL_DATA_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"  # quick JIT only; one GC thread


def local_spark_session(
    *,
    cores: int = 2,
    driver_memory: str = "1g",
    scratch: str | None = None,
    small_data: bool = True,
    app_name: str = "openmarac-linkage",
) -> SparkSession:
    """Spark on this machine only: no web UI, no network beyond loopback, nothing downloaded (the similarity
    jar is a local file, and without spark.jars.packages Ivy never runs).

    One shuffle partition per core (Spark's default of 200 makes every step of a few hundred records
    schedule 200 tasks); small_data=False for a local run over hundreds of thousands of records."""
    require_java()
    from pyspark.sql import SparkSession

    scratch = scratch or tempfile.mkdtemp(prefix="openmarac-spark-")
    # Read when the JVM and the Python workers start, before any configuration: loopback only, and workers
    # running this interpreter (a system python3 of another version would refuse the driver's data).
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    java_options = f"-Dderby.system.home={os.path.join(scratch, 'derby')}"
    config = {
        **_common_config(shuffle_partitions=cores),
        "spark.default.parallelism": str(cores),
        "spark.driver.memory": driver_memory,
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.jars": similarity_jar(),
        "spark.local.dir": os.path.join(scratch, "local"),
        "spark.sql.warehouse.dir": os.path.join(scratch, "warehouse"),
        "spark.driver.extraJavaOptions": f"{java_options} {SMALL_DATA_JAVA_OPTIONS}" if small_data else java_options,
        **(SMALL_DATA_CONFIG if small_data else {}),
    }
    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    for key, value in config.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # one line per connection closed otherwise
    spark.sparkContext.setCheckpointDir(os.path.join(scratch, "checkpoints"))
    return spark


def cluster_spark_session(
    *, checkpoint_dir: str, shuffle_partitions: int, app_name: str = "openmarac-national-linkage"
) -> SparkSession:
    """The session inside a job started by spark-submit, which sets the master, executors and memory.

    The similarity jar must be passed to spark-submit (--jars), since the executors start before this code
    runs; without it Splink only warns, and the first Jaro-Winkler comparison fails much later."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    for key, value in _common_config(shuffle_partitions).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    jars = spark.conf.get("spark.jars", "") or ""
    if os.path.basename(similarity_jar()) not in jars:
        raise RuntimeError(f"Start the job with --jars {similarity_jar()} (Splink's similarity functions)")
    spark.sparkContext.setCheckpointDir(checkpoint_dir)
    return spark


def spark_db_api(spark: SparkSession, *, partitions: int | None = None) -> SparkAPI:
    """Splink's SparkAPI over a session from this module. Splink writes each large intermediate table to
    Parquet under the checkpoint directory, which keeps Spark's query plans short on big runs."""
    from splink.backends.spark import SparkAPI

    partitions = partitions or int(spark.conf.get("spark.sql.shuffle.partitions") or 200)
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=spark, break_lineage_method="parquet", num_partitions_on_repartition=partitions
    )


# --- One model, any backend ---------------------------------------------------------------------------


def model_for_dialect(model: dict[str, Any], sql_dialect: str) -> dict[str, Any]:
    """The same trained model with its SQL written for `sql_dialect` ("duckdb" or "spark").

    Every parameter (m and u of each level, the proportion of matches, OpenMARAC's own entries) is kept; only
    the SQL of levels and blocking rules is rebuilt from linkage_model.build_settings. A model whose
    comparisons or levels are not the current design is refused: it must be trained again."""
    linkage_model.splink_settings(model)  # refuses another format version
    design = linkage_model.build_settings().create_settings_dict(sql_dialect)
    rendered = copy.deepcopy(model)
    if [_shape(c) for c in rendered["comparisons"]] != [_shape(c) for c in design["comparisons"]]:
        raise ValueError("This person-matching model's comparisons are not the current design; train it again")
    for comparison, designed in zip(rendered["comparisons"], design["comparisons"], strict=True):
        for level, designed_level in zip(comparison["comparison_levels"], designed["comparison_levels"], strict=True):
            level["sql_condition"] = designed_level["sql_condition"]
    rendered["blocking_rules_to_generate_predictions"] = design["blocking_rules_to_generate_predictions"]
    rendered["sql_dialect"] = sql_dialect
    return rendered


def _shape(comparison: Mapping[str, Any]) -> tuple[str, tuple[str | None, ...]]:
    labels = tuple(level.get("label_for_charts") for level in comparison["comparison_levels"])
    return comparison["output_column_name"], labels


# --- Train, dedupe and find matches through Spark -----------------------------------------------------


def train_on_spark(
    records: Sequence[PersonRecord] | pa.Table,
    spark: SparkSession,
    *,
    seed: int = 1,
    nicknames: Mapping[str, Iterable[str]] = NICKNAMES,
) -> dict[str, Any]:
    """linkage_model.train_model through Spark; the model comes back written for DuckDB, ready for a MARAC."""
    model = linkage_model.train_model(records, db_api=spark_db_api(spark), seed=seed, nicknames=nicknames)
    return model_for_dialect(model, "duckdb")


def dedupe_on_spark(
    model: dict[str, Any],
    records: Sequence[PersonRecord],
    spark: SparkSession,
    *,
    threshold: float = 0.5,
    nicknames: Mapping[str, Iterable[str]] = NICKNAMES,
) -> list[Suggestion]:
    spark_model = model_for_dialect(model, "spark")
    return linkage_model.dedupe(
        spark_model, records, threshold=threshold, db_api=spark_db_api(spark), nicknames=nicknames
    )


def find_matches_on_spark(
    model: dict[str, Any],
    held: Sequence[PersonRecord],
    new: Sequence[PersonRecord],
    spark: SparkSession,
    *,
    threshold: float = 0.5,
    limit: int = 5,
    nicknames: Mapping[str, Iterable[str]] = NICKNAMES,
) -> list[Suggestion]:
    spark_model = model_for_dialect(model, "spark")
    return linkage_model.find_matches(
        spark_model, held, new, threshold=threshold, limit=limit, db_api=spark_db_api(spark), nicknames=nicknames
    )


# --- A national run over Parquet ----------------------------------------------------------------------


def person_token(key: bytes, person_id: str) -> str:
    """A MARAC's keyed pseudonym for one of its people: only the MARAC, holding the key, can turn it back."""
    return hmac.new(key, person_id.encode(), hashlib.sha256).hexdigest()[:32]


def national_export(
    records: Iterable[PersonRecord],
    *,
    marac_code: str,
    key: bytes,
    nicknames: Mapping[str, Iterable[str]] = NICKNAMES,
) -> pa.Table:
    """One MARAC's people as a national run reads them: the model's prepared columns, with the MARAC's own
    person ids replaced by "<MARAC code>:<token>". Write it with pyarrow.parquet.write_table."""
    if NATIONAL_ID_SEPARATOR in marac_code or not marac_code:
        raise ValueError("A MARAC code for a national run must be non-empty and contain no colon")
    table = linkage_model.prepare_table(records, nicknames)
    ids = [f"{marac_code}{NATIONAL_ID_SEPARATOR}{person_token(key, uid)}" for uid in table["unique_id"].to_pylist()]
    return table.set_column(0, "unique_id", pa.array(ids, pa.string()))


@dataclass(frozen=True)
class PossibleMatch:
    """What goes back to a MARAC: one of its own people, and another MARAC that may hold them too."""

    token: str
    other_marac: str
    pair_reference: str
    probability: float


def score_national(
    model: dict[str, Any], spark: SparkSession, exports: str | Sequence[str], *, threshold: float = 0.9
) -> DataFrame:
    """Score every blocked pair of the MARACs' exports and keep pairs across two MARACs above the threshold.

    Columns: marac_l, token_l, marac_r, token_r, pair_reference, match_probability. Pairs within one MARAC
    are that MARAC's own business (its own duplicate checks) and are dropped. The exports are read by the
    driver (linkage_model.score_within takes a pyarrow table, and counts names for the term frequencies in
    Python); the blocking, comparing and scoring run on the executors."""
    import pyarrow.dataset as ds  # type: ignore[import-untyped]
    from pyspark.sql import functions as sql

    people = ds.dataset([exports] if isinstance(exports, str) else list(exports), format="parquet").to_table()
    spark_model = model_for_dialect(model, "spark")
    scored = linkage_model.score_within(spark_model, people, threshold=threshold, db_api=spark_db_api(spark))
    left = sql.split(sql.col("unique_id_l"), NATIONAL_ID_SEPARATOR)
    right = sql.split(sql.col("unique_id_r"), NATIONAL_ID_SEPARATOR)
    pairs = (
        scored.as_spark_dataframe()
        .select(
            left.getItem(0).alias("marac_l"),
            left.getItem(1).alias("token_l"),
            right.getItem(0).alias("marac_r"),
            right.getItem(1).alias("token_r"),
            "match_probability",
        )
        .where(sql.col("marac_l") != sql.col("marac_r"))
    )
    # A reference both coordinators can quote to each other, naming neither person.
    both = sql.concat_ws("|", sql.least("token_l", "token_r"), sql.greatest("token_l", "token_r"))
    return pairs.withColumn("pair_reference", sql.substring(sql.sha2(both, 256), 1, 16))


def write_returns(pairs: DataFrame, out_dir: str) -> None:
    """One folder per MARAC (out_dir/marac=<code>/), each holding only that MARAC's own tokens, the other
    MARAC's code, the pair reference and the probability: never the other MARAC's person."""
    from pyspark.sql import functions as sql

    def side(mine: str, other: str) -> DataFrame:
        return pairs.select(
            sql.col(f"marac_{mine}").alias("marac"),
            sql.col(f"token_{mine}").alias("token"),
            sql.col(f"marac_{other}").alias("other_marac"),
            "pair_reference",
            "match_probability",
        )

    side("l", "r").unionByName(side("r", "l")).write.mode("overwrite").partitionBy("marac").parquet(out_dir)


def read_returns(path: str, *, marac_code: str) -> list[PossibleMatch]:
    """A MARAC's return, read without Spark (pyarrow): its tokens with the other MARACs that may hold them."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    table = pq.read_table(os.path.join(path, f"marac={marac_code}"))
    return sorted(
        (
            PossibleMatch(row["token"], row["other_marac"], row["pair_reference"], float(row["match_probability"]))
            for row in table.to_pylist()
        ),
        key=lambda match: (match.token, -match.probability, match.other_marac),
    )
