"""The MARAC referral criteria (DOMAIN.md steps 2-3; BD Referral Criteria, Non-MARAC Cases, IDSVA; CAM 4.1; BED 3)."""

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from marac.models import AutomaticCriterion as ModelAutomaticCriterion
from marac.models import EscalationEvent, Marac
from referrals.calendar import months_before
from referrals.criteria import (
    AutomaticCriterion,
    CriteriaSettings,
    Criterion,
    EventKind,
    ProfessionalJudgement,
    RecordedEvent,
    ReferralFacts,
    Signpost,
    decide_criteria,
    occasions_of,
    settings_from_marac,
)
from referrals.errors import RuleInputError
from referrals.risk import Answer

TODAY = date(2027, 3, 5)

# Barking and Dagenham: incidents count; honour-based abuse, FGM and forced marriage are automatic referrals.
BARKING_AND_DAGENHAM = CriteriaSettings(
    escalation_events=frozenset({EventKind.INCIDENT}), automatic_criteria=frozenset(AutomaticCriterion)
)
# Camden: social care referrals and police call-outs count; no automatic criteria; escalation is counted, not described.
CAMDEN = CriteriaSettings(
    escalation_events=frozenset({EventKind.SOCIAL_CARE_REFERRAL, EventKind.POLICE_CALL_OUT}),
    escalation_in_frequency_or_severity=False,
)
# Bedfordshire: "escalation of the abuse either in frequency or severity", nothing counted.
BEDFORDSHIRE = CriteriaSettings()


def events(kind: EventKind, *days_ago: int) -> tuple[RecordedEvent, ...]:
    return tuple(RecordedEvent(kind, TODAY - timedelta(days=n)) for n in days_ago)


def decide(settings: CriteriaSettings = BARKING_AND_DAGENHAM, **facts):
    return decide_criteria(ReferralFacts(**{"dash_score": None, **facts}), settings, TODAY)


# --- Visible high risk ---------------------------------------------------------------------------------------------


def test_it_meets_visible_high_risk_at_fourteen_ticks():
    """BD Referral Criteria: "If the final score is 14 ticks or more then this would constitute an automatic referral
    to the MARAC on the ground of evidenced high risk.\""""
    decision = decide(dash_score=14)
    assert decision.met
    assert decision.result_for(Criterion.VISIBLE_HIGH_RISK).reason == (
        "The risk checklist score is 14, at or above this MARAC's threshold of 14."
    )


def test_it_misses_visible_high_risk_at_thirteen_ticks_and_says_why():
    decision = decide(dash_score=13)
    assert not decision.met
    assert decision.result_for(Criterion.VISIBLE_HIGH_RISK).reason == (
        "The risk checklist score is 13, below this MARAC's threshold of 14."
    )


def test_it_uses_the_marac_threshold():
    assert decide(CriteriaSettings(dash_threshold=12), dash_score=12).met


def test_it_says_so_when_there_is_no_score():
    result = decide(dash_score=None).result_for(Criterion.VISIBLE_HIGH_RISK)
    assert not result.met
    assert result.reason == "No risk checklist score was given."


# --- Escalation: counting events, per MARAC ------------------------------------------------------------------------


def test_it_meets_escalation_with_three_incidents_in_twelve_months_in_barking_and_dagenham():
    """BD Referral Criteria: "where there are three or more incidents of domestic abuse that have occurred within the
    previous 12 months.\""""
    result = decide(events=events(EventKind.INCIDENT, 10, 100, 300)).result_for(Criterion.ESCALATION_BY_COUNT)
    assert result.met
    assert result.reason == (
        "3 incidents from Thursday 5 March 2026 to Friday 5 March 2027 (12 months); "
        "this MARAC's threshold is 3 or more."
    )


def test_it_misses_escalation_with_two_incidents():
    result = decide(events=events(EventKind.INCIDENT, 10, 100)).result_for(Criterion.ESCALATION_BY_COUNT)
    assert not result.met
    assert result.reason.startswith("2 incidents from Thursday 5 March 2026")


