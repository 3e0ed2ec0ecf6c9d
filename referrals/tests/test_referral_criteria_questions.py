"""The referral form's questions behind the criteria, through the pages as a referrer sees them: whether the abuse
is escalating (asked, not guessed from any text in a box), one incident recorded several ways counted once, the
victim as an adult at risk (the adult social care signpost), and a pregnancy question that does not assume a gender.
"""

import datetime

import pytest
from django.utils import timezone

from referrals import services
from referrals.models import Referral, ReferralStatus
from referrals.sections import SECTIONS_BY_SLUG
from referrals.tests.test_referral_pages import ABOUT, CONSENT, PERPETRATOR, VICTIM, _post, _risk

pytestmark = pytest.mark.django_db

NOT_ESCALATING = "None - not escalating"
ESCALATING = "Incidents were monthly, now weekly; last week the first strangulation"
ADULT_SOCIAL_CARE = "Notify adult social care: a vulnerable adult is involved."


@pytest.fixture
def referral(client_for, referrer):
    client_for(referrer).post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


def _complete(client, referral, *, score=3, victim=VICTIM, criteria=None):
    _post(client, referral, "victim", victim)
    _post(client, referral, "perpetrators", PERPETRATOR, index="new")
    _post(client, referral, "risk", _risk(score))
    if criteria is not None:
        _post(client, referral, "criteria", criteria)
    _post(client, referral, "consent", CONSENT)
    _post(client, referral, "about", ABOUT)


def _overview(client, referral):
    return client.get(f"/referrals/{referral.pk}/").content.decode()


def _submit(client, referral):
    referral.refresh_from_db()
    response = client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    return response


def _row(title, met, reason):
    return (
        f'<th scope="row" class="govuk-table__header">{title}</th><td class="govuk-table__cell">{met}</td>'
        f'<td class="govuk-table__cell">{reason}</td>'
    )


# --- Is the abuse escalating in frequency or severity? --------------------------------------------------------------


def test_it_asks_whether_the_abuse_is_escalating(client_for, referrer, referral):
    page = client_for(referrer).get(f"/referrals/{referral.pk}/criteria/").content.decode()
    assert "Is the abuse escalating in frequency or severity?" in page
    assert 'name="escalating" value="not_known"' in page


def test_text_saying_it_is_not_escalating_does_not_meet_the_criteria(client_for, referrer, referral):
    """The review's case: 3 ticks and "None - not escalating" typed in the box met the criteria and submitted."""
    client = client_for(referrer)
    _complete(client, referral, criteria={"escalating": "no", "escalation_evidence": NOT_ESCALATING})
    page = _overview(client, referral)
    assert "This referral does not meet the MARAC criteria" in page
    assert (
        _row(
            "Escalation in frequency or severity",
            "Not met",
            "The referral says the abuse is not escalating in frequency or severity.",
        )
        in page
    )
    _submit(client, referral)
    assert referral.status == ReferralStatus.DRAFT


def test_details_without_an_answer_ask_the_question(client_for, referrer, referral):
    response = _post(client_for(referrer), referral, "criteria", {"escalation_evidence": NOT_ESCALATING})
    page = response.content.decode()
    assert "Select whether the abuse is escalating in frequency or severity" in page
    assert 'href="#id_escalating' in page  # linked from the error summary


def test_a_yes_needs_the_details(client_for, referrer, referral):
    response = _post(client_for(referrer), referral, "criteria", {"escalating": "yes", "escalation_evidence": " "})
    assert "Describe how the abuse is escalating in frequency or severity" in response.content.decode()


def test_a_described_yes_meets_the_criteria_and_the_coordinator_sees_why(client_for, referrer, coordinator, referral):
    client = client_for(referrer)
    _complete(client, referral, criteria={"escalating": "yes", "escalation_evidence": ESCALATING})
    reason = "The referral says the abuse is escalating in frequency or severity, and describes how."
    assert _row("Escalation in frequency or severity", "Met", reason) in _overview(client, referral)
    _submit(client, referral)
    assert referral.status == ReferralStatus.SUBMITTED
    decision_page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "This referral meets the MARAC criteria: escalation in frequency or severity." in decision_page
    assert _row("Escalation in frequency or severity", "Met", reason) in decision_page


