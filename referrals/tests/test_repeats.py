"""Repeat referrals and repeat discussions (DOMAIN.md step 5; BD Repeat Referrals)."""

from datetime import date

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from marac.models import Marac
from marac.models import RepeatDefinition as ModelRepeatDefinition
from referrals.repeats import (
    Discussion,
    NewReferral,
    PreviousHearing,
    RepeatDefinition,
    RepeatIncident,
    count_repeat_discussions,
    decide_repeat,
    is_repeat,
    repeat_definition_from_marac,
    repeat_discussions,
)

NORTHBROOK, SOUTHMERE = 1, 2
VICTIM, OTHER_VICTIM = 10, 11
PERPETRATOR, SECOND_PERPETRATOR, OTHER_PERPETRATOR = 20, 21, 22
TOOLKIT, SAFELIVES = RepeatDefinition.TOOLKIT, RepeatDefinition.SAFELIVES

REFERRAL = NewReferral(NORTHBROOK, date(2027, 3, 5), VICTIM, frozenset({PERPETRATOR}))


def hearing(
    heard_on: date = date(2026, 11, 10),
    *,
    marac: int = NORTHBROOK,
    victim: int = VICTIM,
    perpetrators: frozenset[int] = frozenset({PERPETRATOR}),
    information_only: bool = False,
) -> PreviousHearing:
    return PreviousHearing(marac, heard_on, victim, perpetrators, information_only)


# --- Repeats -------------------------------------------------------------------------------------------------------


def test_it_finds_a_repeat_heard_at_the_same_marac_within_twelve_months():
    """BD Repeat Referrals: "A repeat case occurs when a case that is referred to MARAC has also been discussed at the
    same MARAC within the preceding 12 months.\""""
    decision = decide_repeat(REFERRAL, [hearing()], TOOLKIT)
    assert decision.repeat
    assert decision.matched_hearing == hearing()
    assert decision.reason == (
        "A repeat: this MARAC heard this victim with the same perpetrator on Tuesday 10 November 2026, within the "
        "12 months before this referral."
    )


def test_it_finds_a_repeat_with_any_one_of_several_perpetrators():
    """BD Repeat Referrals: "It is possible for a case to go to MARAC where there is more than one perpetrator. This is
    counted as one case and will be reviewed if there are any incidents with any of the named perpetrators.\""""
    previous = hearing(perpetrators=frozenset({PERPETRATOR, SECOND_PERPETRATOR}))
    referral = NewReferral(NORTHBROOK, date(2027, 3, 5), VICTIM, frozenset({SECOND_PERPETRATOR}))
    assert is_repeat(referral, [previous], TOOLKIT)


def test_it_does_not_count_a_different_perpetrator():
    """BD Repeat Referrals, not a repeat: "the same victim but a different perpetrator or group of perpetrators"."""
    decision = decide_repeat(REFERRAL, [hearing(perpetrators=frozenset({OTHER_PERPETRATOR}))], SAFELIVES)
    assert not decision.repeat
    assert decision.checks[0].reason == "The same victim, but a different perpetrator or group of perpetrators."


def test_it_does_not_count_a_different_victim():
    """BD Repeat Referrals, not a repeat: "the same perpetrator but a different victim"."""
    decision = decide_repeat(REFERRAL, [hearing(victim=OTHER_VICTIM)], SAFELIVES)
    assert not decision.repeat
    assert decision.checks[0].reason == "A different victim."


def test_it_does_not_count_a_different_marac():
    """BD Repeat Referrals, not a repeat: "the same victim and perpetrator are being discussed at a different
    MARAC"."""
    assert not is_repeat(REFERRAL, [hearing(marac=SOUTHMERE)], SAFELIVES)


def test_it_does_not_count_a_hearing_for_information_only():
    """BD Repeat Referrals, not a repeat: "Cases which are discussed at a MARAC meeting but for information purposes
    only (e.g. imminent release of perpetrator from prison)"."""
    decision = decide_repeat(REFERRAL, [hearing(information_only=True)], SAFELIVES)
    assert not decision.repeat
    assert decision.checks[0].reason == "Heard for information only."