def test_it_counts_an_event_exactly_twelve_months_ago_but_not_the_day_before():
    on_the_day = (*events(EventKind.INCIDENT, 1, 2), RecordedEvent(EventKind.INCIDENT, date(2026, 3, 5)))
    a_day_too_old = (*events(EventKind.INCIDENT, 1, 2), RecordedEvent(EventKind.INCIDENT, date(2026, 3, 4)))
    assert decide(events=on_the_day).result_for(Criterion.ESCALATION_BY_COUNT).met
    assert not decide(events=a_day_too_old).result_for(Criterion.ESCALATION_BY_COUNT).met


def test_it_meets_escalation_with_social_care_referrals_and_police_call_outs_together_in_camden():
    """CAM 4.1: "there is potential escalation (3 or more CSFH referrals or police call outs to domestic abuse in 12
    months)"."""
    recorded = events(EventKind.SOCIAL_CARE_REFERRAL, 20, 200) + events(EventKind.POLICE_CALL_OUT, 40)
    result = decide(CAMDEN, events=recorded).result_for(Criterion.ESCALATION_BY_COUNT)
    assert result.met
    assert result.reason.startswith("3 police call-outs or social care referrals from Thursday 5 March 2026")


def test_it_lists_camdens_four_police_incidents_as_they_pass_its_three_call_outs():
    """CAM 3: the list includes "cases where Police have been called to 4 incidents of domestic abuse in 12 months";
    four call-outs are more than the three CAM 4.1 asks for, so the one setting covers both."""
    assert decide(CAMDEN, events=events(EventKind.POLICE_CALL_OUT, 1, 2, 3, 4)).met


def test_it_does_not_count_camdens_events_in_barking_and_dagenham_and_says_so():
    recorded = events(EventKind.SOCIAL_CARE_REFERRAL, 20, 200) + events(EventKind.POLICE_CALL_OUT, 40)
    result = decide(BARKING_AND_DAGENHAM, events=recorded).result_for(Criterion.ESCALATION_BY_COUNT)
    assert not result.met
    assert result.reason.endswith(
        "Not counted here: 1 police call-out and 2 social care referrals, as this MARAC counts only incidents."
    )


def test_it_does_not_count_incidents_in_camden():
    assert not decide(CAMDEN, events=events(EventKind.INCIDENT, 1, 2, 3)).met


def test_it_uses_the_marac_count_and_window():
    six_months_two_events = CriteriaSettings(
        escalation_count=2, escalation_window_months=6, escalation_events=frozenset({EventKind.INCIDENT})
    )
    assert decide(six_months_two_events, events=events(EventKind.INCIDENT, 10, 150)).met
    assert not decide(six_months_two_events, events=events(EventKind.INCIDENT, 10, 200)).met


def test_it_says_when_a_marac_counts_no_events():
    result = decide(BEDFORDSHIRE, events=events(EventKind.INCIDENT, 1, 2, 3)).result_for(Criterion.ESCALATION_BY_COUNT)
    assert not result.met
    assert result.reason == "This MARAC does not count events towards escalation."


# --- Escalation in frequency or severity ---------------------------------------------------------------------------


def test_it_meets_escalation_when_the_referrer_says_yes_and_describes_it_in_bedfordshire():
    """BED 3: "There is escalation of the abuse either in frequency or severity"."""
    described = "Weekly threats since January; first strangulation last week."
    decision = decide(BEDFORDSHIRE, escalating=Answer.YES, escalation_evidence=described)
    assert decision.met
    assert decision.criteria_met == (Criterion.ESCALATION_IN_FREQUENCY_OR_SEVERITY,)
    assert decision.result_for(Criterion.ESCALATION_IN_FREQUENCY_OR_SEVERITY).reason == (
        "The referral says the abuse is escalating in frequency or severity, and describes how."
    )


def test_it_does_not_take_text_saying_there_is_no_escalation_as_escalation():
    """The review's case: three ticks and "None - not escalating" typed in the box met the criteria."""
    for answer in (Answer.NO, Answer.NOT_KNOWN, None):
        decision = decide(BEDFORDSHIRE, dash_score=3, escalating=answer, escalation_evidence="None - not escalating")
        assert not decision.met
    reasons = {
        answer: decide(BEDFORDSHIRE, escalating=answer).result_for(Criterion.ESCALATION_IN_FREQUENCY_OR_SEVERITY).reason
        for answer in (Answer.NO, Answer.NOT_KNOWN, None)
    }
    assert reasons == {
        Answer.NO: "The referral says the abuse is not escalating in frequency or severity.",
        Answer.NOT_KNOWN: "The referral says it is not known whether the abuse is escalating.",
        None: "The referral does not say whether the abuse is escalating in frequency or severity.",
    }


