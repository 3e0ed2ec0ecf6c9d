"""Training on a MARAC where twins are common: twins are not one person recorded twice, and one person recorded
twice is still found.

EM, which learns how often the same person's records agree, cannot tell twins (everything shared but the given
name) from one person recorded twice; on data full of twins it learnt that the same person's given names differ
nine times in ten, and duplicates with the same name and date of birth were missed.

Families of the demo's invented names (demo/fictional.py), each at an address of its own: a mother, a father with
a family name of his own and often no date of birth, and children, many of them twins (one family name, date
of birth and postcode, given names that differ completely). Some people are recorded twice, as another agency
might type them again: the same given name and date of birth, and now and then a slip in the family name or
the postcode, a new address after a move, no postcode or the gender not known."""

import logging
import math
import random
from dataclasses import dataclass, replace
from datetime import date
from itertools import combinations
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo import fictional
from people import linkage_model
from people.linkage import DUPLICATE_THRESHOLD
from people.linkage_model import (
    EXACT_RULES_LEAST_RECALL,
    EXACT_RULES_RECALL,
    PersonRecord,
    dedupe,
    find_matches,
    plausible_proportion_of_matches,
    train_model,
)


def _completely_different(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """Pairs of names not even spelt similarly (Jaro-Winkler below 0.8, the model's "similar" level, worked out
    by the DuckDB function the model uses): given names no rule lets through as one person's."""
    connection = duckdb.connect()
    similarity = "select jaro_winkler_similarity(lower(?), lower(?))"
    return [(a, b) for a, b in combinations(names, 2) if connection.execute(similarity, [a, b]).fetchall()[0][0] < 0.8]


TWIN_NAMES = _completely_different(fictional.CHILD_GIVEN_NAMES)


@dataclass(frozen=True)
class TwinHeavyMarac:
    records: list[PersonRecord]
    duplicates: set[frozenset[str]]  # the same person recorded twice
    twins: set[frozenset[str]]  # two people


def _postcode(rng: random.Random) -> str:
    return f"Q{rng.randint(1, 99)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"


def _slip_in_postcode(rng: random.Random, postcode: str) -> str:
    """The last letter typed wrong: same sector, not the same postcode."""
    return postcode[:-1] + rng.choice([letter for letter in "LNPQRSTU" if letter != postcode[-1]])


def _family(rng: random.Random, number: int, twin_share: float) -> tuple[list[PersonRecord], set[frozenset[str]]]:
    family, home = rng.choice(fictional.FAMILY_NAMES), (_postcode(rng),)
    mother_born = date(rng.randint(1975, 1995), rng.randint(1, 12), rng.randint(1, 28))
    people = [
        PersonRecord(f"f{number}m", rng.choice(fictional.FEMALE_GIVEN_NAMES), family, (), mother_born, "female", home),
        PersonRecord(
            f"f{number}p",
            rng.choice(fictional.MALE_GIVEN_NAMES),
            rng.choice(fictional.FAMILY_NAMES),
            (),
            None if rng.random() < 0.5 else date(rng.randint(1970, 1995), rng.randint(1, 12), rng.randint(1, 28)),
            "male",
            home if rng.random() < 0.5 else (),
        ),
    ]
    twins = set()
    names = rng.sample(TWIN_NAMES, 2)
    while set(names[0]) & set(names[1]):  # brothers and sisters never share a given name
        names = rng.sample(TWIN_NAMES, 2)
    for child in range(rng.randint(0, 2)):
        born = date(rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28))
        first, second = names[child]
        gender = rng.choice(("female", "male"))
        people.append(PersonRecord(f"f{number}c{child}", first, family, (), born, gender, home))
        if rng.random() < twin_share:
            twin_gender = gender if rng.random() < 0.7 else rng.choice(("female", "male"))
            people.append(PersonRecord(f"f{number}t{child}", second, family, (), born, twin_gender, home))
            twins.add(frozenset((f"f{number}c{child}", f"f{number}t{child}")))
    return people, twins


def _recorded_again(rng: random.Random, person: PersonRecord) -> PersonRecord:
    again = replace(person, unique_id=f"{person.unique_id}x")
    slip = rng.random()
    if slip < 0.2:
        again = replace(again, family_name=fictional.mistyped(rng, person.family_name))
    elif slip < 0.4 and person.postcodes:
        again = replace(again, postcodes=(_slip_in_postcode(rng, person.postcodes[0]),))
    elif slip < 0.6:
        again = replace(again, postcodes=(_postcode(rng),))  # moved away
    elif slip < 0.7:
        again = replace(again, postcodes=())
    elif slip < 0.8:
        again = replace(again, gender="not_known")
    return again