def test_it_matches_an_earlier_full_hearing_behind_an_information_only_one():
    full, information_only = hearing(date(2026, 6, 1)), hearing(date(2026, 12, 1), information_only=True)
    decision = decide_repeat(REFERRAL, [full, information_only], TOOLKIT)
    assert decision.repeat
    assert decision.matched_hearing == full


def test_it_counts_twelve_months_back_to_the_day():
    assert is_repeat(REFERRAL, [hearing(date(2026, 3, 5))], TOOLKIT)
    decision = decide_repeat(REFERRAL, [hearing(date(2026, 3, 4))], TOOLKIT)
    assert not decision.repeat
    assert decision.checks[0].reason == "Heard on Wednesday 4 March 2026, more than 12 months before this referral."


def test_it_ignores_a_hearing_after_the_referral():
    assert not is_repeat(REFERRAL, [hearing(date(2027, 3, 9))], SAFELIVES)


def test_it_does_not_count_a_non_criminal_incident_under_the_toolkit_definition():
    """BD Repeat Referrals, not a repeat: "an incident not involving criminal behaviour occurs and is therefore not
    reviewed at MARAC"."""
    referral = NewReferral(NORTHBROOK, date(2027, 3, 5), VICTIM, frozenset({PERPETRATOR}), incident_is_criminal=False)
    decision = decide_repeat(referral, [hearing()], TOOLKIT)
    assert not decision.repeat
    assert decision.matched_hearing == hearing()
    assert decision.reason.startswith("Not a repeat under this MARAC's definition")


def test_it_counts_any_further_abuse_under_the_safelives_definition():
    referral = NewReferral(NORTHBROOK, date(2027, 3, 5), VICTIM, frozenset({PERPETRATOR}), incident_is_criminal=False)
    assert is_repeat(referral, [hearing()], SAFELIVES)


def _with_incidents(*incidents: RepeatIncident) -> NewReferral:
    return NewReferral(NORTHBROOK, date(2027, 3, 5), VICTIM, frozenset({PERPETRATOR}), incidents=incidents)


def test_it_reads_whether_the_incidents_since_the_hearing_would_be_crimes_under_the_toolkit_definition():
    not_a_crime = RepeatIncident(date(2027, 2, 1), criminal=False)
    assert not is_repeat(_with_incidents(not_a_crime), [hearing()], TOOLKIT)
    assert is_repeat(_with_incidents(not_a_crime, RepeatIncident(date(2027, 2, 20))), [hearing()], TOOLKIT)
    assert is_repeat(_with_incidents(not_a_crime), [hearing()], SAFELIVES)


def test_it_leaves_out_incidents_the_earlier_hearing_already_heard():
    heard_then = RepeatIncident(date(2026, 11, 1))  # before the hearing of 10 November 2026
    assert not is_repeat(
        _with_incidents(heard_then, RepeatIncident(date(2027, 2, 1), criminal=False)), [hearing()], TOOLKIT
    )
    assert is_repeat(_with_incidents(heard_then), [hearing()], TOOLKIT)  # nothing since: the referral's own answer


def test_it_says_why_there_is_no_repeat():
    decision = decide_repeat(REFERRAL, [], TOOLKIT)
    assert decision.reason == (
        "Not a repeat: this MARAC has not heard this victim with any of these perpetrators, other than for information "
        "only, since Thursday 5 March 2026."
    )


def test_it_reads_the_definition_from_the_marac_without_a_query():
    assert repeat_definition_from_marac(Marac()) is RepeatDefinition.SAFELIVES
    assert repeat_definition_from_marac(Marac(repeat_definition="toolkit")) is RepeatDefinition.TOOLKIT
    assert {definition.value for definition in RepeatDefinition} == set(ModelRepeatDefinition.values)


# --- One discussion per meeting ------------------------------------------------------------------------------------

HEARD_ON = date(2027, 1, 12)
MEETINGS = [date(2027, 2, 2), date(2027, 2, 23), date(2027, 3, 16)]  # three-weekly


def test_it_makes_several_incidents_between_two_meetings_one_discussion():
    """BD Repeat Referrals: "Multiple incidents occurring between MARAC meetings only result in one MARAC
    discussion.\""""
    incidents = [RepeatIncident(date(2027, 1, 15)), RepeatIncident(date(2027, 1, 20)), RepeatIncident(date(2027, 2, 1))]
    assert repeat_discussions(HEARD_ON, incidents, MEETINGS, TOOLKIT) == (
        Discussion(date(2027, 2, 2), tuple(incidents)),
    )