def test_it_misses_described_escalation_where_the_marac_only_counts_events():
    result = decide(CAMDEN, escalating=Answer.YES, escalation_evidence="More frequent.").result_for(
        Criterion.ESCALATION_IN_FREQUENCY_OR_SEVERITY
    )
    assert not result.met
    assert "use professional judgement" in result.reason


def test_it_does_not_take_a_yes_without_a_description_as_escalation():
    result = decide(BEDFORDSHIRE, escalating=Answer.YES, escalation_evidence="   ").result_for(
        Criterion.ESCALATION_IN_FREQUENCY_OR_SEVERITY
    )
    assert not result.met
    assert result.reason == "The referral says the abuse is escalating but does not describe how."


# --- One incident recorded several ways ----------------------------------------------------------------------------

EVERY_KIND = CriteriaSettings(escalation_events=frozenset(EventKind))


def test_it_counts_one_incident_recorded_three_ways_once():
    """The review's case: an incident and a police call-out on 20 November and a social care referral on 21 November
    are one incident of domestic abuse (BD: "three or more incidents"), not three."""
    recorded = (
        RecordedEvent(EventKind.INCIDENT, date(2026, 11, 20)),
        RecordedEvent(EventKind.POLICE_CALL_OUT, date(2026, 11, 20)),
        RecordedEvent(EventKind.SOCIAL_CARE_REFERRAL, date(2026, 11, 21)),
    )
    result = decide(EVERY_KIND, events=recorded).result_for(Criterion.ESCALATION_BY_COUNT)
    assert not result.met
    assert result.reason.startswith("1 incident or police call-out or social care referral from ")
    assert (
        "Counted once each, as one incident recorded in more than one way: the incident and the police call-out on "
        "Friday 20 November 2026 and the social care referral on Saturday 21 November 2026. If they were separate "
        "incidents, say so under professional judgement." in result.reason
    )


def test_it_counts_a_call_out_and_the_referral_after_it_once_in_camden():
    """CAM 4.1 counts "CSFH referrals or police call outs": a police call-out and the CSFH referral it led to the next
    day are one incident of domestic abuse; three call-outs on three occasions are three."""
    one_incident = events(EventKind.POLICE_CALL_OUT, 10) + events(EventKind.SOCIAL_CARE_REFERRAL, 9)
    assert not decide(CAMDEN, events=one_incident + events(EventKind.POLICE_CALL_OUT, 100)).met
    assert decide(CAMDEN, events=one_incident + events(EventKind.POLICE_CALL_OUT, 100, 200)).met


def test_it_counts_events_of_one_kind_on_one_day_separately():
    assert decide(events=events(EventKind.INCIDENT, 5, 5, 5)).result_for(Criterion.ESCALATION_BY_COUNT).met


def test_it_counts_events_two_days_apart_separately():
    recorded = (
        events(EventKind.INCIDENT, 10)
        + events(EventKind.POLICE_CALL_OUT, 8)
        + events(EventKind.SOCIAL_CARE_REFERRAL, 6)
    )
    result = decide(EVERY_KIND, events=recorded).result_for(Criterion.ESCALATION_BY_COUNT)
    assert result.met
    assert "Counted once" not in result.reason


# --- Automatic criteria --------------------------------------------------------------------------------------------


def test_it_refers_forced_marriage_automatically_in_barking_and_dagenham_whatever_the_score():
    """BD Referral Criteria: "it has been determined that the standard position within Barking and Dagenham is that
    cases of Forced Marriage will be referred to MARAC.\""""
    decision = decide(dash_score=3, automatic_concerns=frozenset({AutomaticCriterion.FORCED_MARRIAGE}))
    assert decision.met
    assert decision.result_for(Criterion.AUTOMATIC).reason == "Forced marriage is an automatic referral here."


