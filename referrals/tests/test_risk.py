"""The DASH risk checklist: scoring, and which checklist applies to a victim's age (DOMAIN.md step 1)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from referrals.errors import RuleInputError
from referrals.risk import (
    DASH_RIC,
    YOUNG_PEOPLES_DASH,
    Answer,
    ChecklistVersion,
    age_on,
    checklist_for_victim,
    score_checklist,
)

REFERRAL_DATE = date(2027, 3, 5)


def answered(yes: range | list[int] = range(0), not_known: range | list[int] = range(0)) -> dict[int, str]:
    return {
        number: Answer.YES if number in yes else Answer.NOT_KNOWN if number in not_known else Answer.NO
        for number in range(1, 25)
    }


# --- Scoring -------------------------------------------------------------------------------------------------------


def test_it_scores_the_number_of_yes_answers():
    """BD Criteria for Referral: referrals "should identify the assessed level of risk (number of ticks)"."""
    score = score_checklist(answered(yes=range(1, 15), not_known=range(15, 20)))
    assert score.score == 14
    assert score.yes_questions == tuple(range(1, 15))
    assert score.not_known_questions == tuple(range(15, 20))
    assert score.version == DASH_RIC


def test_it_does_not_count_not_known_as_yes():
    assert score_checklist(answered(not_known=range(1, 25))).score == 0


def test_it_accepts_the_answers_as_plain_strings():
    assert score_checklist({number: "yes" for number in range(1, 25)}).score == 24


def test_it_refuses_a_checklist_with_unanswered_questions():
    answers = answered(yes=[1, 2])
    del answers[23], answers[24]
    with pytest.raises(RuleInputError) as raised:
        score_checklist(answers)
    assert raised.value.problems == (
        "Every question on the DASH risk indicator checklist needs an answer (yes, no or not known); "
        "questions 23 and 24 have none.",
    )


def test_it_refuses_an_answer_that_is_not_yes_no_or_not_known():
    answers = {**answered(), 4: "maybe", 9: "Yes"}
    with pytest.raises(RuleInputError) as raised:
        score_checklist(answers)
    assert raised.value.problems == (
        "Question 4's answer 'maybe' is not one of 'yes', 'no', 'not_known'.",
        "Question 9's answer 'Yes' is not one of 'yes', 'no', 'not_known'.",
    )


def test_it_refuses_a_question_the_checklist_does_not_have():
    with pytest.raises(RuleInputError, match="has questions 1 to 24; there is no question 25"):
        score_checklist({**answered(), 25: Answer.YES})


def test_it_scores_a_checklist_version_of_any_length():
    short = ChecklistVersion("pilot", "pilot checklist", 3)
    assert score_checklist({1: "yes", 2: "no", 3: "yes"}, short).score == 2


@hypothesis_settings(max_examples=80)
@given(st.lists(st.sampled_from(Answer), min_size=24, max_size=24))
def test_it_scores_exactly_the_number_of_yes_answers(answers):
    score = score_checklist(dict(enumerate(answers, start=1)))
    assert score.score == answers.count(Answer.YES) == len(score.yes_questions)
    assert 0 <= score.score <= DASH_RIC.question_count


@hypothesis_settings(max_examples=40)
@given(st.dictionaries(st.integers(1, 24), st.sampled_from(Answer), max_size=23))
def test_it_refuses_every_incomplete_checklist(answers):
    with pytest.raises(RuleInputError, match="needs an answer"):
        score_checklist(answers)


# --- Which checklist for which age ---------------------------------------------------------------------------------


def test_it_refuses_a_victim_under_16_and_points_to_child_safeguarding():
    """BED 1: domestic abuse is "between those aged 16 or over"."""
    choice = checklist_for_victim(date(2011, 3, 6), REFERRAL_DATE)
    assert not choice.accepted
    assert choice.age == 15
    assert choice.reason == (
        "The victim is 15. MARAC takes victims aged 16 and over: for a child under 16, follow your child "
        "safeguarding procedures and refer to children's social care now."
    )


def test_it_uses_the_young_peoples_checklist_from_the_16th_birthday():
    """CAM 4.3: "the legal definition of domestic abuse includes 16 and 17 year olds in abusive relationships";
    LSCB: "Number of agencies using the Young People's DASH Risk Assessment Checklist"."""
    choice = checklist_for_victim(date(2011, 3, 5), REFERRAL_DATE)
    assert choice.checklist == YOUNG_PEOPLES_DASH
    assert choice.age == 16
    assert "Children Act 1989" in choice.reason


def test_it_uses_the_young_peoples_checklist_the_day_before_the_18th_birthday():
    assert checklist_for_victim(date(2009, 3, 6), REFERRAL_DATE).checklist == YOUNG_PEOPLES_DASH


def test_it_uses_the_adult_checklist_from_the_18th_birthday():
    choice = checklist_for_victim(date(2009, 3, 5), REFERRAL_DATE)
    assert choice.checklist == DASH_RIC
    assert choice.reason == "The victim is 18: use the DASH risk indicator checklist."


def test_it_ages_a_leap_day_birthday_on_the_first_of_march():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_it_refuses_a_date_of_birth_after_the_referral():
    with pytest.raises(RuleInputError, match="after Friday 5 March 2027"):
        checklist_for_victim(date(2027, 3, 6), REFERRAL_DATE)


@hypothesis_settings(max_examples=80)
@given(st.dates(date(1930, 1, 1), REFERRAL_DATE))
def test_it_chooses_by_age_band(date_of_birth):
    choice = checklist_for_victim(date_of_birth, REFERRAL_DATE)
    expected = None if choice.age < 16 else YOUNG_PEOPLES_DASH if choice.age < 18 else DASH_RIC
    assert choice.checklist == expected
    assert choice.age == age_on(date_of_birth, REFERRAL_DATE)
