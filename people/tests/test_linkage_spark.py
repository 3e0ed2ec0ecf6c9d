"""The person-matching model on Spark (local mode) gives what it gives on DuckDB, and a national run returns
to each MARAC only its own people. Needs Java 17: without it every test here fails, saying so.

One Spark session serves the module; Spark's cost is per query, not per record, so the data stay small."""

import copy

import pyarrow.parquet as pq
import pytest

from bench.linkage.generate import as_person_record, nickname_table, records
from people import linkage_spark
from people.linkage_model import PersonRecord, dedupe, find_matches, train_model

TOLERANCE = 1e-6


def people(size: int, seed: int) -> tuple[list[PersonRecord], dict[str, int]]:
    """Obviously fictional people (bench/linkage/generate.py), and which true person each record is."""
    rows = list(records(size, seed))
    as_records = [as_person_record(row) for row in rows]
    return as_records, {row["unique_id"]: row["cluster"] for row in rows}


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    session = linkage_spark.local_spark_session(scratch=str(tmp_path_factory.mktemp("spark")))
    yield session
    session.stop()


@pytest.fixture(scope="module")
def data():
    return people(320, seed=3)


@pytest.fixture(scope="module")
def duckdb_model(data):
    return train_model(data[0], nicknames=nickname_table())


def by_pair(suggestions):
    return {(suggestion.new_id, suggestion.held_id): suggestion for suggestion in suggestions}


def assert_same_suggestions(on_duckdb, on_spark):
    assert on_duckdb, "the data should hold some likely matches"
    assert list(by_pair(on_spark)) == list(by_pair(on_duckdb))
    for duck, spark in zip(on_duckdb, on_spark, strict=True):
        assert spark.probability == pytest.approx(duck.probability, abs=TOLERANCE)
        assert spark.comparisons == duck.comparisons  # the same level of every field, so the same words


def test_it_gives_the_same_duplicates_on_spark_as_on_duckdb(spark, data, duckdb_model):
    held, _ = data
    on_duckdb = dedupe(duckdb_model, held, threshold=0.5, nicknames=nickname_table())
    on_spark = linkage_spark.dedupe_on_spark(duckdb_model, held, spark, threshold=0.5, nicknames=nickname_table())
    assert_same_suggestions(on_duckdb, on_spark)


def test_it_gives_the_same_ranked_matches_for_a_new_referral_on_spark(spark, data, duckdb_model):
    held, new = data[0][:-40], data[0][-40:]
    on_duckdb = find_matches(duckdb_model, held, new, threshold=0.3, nicknames=nickname_table())
    on_spark = linkage_spark.find_matches_on_spark(
        duckdb_model, held, new, spark, threshold=0.3, nicknames=nickname_table()
    )
    assert_same_suggestions(on_duckdb, on_spark)


def test_it_refuses_a_model_of_another_design(duckdb_model):
    model = copy.deepcopy(duckdb_model)
    model["comparisons"] = model["comparisons"][:-1]
    with pytest.raises(ValueError, match="train it again"):
        linkage_spark.model_for_dialect(model, "spark")


def true_pairs(truth, suggestions):
    return sum(truth[suggestion.new_id] == truth[suggestion.held_id] for suggestion in suggestions)


def test_a_model_trained_on_spark_finds_the_true_pairs_as_one_trained_on_duckdb_does(spark, data, duckdb_model):
    held, truth = data
    spark_model = linkage_spark.train_on_spark(held, spark, nicknames=nickname_table())
    assert spark_model["sql_dialect"] == "duckdb"  # ready for a MARAC's own matching
    # Trained on Spark, used on DuckDB as a MARAC would: as good as the model trained on DuckDB.
    found = dedupe(spark_model, held, threshold=0.5, nicknames=nickname_table())
    baseline = dedupe(duckdb_model, held, threshold=0.5, nicknames=nickname_table())
    assert true_pairs(truth, found) / len(found) >= 0.95
    assert true_pairs(truth, found) >= 0.95 * true_pairs(truth, baseline)


def test_a_national_run_returns_to_each_marac_only_its_own_people(spark, data, duckdb_model, tmp_path):
    held, _ = data
    keys = {"NB": b"fictional key of NB", "EV": b"fictional key of EV"}
    at = {"NB": held[0::2], "EV": held[1::2]}  # so that many people are held at both
    exports = []
    for code, marac_people in at.items():
        path = str(tmp_path / f"{code}.parquet")
        export = linkage_spark.national_export(
            marac_people, marac_code=code, key=keys[code], nicknames=nickname_table()
        )
        pq.write_table(export, path)
        exports.append(path)

    pairs = linkage_spark.score_national(duckdb_model, spark, exports, threshold=0.9)
    linkage_spark.write_returns(pairs, str(tmp_path / "returns"))
    returns = {code: linkage_spark.read_returns(str(tmp_path / "returns"), marac_code=code) for code in at}

    # Each MARAC turns its own tokens back into its own people; the pair reference joins the two halves.
    halves: dict[str, set[str]] = {}
    for code in at:
        own_people = {linkage_spark.person_token(keys[code], person.unique_id): person.unique_id for person in at[code]}
        for match in returns[code]:
            halves.setdefault(match.pair_reference, set()).add(own_people[match.token])
    # What DuckDB finds across the two MARACs when it sees everyone (which no one does in real life).
    marac_of = {person.unique_id: code for code in at for person in at[code]}
    expected = {
        frozenset((suggestion.new_id, suggestion.held_id))
        for suggestion in dedupe(duckdb_model, held, threshold=0.9, nicknames=nickname_table())
        if marac_of[suggestion.new_id] != marac_of[suggestion.held_id]
    }
    assert expected
    assert {frozenset(pair) for pair in halves.values()} == expected
    for code, other in (("NB", "EV"), ("EV", "NB")):
        assert {match.other_marac for match in returns[code]} == {other}
        columns = pq.read_table(str(tmp_path / "returns" / f"marac={code}")).column_names
        assert sorted(columns) == ["match_probability", "other_marac", "pair_reference", "token"]


def test_it_says_clearly_when_java_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java-here"))
    with pytest.raises(linkage_spark.JavaMissingError, match="needs Java 17"):
        linkage_spark.require_java()