def test_it_tells_the_referrer_fgm_is_not_automatic_in_camden():
    decision = decide(CAMDEN, dash_score=3, automatic_concerns=frozenset({AutomaticCriterion.FGM}))
    assert not decision.met
    assert decision.result_for(Criterion.AUTOMATIC).reason == (
        "Female genital mutilation is not an automatic referral at this MARAC; the referral needs another criterion, "
        "such as professional judgement."
    )


def test_it_names_the_automatic_criteria_when_none_was_identified():
    result = decide(dash_score=3).result_for(Criterion.AUTOMATIC)
    assert result.reason == (
        "None of this MARAC's automatic criteria (so-called honour-based abuse, female genital mutilation and "
        "forced marriage) was identified."
    )


# --- Professional judgement ----------------------------------------------------------------------------------------


def test_it_meets_professional_judgement_with_written_reasons_and_records_the_consultation():
    """BD Referral Criteria: "The service believes that the victim may be minimising their risk and there is a known
    risk such as use of weapons"; "a discussion should be had with the service MARAC representative"."""
    judgement = ProfessionalJudgement("She is minimising; he has a knife and has used it before.", True)
    decision = decide(dash_score=8, professional_judgement=judgement)
    assert decision.met
    assert decision.marac_representative_consulted is True
    assert decision.result_for(Criterion.PROFESSIONAL_JUDGEMENT).reason == (
        "Professional judgement, with the reasons written down. Your agency's MARAC representative was consulted."
    )


def test_it_meets_judgement_without_consultation_but_reminds_the_referrer():
    decision = decide(dash_score=8, professional_judgement=ProfessionalJudgement("Fear of disclosure.", False))
    assert decision.met
    assert decision.marac_representative_consulted is False
    assert "was not consulted" in decision.result_for(Criterion.PROFESSIONAL_JUDGEMENT).reason


def test_it_does_not_take_judgement_without_written_reasons():
    """BD Criteria for Referral: referrals "provide an explanation of the referrer's assessment if based on
    professional judgement"."""
    decision = decide(dash_score=8, professional_judgement=ProfessionalJudgement("  ", True))
    assert not decision.met
    assert decision.result_for(Criterion.PROFESSIONAL_JUDGEMENT).reason == (
        "Professional judgement needs its reasons written down, and none were given."
    )


# --- The whole decision --------------------------------------------------------------------------------------------


def test_it_reports_every_criterion_in_order():
    decision = decide(dash_score=16)
    assert [result.criterion for result in decision.results] == list(Criterion)
    assert decision.summary == "This referral meets the MARAC criteria: visible high risk."


def test_it_names_every_criterion_met():
    decision = decide(
        dash_score=20,
        events=events(EventKind.INCIDENT, 1, 2, 3),
        professional_judgement=ProfessionalJudgement("Threats to kill.", True),
    )
    assert decision.summary == (
        "This referral meets the MARAC criteria: visible high risk, escalation (number of events) and professional "
        "judgement."
    )


def test_it_offers_an_idva_with_every_marac_referral():
    """BD IDSVA: "It is a standard action that all cases referred to the MARAC are also offered the services of an
    IDSVA.\""""
    decision = decide(dash_score=15)
    assert decision.idva_referral_offered
    assert decision.signposts == ()


def test_it_signposts_a_case_below_the_threshold_and_still_offers_the_idva_at_ten():
    """BD IDSVA: "Referrals to the IDVA Service can also be made for victims whose cases do not meet the threshold for
    MARAC but who score ten ticks or more"; BD Non-MARAC Cases: "support should be sought from local domestic abuse
    services"."""
    decision = decide(dash_score=10)
    assert not decision.met
    assert decision.idva_referral_offered
    assert decision.idva_reason == (
        "The score of 10 is at or above 10, so the IDVA service can take a referral even though MARAC cannot."
    )
    assert decision.signposts == (Signpost.IDVA_SERVICE, Signpost.LOCAL_DOMESTIC_ABUSE_SERVICES, Signpost.POLICE)
    assert "MARAC is not the route to an IDVA, a housing move or other services" in decision.summary