def twin_heavy_marac(*, families: int, twin_share: float, recorded_twice: int, seed: int) -> TwinHeavyMarac:
    """`families` households, each child with a twin at `twin_share`, and `recorded_twice` people (with a date of
    birth) recorded a second time."""
    rng = random.Random(seed)
    records: list[PersonRecord] = []
    twins: set[frozenset[str]] = set()
    for number in range(families):
        people, pairs = _family(rng, number, twin_share)
        records += people
        twins |= pairs
    again = rng.sample([person for person in records if person.date_of_birth], recorded_twice)
    records += [_recorded_again(rng, person) for person in again]
    return TwinHeavyMarac(records, {frozenset((p.unique_id, f"{p.unique_id}x")) for p in again}, twins)


# 150 families, every child a twin (167 pairs of twins), 12 people recorded twice: 646 records.
MARAC = twin_heavy_marac(families=150, twin_share=1.0, recorded_twice=12, seed=1)


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    return train_model(MARAC.records)


def duplicates_found(model: dict[str, Any], records: list[PersonRecord]) -> set[frozenset[str]]:
    return {frozenset((s.new_id, s.held_id)) for s in dedupe(model, records, threshold=DUPLICATE_THRESHOLD)}


def test_it_finds_everyone_recorded_twice_on_a_marac_full_of_twins_and_no_twins(model: dict[str, Any]) -> None:
    found = duplicates_found(model, MARAC.records)
    assert not found & MARAC.twins
    assert found == MARAC.duplicates  # every duplicate (one had moved, scored 0.66 when EM took twins for matches)


def test_training_on_twins_leaves_an_exact_given_name_strong_evidence(model: dict[str, Any]) -> None:
    given_name = next(c for c in model["comparisons"] if c["output_column_name"] == "given_name")
    m = {
        level["label_for_charts"]: level["m_probability"]
        for level in given_name["comparison_levels"]
        if not level.get("is_null_level")
    }
    assert m["exact"] >= 0.7  # EM on these records alone gave 0.07
    assert m["different"] <= 0.01  # and 0.93


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.sampled_from(TWIN_NAMES),
    family=st.sampled_from(fictional.FAMILY_NAMES),
    born=st.dates(min_value=date(2005, 1, 1), max_value=date(2024, 12, 31)),
    gender=st.sampled_from(["female", "male"]),
    moved=st.booleans(),
)
def test_a_twin_on_a_referral_is_matched_to_themselves_and_never_to_their_twin(
    model: dict[str, Any], names: tuple[str, str], family: str, born: date, gender: str, moved: bool
) -> None:
    home = ("Q12 3AB",)
    twin = PersonRecord("t1", names[0], family, (), born, gender, home)
    other_twin = PersonRecord("t2", names[1], family, (), born, gender, home)
    referred = PersonRecord("new:child", names[0], family, (), born, gender, ("Q57 8XY",) if moved else home)
    found = find_matches(model, [twin, other_twin, *MARAC.records[:60]], [referred], threshold=0.01)
    assert [s.held_id for s in found] == ["t1"]
    assert found[0].probability >= DUPLICATE_THRESHOLD


def test_em_proportion_of_matches_is_kept_only_while_it_agrees_roughly_with_the_exact_rules() -> None:
    assert plausible_proportion_of_matches(1.54e-6, 1.10e-6) == 1.54e-6  # the 1,000,000-record bench
    assert plausible_proportion_of_matches(1.22e-4, 2.68e-6) == 2.68e-6  # 10,172 records, 2,305 pairs of twins
    assert plausible_proportion_of_matches(math.nan, 2.68e-6) == 2.68e-6


@given(
    from_em=st.floats(min_value=0, max_value=1, allow_subnormal=False),
    from_exact_rules=st.floats(min_value=1e-12, max_value=1, allow_subnormal=False),
)
def test_the_proportion_of_matches_kept_is_never_far_above_the_exact_rules(
    from_em: float, from_exact_rules: float
) -> None:
    kept = plausible_proportion_of_matches(from_em, from_exact_rules)
    assert kept in (from_em, from_exact_rules)
    assert kept <= from_exact_rules * EXACT_RULES_RECALL / EXACT_RULES_LEAST_RECALL


def test_a_large_marac_full_of_twins_keeps_the_exact_rules_proportion_of_matches_and_logs_no_names(
    model: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # As if these 646 records were the 10,000 from which EM's estimate replaces the exact rules'.
    monkeypatch.setattr(linkage_model, "EM_PRIOR_MIN_RECORDS", len(MARAC.records))
    with caplog.at_level(logging.WARNING, logger="people.linkage_model"):
        large = train_model(MARAC.records)
    assert large["probability_two_random_records_match"] == model["probability_two_random_records_match"]
    (warning,) = [r.getMessage() for r in caplog.records if "proportion of matches" in r.getMessage()]
    names = {name for record in MARAC.records for name in (record.given_name, record.family_name)}
    assert not any(name in warning for name in names)
    assert duplicates_found(large, MARAC.records) == MARAC.duplicates
