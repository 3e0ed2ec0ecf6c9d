from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from people.matching import PersonKey, match_reason, normalise_name


def test_it_matches_the_same_name_and_date_of_birth_exactly():
    key = PersonKey("Fictiona", "Testworth", date(1991, 4, 3))
    assert match_reason(key, key).strength == 3


def test_it_matches_names_that_differ_only_in_spelling_marks():
    on_referral = PersonKey("Zoë", "O'Madeup-Smith", date(1991, 4, 3))
    held = PersonKey("zoe", "Omadeup Smith", date(1991, 4, 3))
    assert match_reason(on_referral, held).words.startswith("Same name once spelling")


def test_it_matches_a_date_of_birth_with_day_and_month_swapped():
    reason = match_reason(
        PersonKey("Fictiona", "Testworth", date(1991, 4, 3)), PersonKey("Fictiona", "Testworth", date(1991, 3, 4))
    )
    assert reason is not None and "swapped" in reason.words


def test_it_does_not_match_a_different_person():
    assert (
        match_reason(
            PersonKey("Fictiona", "Testworth", date(1991, 4, 3)), PersonKey("Inventa", "Madeupson", date(1991, 4, 3))
        )
        is None
    )


def test_it_does_not_match_without_a_date_of_birth():
    assert (
        match_reason(PersonKey("Fictiona", "Testworth", None), PersonKey("Fictiona", "Testworth", date(1991, 4, 3)))
        is None
    )


@given(st.text())
def test_normalising_twice_changes_nothing(name):
    assert normalise_name(normalise_name(name)) == normalise_name(name)