def test_it_does_not_offer_the_idva_route_below_ten():
    decision = decide(dash_score=9)
    assert not decision.idva_referral_offered
    assert decision.signposts == (Signpost.LOCAL_DOMESTIC_ABUSE_SERVICES, Signpost.POLICE)


def test_it_reminds_the_referrer_to_notify_safeguarding_met_or_not():
    """BD Identification of Cases: "Notify the MASH team where there are children in the household or the victim is
    pregnant. Notify Adult Social Care if there is a vulnerable adult involved.\""""
    met = decide(dash_score=15, children_in_household=True, vulnerable_adult=True)
    not_met = decide(dash_score=2, victim_pregnant=True)
    assert met.signposts == (Signpost.CHILDRENS_SAFEGUARDING, Signpost.ADULT_SOCIAL_CARE)
    assert Signpost.CHILDRENS_SAFEGUARDING in not_met.signposts


# --- Input errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [-1, 25])
def test_it_refuses_a_score_the_checklist_cannot_give(score):
    with pytest.raises(RuleInputError, match=f"between 0 and 24; {score} is not possible"):
        decide(dash_score=score)


def test_it_refuses_an_event_in_the_future():
    with pytest.raises(RuleInputError, match="dated Saturday 6 March 2027 is in the future"):
        decide(events=events(EventKind.POLICE_CALL_OUT, -1))


def test_it_reports_every_input_problem_at_once():
    with pytest.raises(RuleInputError) as raised:
        decide(dash_score=30, events=events(EventKind.INCIDENT, -3, -1))
    assert len(raised.value.problems) == 3


# --- Settings from the MARAC ---------------------------------------------------------------------------------------


def test_it_reads_a_new_marac_as_the_default_settings_without_a_query():
    # No database fixture: pytest-django would fail the test if reading the MARAC made a query.
    assert settings_from_marac(Marac(name="Northbrook MARAC")) == CriteriaSettings()


def test_it_reads_a_marac_configured_like_camden():
    marac = Marac(
        escalation_events=[EscalationEvent.SOCIAL_CARE_REFERRAL, EscalationEvent.POLICE_CALL_OUT],
        automatic_criteria=[],
        dash_threshold=14,
        idva_threshold=10,
    )
    assert settings_from_marac(marac) == CriteriaSettings(
        escalation_events=frozenset({EventKind.SOCIAL_CARE_REFERRAL, EventKind.POLICE_CALL_OUT})
    )


def test_it_refuses_unknown_values_in_the_marac_settings():
    with pytest.raises(RuleInputError, match="unknown value 'stalking'"):
        settings_from_marac(Marac(automatic_criteria=["stalking"]))


def test_it_has_the_same_choices_as_the_marac_settings():
    assert {kind.value for kind in EventKind} == set(EscalationEvent.values)
    assert {criterion.value for criterion in AutomaticCriterion} == set(ModelAutomaticCriterion.values)


# --- Properties ----------------------------------------------------------------------------------------------------

scores = st.one_of(st.none(), st.integers(min_value=0, max_value=24))
recorded_events = st.lists(
    st.builds(RecordedEvent, st.sampled_from(EventKind), st.dates(date(2025, 1, 1), TODAY)), max_size=8
).map(tuple)
judgements = st.one_of(
    st.none(), st.builds(ProfessionalJudgement, st.sampled_from(["", " ", "Reasons."]), st.booleans())
)
criteria_settings = st.builds(
    CriteriaSettings,
    dash_threshold=st.integers(1, 24),
    idva_threshold=st.integers(1, 24),
    escalation_count=st.integers(1, 6),
    escalation_window_months=st.integers(1, 24),
    escalation_events=st.frozensets(st.sampled_from(EventKind)),
    automatic_criteria=st.frozensets(st.sampled_from(AutomaticCriterion)),
    escalation_in_frequency_or_severity=st.booleans(),
)
referral_facts = st.builds(
    ReferralFacts,
    dash_score=scores,
    events=recorded_events,
    escalating=st.one_of(st.none(), st.sampled_from(Answer)),
    escalation_evidence=st.sampled_from(["", " ", "Worse each week.", "None - not escalating"]),
    automatic_concerns=st.frozensets(st.sampled_from(AutomaticCriterion)),
    professional_judgement=judgements,
)