def test_it_makes_incidents_either_side_of_a_meeting_two_discussions():
    incidents = [RepeatIncident(date(2027, 1, 20)), RepeatIncident(date(2027, 2, 2)), RepeatIncident(date(2027, 2, 10))]
    discussions = repeat_discussions(HEARD_ON, incidents, MEETINGS, TOOLKIT)
    assert [discussion.meeting_on for discussion in discussions] == [date(2027, 2, 2), date(2027, 2, 23)]
    assert count_repeat_discussions(HEARD_ON, incidents, MEETINGS, TOOLKIT) == 2


def test_it_leaves_out_non_criminal_incidents_under_the_toolkit_definition_only():
    incidents = [RepeatIncident(date(2027, 1, 20), criminal=False), RepeatIncident(date(2027, 2, 10))]
    assert count_repeat_discussions(HEARD_ON, incidents, MEETINGS, TOOLKIT) == 1
    assert count_repeat_discussions(HEARD_ON, incidents, MEETINGS, SAFELIVES) == 2


def test_it_keeps_incidents_after_the_last_scheduled_meeting_as_one_discussion_to_come():
    incidents = [RepeatIncident(date(2027, 3, 20)), RepeatIncident(date(2027, 3, 25))]
    assert repeat_discussions(HEARD_ON, incidents, MEETINGS, TOOLKIT) == (Discussion(None, tuple(incidents)),)


def test_it_stops_counting_repeats_twelve_months_after_the_last_discussion():
    incidents = [RepeatIncident(date(2027, 1, 20)), RepeatIncident(date(2028, 2, 10))]
    meetings = [*MEETINGS, date(2028, 2, 22)]
    assert count_repeat_discussions(HEARD_ON, incidents, meetings, TOOLKIT) == 1


# --- Properties ----------------------------------------------------------------------------------------------------

people = st.frozensets(st.integers(20, 25), max_size=3)
hearings = st.builds(
    PreviousHearing,
    marac_id=st.sampled_from([NORTHBROOK, SOUTHMERE]),
    heard_on=st.dates(date(2025, 6, 1), date(2027, 6, 1)),
    victim_id=st.sampled_from([VICTIM, OTHER_VICTIM]),
    perpetrator_ids=people,
    information_only=st.booleans(),
)
referrals = st.builds(
    NewReferral,
    marac_id=st.sampled_from([NORTHBROOK, SOUTHMERE]),
    referred_on=st.dates(date(2026, 6, 1), date(2027, 6, 1)),
    victim_id=st.sampled_from([VICTIM, OTHER_VICTIM]),
    perpetrator_ids=people,
    incident_is_criminal=st.booleans(),
)


@hypothesis_settings(max_examples=80)
@given(referral=referrals, previous=st.lists(hearings, max_size=5), definition=st.sampled_from(RepeatDefinition))
def test_it_never_finds_a_repeat_without_the_same_marac_victim_and_a_shared_perpetrator(referral, previous, definition):
    decision = decide_repeat(referral, previous, definition)
    if decision.repeat:
        matched = decision.matched_hearing
        assert matched is not None
        assert matched.marac_id == referral.marac_id
        assert matched.victim_id == referral.victim_id
        assert matched.perpetrator_ids & referral.perpetrator_ids
        assert not matched.information_only
        assert matched.heard_on <= referral.referred_on
    unshared = [h for h in previous if not h.perpetrator_ids & referral.perpetrator_ids]
    assert not is_repeat(referral, unshared, definition)


@hypothesis_settings(max_examples=60)
@given(
    incidents=st.lists(st.builds(RepeatIncident, st.dates(date(2027, 1, 13), date(2027, 6, 30))), max_size=10),
    definition=st.sampled_from(RepeatDefinition),
)
def test_it_holds_at_most_one_discussion_per_meeting(incidents, definition):
    discussions = repeat_discussions(HEARD_ON, incidents, MEETINGS, definition)
    meetings_used = [discussion.meeting_on for discussion in discussions]
    assert len(meetings_used) == len(set(meetings_used))
    assert len(discussions) <= len(MEETINGS) + 1
    assert sum(len(discussion.incidents) for discussion in discussions) <= len(incidents)