def test_a_draft_saved_before_the_question_asks_it_on_the_next_edit(client_for, referrer, referral):
    client = client_for(referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    referral.content = {**referral.content, "criteria": {"escalation_evidence": NOT_ESCALATING}}  # as saved before
    referral.save(update_fields=["content"])
    assert "Correct the errors in: other reasons to refer" in _overview(client, referral)
    page = client.get(f"/referrals/{referral.pk}/criteria/").content.decode()
    assert "Select whether the abuse is escalating in frequency or severity" in page
    assert NOT_ESCALATING in page  # what they typed is kept
    _submit(client, referral)
    assert referral.status == ReferralStatus.DRAFT


def test_a_referral_submitted_before_the_question_reads_its_description_as_yes(client_for, referrer, referral):
    """Submitted when describing escalation was what met the criterion: it is read as it was decided (a transfer
    decides the criteria again at the receiving MARAC), and the rest of the section still counts (urgency)."""
    client = client_for(referrer)
    _complete(client, referral, criteria={"escalating": "yes", "escalation_evidence": ESCALATING})
    _submit(client, referral)
    older = {"escalation_evidence": ESCALATING, "urgent": "on", "urgency_reason": "Threats to kill yesterday"}
    referral.content = {**referral.content, "criteria": older}
    referral.save(update_fields=["content"])
    decision = services.criteria_decision(referral)
    assert decision.met and decision.criteria_met == ("escalation_in_frequency_or_severity",)
    assert services.cleaned_section(referral, SECTIONS_BY_SLUG["criteria"])["urgent"] is True


# --- One incident recorded several ways -----------------------------------------------------------------------------


def test_one_incident_recorded_three_ways_counts_once(client_for, referrer, referral, marac):
    """The review's case: an incident and a police call-out on one day and a social care referral the next were
    counted as three events and met the criteria."""
    marac.escalation_events = ["incident", "police_call_out", "social_care_referral"]
    marac.save(update_fields=["escalation_events"])
    client = client_for(referrer)
    _complete(client, referral)
    day = timezone.localdate() - datetime.timedelta(days=5)
    next_day = day + datetime.timedelta(days=1)
    for kind, on in (("incident", day), ("police_call_out", day), ("social_care_referral", next_day)):
        _post(
            client, referral, "history", {"happened_on": on.isoformat(), "kind": kind, "is_crime": "yes"}, index="new"
        )
    page = _overview(client, referral)
    assert "1 incident or police call-out or social care referral from " in page
    assert "Counted once each, as one incident recorded in more than one way: the incident and the police " in page
    assert "This referral does not meet the MARAC criteria" in page
    form = client.get(f"/referrals/{referral.pk}/history/new/").content.decode()
    assert "on the same day as an incident, or the day after, is counted as the same incident" in form


# --- An adult at risk -----------------------------------------------------------------------------------------------


def test_a_vulnerable_adult_victim_brings_the_adult_social_care_signpost(client_for, referrer, referral):
    """BD Identification of Cases: "Notify Adult Social Care if there is a vulnerable adult involved"."""
    client = client_for(referrer)
    form = client.get(f"/referrals/{referral.pk}/victim/").content.decode()
    assert "Is the victim an adult at risk (a vulnerable adult)?" in form
    _complete(client, referral, score=15, victim={**VICTIM, "vulnerable_adult": "yes"})
    assert ADULT_SOCIAL_CARE in _overview(client, referral)


def test_the_coordinator_deciding_sees_the_adult_social_care_signpost(client_for, referrer, coordinator, referral):
    client = client_for(referrer)
    _complete(client, referral, score=15, victim={**VICTIM, "vulnerable_adult": "yes"})
    _submit(client, referral)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert "What else the referral asks to be done" in page
    assert ADULT_SOCIAL_CARE in page


def test_no_adult_social_care_signpost_when_the_victim_is_not_an_adult_at_risk(client_for, referrer, referral):
    client = client_for(referrer)
    _complete(client, referral, score=15, victim={**VICTIM, "vulnerable_adult": "not_known"})
    page = _overview(client, referral)
    assert "This referral meets the MARAC criteria" in page
    assert ADULT_SOCIAL_CARE not in page


def test_victim_details_saved_before_the_question_still_complete_the_section(client_for, referrer, referral):
    client = client_for(referrer)
    _complete(client, referral, score=15)  # VICTIM has no answer to the adult at risk question
    _submit(client, referral)
    assert referral.status == ReferralStatus.SUBMITTED


# --- Wording --------------------------------------------------------------------------------------------------------


def test_the_pregnancy_question_does_not_assume_the_victim_is_a_woman(client_for, referrer, referral):
    page = client_for(referrer).get(f"/referrals/{referral.pk}/victim/").content.decode()
    assert "Is the victim pregnant?" in page
    assert "Is she pregnant?" not in page