@hypothesis_settings(max_examples=80)
@given(facts=referral_facts, settings=criteria_settings)
def test_it_is_met_exactly_when_one_criterion_is_met_and_always_gives_reasons(facts, settings):
    decision = decide_criteria(facts, settings, TODAY)
    assert decision.met == any(result.met for result in decision.results)
    assert [result.criterion for result in decision.results] == list(Criterion)
    assert all(result.reason for result in decision.results)
    high_risk = decision.result_for(Criterion.VISIBLE_HIGH_RISK).met
    assert high_risk == (facts.dash_score is not None and facts.dash_score >= settings.dash_threshold)
    idva_by_score = facts.dash_score is not None and facts.dash_score >= settings.idva_threshold
    assert decision.idva_referral_offered == (decision.met or idva_by_score)


@hypothesis_settings(max_examples=60)
@given(facts=referral_facts, settings=criteria_settings)
def test_it_meets_escalation_by_count_exactly_when_enough_incidents_fall_in_the_window(facts, settings):
    result = decide_criteria(facts, settings, TODAY).result_for(Criterion.ESCALATION_BY_COUNT)
    since = months_before(TODAY, settings.escalation_window_months)
    counted = [
        event for event in facts.events if event.kind in settings.escalation_events and event.occurred_on >= since
    ]
    assert result.met == (len(occasions_of(counted)) >= settings.escalation_count)


@hypothesis_settings(max_examples=80)
@given(recorded=recorded_events)
def test_it_takes_as_one_incident_only_events_of_different_kinds_within_a_day(recorded):
    occasions = occasions_of(list(recorded))
    assert Counter(event for occasion in occasions for event in occasion) == Counter(recorded)  # each once
    for occasion in occasions:
        assert len({event.kind for event in occasion}) == len(occasion)  # never two of one kind
        days = [event.occurred_on for event in occasion]
        assert max(days) - min(days) <= timedelta(days=1)
    most_of_one_kind = max((sum(1 for event in recorded if event.kind == kind) for kind in EventKind), default=0)
    assert most_of_one_kind <= len(occasions) <= len(recorded)
    days = sorted(event.occurred_on for event in recorded)
    if all(later - earlier > timedelta(days=1) for earlier, later in pairwise(days)):
        assert len(occasions) == len(recorded)  # nothing within a day of anything else: nothing merged


@hypothesis_settings(max_examples=60)
@given(facts=referral_facts, settings=criteria_settings)
def test_it_meets_escalation_in_frequency_or_severity_only_on_a_described_yes(facts, settings):
    result = decide_criteria(facts, settings, TODAY).result_for(Criterion.ESCALATION_IN_FREQUENCY_OR_SEVERITY)
    described_yes = facts.escalating == Answer.YES and bool(facts.escalation_evidence.strip())
    assert result.met == (settings.escalation_in_frequency_or_severity and described_yes)


@hypothesis_settings(max_examples=40)
@given(facts=referral_facts, settings=criteria_settings, kind=st.sampled_from(EventKind))
def test_it_never_loses_a_criterion_when_one_more_recent_event_is_recorded(facts, settings, kind):
    before = decide_criteria(facts, settings, TODAY)
    more = ReferralFacts(**{**facts.__dict__, "events": (*facts.events, RecordedEvent(kind, TODAY))})
    after = decide_criteria(more, settings, TODAY)
    assert set(before.criteria_met) <= set(after.criteria_met)


@hypothesis_settings(max_examples=40)
@given(facts=referral_facts)
def test_it_never_meets_professional_judgement_without_written_reasons(facts):
    result = decide_criteria(facts, CriteriaSettings(), TODAY).result_for(Criterion.PROFESSIONAL_JUDGEMENT)
    judgement = facts.professional_judgement
    assert result.met == (judgement is not None and bool(judgement.rationale.strip()))


@hypothesis_settings(max_examples=200)
@given(
    recorded=recorded_events,
    extra=st.builds(RecordedEvent, st.sampled_from(EventKind), st.dates(date(2025, 1, 1), TODAY)),
)
def test_one_more_event_of_any_date_never_counts_fewer_incidents(recorded, extra):
    assert len(occasions_of([*recorded, extra])) >= len(occasions_of(list(recorded)))
