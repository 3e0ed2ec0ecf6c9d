from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from splink import DuckDBAPI

from people.linkage_model import (
    LINK_THRESHOLD,
    MODEL_FORMAT_VERSION,
    PersonRecord,
    dedupe,
    find_matches,
    judged_same_person,
    name_roots,
    prepare_table,
    score_within,
    soundex,
    splink_settings,
    train_model,
)

HELD = [
    PersonRecord("p1", "Fictoria", "Fakesby", (), date(1985, 3, 7), "female", ("NB1 2AB",)),
    PersonRecord("p2", "Imagina", "Testworth", (("Imagina", "Mockridge"),), date(1990, 11, 2), "female", ("NB2 3CD",)),
    PersonRecord("p3", "Fictor", "Madeupson", (), date(1979, 5, 30), "male", ("EV1 1AA",)),
    PersonRecord("p4", "Pretendra", "Notrealton", (), date(1960, 1, 20), "female", ("EV9 9ZZ",)),
    PersonRecord("p5", "Mockwell", "Samplewood", (), date(1972, 8, 14), "male", ("NB4 5GH", "NB3 1JL")),
    PersonRecord("p6", "Fictorine", "Fibbington", (), date(2001, 6, 9), "female", ()),
]
FICTIONAL_SHORT_FORMS = {"fics": ("fictorine",)}


@pytest.fixture(scope="module")
def model():
    return train_model(HELD, nicknames=FICTIONAL_SHORT_FORMS)


def best_match(model, person, held=HELD):
    suggestions = find_matches(model, held, [person], threshold=0.0001, nicknames=FICTIONAL_SHORT_FORMS)
    return suggestions[0] if suggestions else None


def words(suggestion, field):
    return next(comparison for comparison in suggestion.comparisons if comparison.field == field)


def test_it_finds_a_misspelt_family_name_with_the_same_date_of_birth(model):
    match = best_match(model, PersonRecord("new:victim", "Fictoria", "Fakesbey", (), date(1985, 3, 7), "female"))
    assert match.held_id == "p1" and match.probability > 0.9
    assert (
        words(match, "Name").words
        == "Given name the same (Fictoria); family name spelt nearly the same (Fakesbey, Fakesby)"
    )
    assert words(match, "Date of birth").words == "Same date of birth (07/03/1985)"


def test_it_finds_a_date_of_birth_with_day_and_month_swapped(model):
    match = best_match(model, PersonRecord("new:victim", "Fictor", "Madeupson", (), date(1979, 5, 30), "male"))
    assert match.held_id == "p3"
    swapped = best_match(model, PersonRecord("new:victim", "Fictoria", "Fakesby", (), date(1985, 7, 3), "female"))
    assert swapped.held_id == "p1" and swapped.probability > 0.9
    assert words(swapped, "Date of birth").words == "Day and month swapped (03/07/1985, 07/03/1985)"
    assert words(swapped, "Date of birth").agreed is True


def test_it_finds_a_known_short_form_of_a_given_name(model):
    match = best_match(model, PersonRecord("new:victim", "Fics", "Fibbington", (), date(2001, 6, 9), "female"))
    assert match.held_id == "p6" and match.probability > 0.9
    assert words(match, "Name").words.startswith("Given name is a known short form (Fics, Fictorine)")


def test_it_finds_a_new_family_name_through_another_name_held(model):
    match = best_match(
        model, PersonRecord("new:victim", "Imagina", "Mockridge", (), date(1990, 11, 2), "female", ("NB2 3CD",))
    )
    assert match.held_id == "p2" and match.probability > 0.9
    assert words(match, "Other names").words == "A name recorded as another name matches (Imagina Mockridge)"
    assert words(match, "Postcode").words == "Same current postcode (NB2 3CD)"


def test_it_finds_someone_who_has_moved_by_their_postcode_history(model):
    match = best_match(
        model, PersonRecord("new:perp", "Mockwell", "Samplewood", (), date(1972, 8, 14), "male", ("NB3 1JL",))
    )
    assert match.held_id == "p5"
    assert words(match, "Postcode").words == "A current or past postcode is shared (NB3 1JL)"


def test_it_does_not_suggest_a_different_person_with_the_same_name(model):
    namesake = PersonRecord("new:victim", "Fictoria", "Fakesby", (), date(1962, 10, 28), "female", ("EV5 2QQ",))
    match = best_match(model, namesake)
    assert match is None or match.probability < 0.5
    assert find_matches(model, HELD, [namesake]) == []


def test_it_says_which_fields_are_missing(model):
    match = best_match(model, PersonRecord("new:victim", "Fictoria", "Fakesby", (), None, "not_known"))
    assert words(match, "Date of birth").agreed is None
    assert words(match, "Date of birth").words == "Date of birth missing on one record"
    assert words(match, "Gender").words == "Gender not known on one record"
    assert words(match, "Postcode").words == "No postcode on one record"


def test_it_ranks_each_new_person_best_first_and_keeps_to_the_limit(model):
    held = [*HELD, PersonRecord("p7", "Fictoria", "Fakesbie", (), date(1985, 3, 7), "female", ("NB1 2AB",))]
    new = [
        PersonRecord("new:perp", "Fictor", "Madeupson", (), date(1979, 5, 30), "male"),
        PersonRecord("new:victim", "Fictoria", "Fakesby", (), date(1985, 3, 7), "female", ("NB1 2AB",)),
    ]
    suggestions = find_matches(model, held, new, threshold=0.01, limit=1)
    assert [(s.new_id, s.held_id) for s in suggestions] == [("new:perp", "p3"), ("new:victim", "p1")]


def test_it_finds_duplicates_among_held_records(model):
    duplicate = PersonRecord("p9", "Pretendra", "Notrelton", (), date(1960, 1, 20), "female", ("EV9 9ZZ",))
    found = dedupe(model, [*HELD, duplicate])
    assert [(s.new_id, s.held_id) for s in found] == [("p9", "p4")]


def test_the_model_is_versioned_and_readable_by_splink(model):
    assert model["openmarac"] == {"format_version": MODEL_FORMAT_VERSION}
    assert "openmarac" not in splink_settings(model)
    with pytest.raises(ValueError, match="train it again"):
        splink_settings({**model, "openmarac": {"format_version": 0}})


def test_training_on_a_handful_of_people_falls_back_to_the_priors():
    tiny = train_model(HELD[:1])
    levels = [level for comparison in tiny["comparisons"] for level in comparison["comparison_levels"]]
    assert all(0 < level["m_probability"] <= 1 for level in levels if not level.get("is_null_level"))
    assert best_match(tiny, HELD[0]).held_id == "p1"


def test_training_on_a_few_hundred_people_estimates_parameters():
    people = [
        PersonRecord(
            f"p{i}",
            f"Fict{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}",
            f"Mock{i % 37}by",
            (),
            date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
        )
        for i in range(400)
    ]
    people += [
        PersonRecord(f"d{i}", p.given_name, p.family_name + "e", (), p.date_of_birth) for i, p in enumerate(people[:60])
    ]
    trained = train_model(people)
    assert 0 < trained["probability_two_random_records_match"] < 0.01


def test_soundex_and_short_forms():
    assert soundex("Fakesby") == soundex("Fakesbey") == "F221"
    assert soundex("!!") is None
    assert name_roots("bob") == ["bob", "robert"]


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10).map(str.title)
people = st.builds(
    PersonRecord,
    unique_id=st.just("new:victim"),
    given_name=names,
    family_name=names,
    other_names=st.just(()),
    date_of_birth=st.dates(date(1930, 1, 1), date(2010, 12, 31)),
    gender=st.sampled_from(["female", "male", "not_known"]),
    postcodes=st.lists(st.from_regex(r"NB[1-9] [1-9][A-Z]{2}", fullmatch=True), max_size=2).map(tuple),
)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(person=people)
def test_a_person_always_matches_an_identical_copy_of_themselves(model, person):
    copy = PersonRecord(
        "p-copy",
        *[
            getattr(person, field)
            for field in ("given_name", "family_name", "other_names", "date_of_birth", "gender", "postcodes")
        ],
    )
    match = best_match(model, person, [*HELD, copy])
    assert match.held_id == "p-copy" and match.probability > 0.99


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(person=people)
def test_probabilities_are_between_nought_and_one(model, person):
    for suggestion in find_matches(model, HELD, [person], threshold=0.0):
        assert 0.0 <= suggestion.probability <= 1.0


def test_records_joined_through_strong_links_are_judged_the_same_person_though_they_share_little(model):
    # One person recorded three times: the first and last records share only a given name and a misspelt
    # family name, but each is strongly linked to the middle one (date of birth on one side, postcode on the
    # other), so all three are the same person.
    first = PersonRecord("a", "Fictoria", "Fakesby", (), date(1985, 3, 7), "female", ())
    middle = PersonRecord("b", "Fictoria", "Fakesby", (), date(1985, 3, 7), "female", ("NB7 4QQ",))
    last = PersonRecord("c", "Fictoria", "Faksbey", (), None, "female", ("NB7 4QQ",))
    db_api = DuckDBAPI()
    records = [*HELD[1:], first, middle, last]
    scored = score_within(model, prepare_table(records, FICTIONAL_SHORT_FORMS), threshold=0.0, db_api=db_api)
    score = {
        tuple(sorted(pair[:2])): pair[2]
        for pair in db_api._con.sql(
            f"select unique_id_l, unique_id_r, match_probability from {scored.physical_name}"  # noqa: S608
        ).fetchall()
    }
    assert score[("a", "b")] >= LINK_THRESHOLD and score[("b", "c")] >= LINK_THRESHOLD
    assert score.get(("a", "c"), 0.0) < 0.5  # alone, the first and last records are not judged the same

    same = judged_same_person(scored, db_api, threshold=0.5)
    rows = db_api._con.sql(f"select unique_id_l, unique_id_r from {same}").fetchall()  # noqa: S608
    pairs = {tuple(row) for row in rows}
    assert {("a", "b"), ("b", "c"), ("a", "c")} <= pairs
    assert all(pair in {("a", "b"), ("b", "c"), ("a", "c")} for pair in pairs)  # nobody else joined them
