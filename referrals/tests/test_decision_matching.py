"""Likely-same-person suggestions on the coordinator's decision page: the matching model's suggestions with their
probability and words, computed once per model version, confirmed or rejected by the coordinator; rejected pairs
never suggested again; confirmed links counting for repeats; and, across the MARACs of a region, only the name
of the MARAC holding a possible match."""

import datetime
import re

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import CaseParty, CaseRestriction, PartyRole
from people import linkage
from people.models import PersonLink, ReferralSuggestions
from people.tests.matching_fixtures import match_model, save_model, trained_model
from referrals.models import MatchDecision, Referral
from referrals.tests.test_referral_pages import CONSENT, PERPETRATOR, VICTIM
from testing.factories import AddressFactory, CaseFactory, PersonFactory

__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.django_db

ABOUT = {"how_arose": "police_notification", "background": "Long history of controlling behaviour.",
         "current_risk": "Threats to kill last week.", "outcomes_sought": "Safety planning."}  # fmt: skip
RISK = {f"q{number}": "yes" if number <= 16 else "no" for number in range(1, 25)}
CHECK_SUMMARY = "Likely-same-person check"


def submitted_referral(client_for, referrer):
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.filter(referrer=referrer).latest("pk")
    for slug, data, new in (
        ("victim", VICTIM, False), ("perpetrators", PERPETRATOR, True), ("risk", RISK, False),
        ("consent", CONSENT, False), ("about", ABOUT, False),
    ):  # fmt: skip
        referral.refresh_from_db()
        url = f"/referrals/{referral.pk}/{slug}/" + ("new/" if new else "")
        client.post(url, {**data, "version": referral.version, "action": "continue"})
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "submitted"
    return referral


def hold(marac, given, family, born, *, postcode="NB1 2XY", gender="female"):
    person = PersonFactory(marac=marac, given_name=given, family_name=family, date_of_birth=born, gender=gender)
    AddressFactory(person=person, postcode=postcode)
    return person


def misspelt(marac):
    """The victim recorded before with the family name misspelt and day and month swapped: no exact check finds
    her."""
    return hold(marac, "Fictiona", "Testwroth", datetime.date(1991, 3, 4))


def neighbours(marac):
    hold(marac, "Pretendra", "Mockridge", datetime.date(1984, 7, 21), postcode="NB4 4AB")
    hold(marac, "Madeup", "Villainson", datetime.date(1980, 2, 2), postcode="NB9 9ZZ", gender="male")


def checks(referral):
    return AuditEvent.objects.filter(object_id=str(referral.pk), summary__startswith=CHECK_SUMMARY).count()


def test_a_misspelt_name_is_suggested_with_its_probability_and_what_agreed_in_words(
    client_for, referrer, coordinator, marac, match_model
):
    known = misspelt(marac)
    neighbours(marac)
    referral = submitted_referral(client_for, referrer)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert f'href="/people/{known.pk}/">Fictiona Testwroth</a>, born 4 March 1991' in page
    assert re.search(r": (9\d)% likely to be the same person", page)
    assert "spelt nearly the same (Testworth, Testwroth)" in page
    assert "Day and month swapped (03/04/1991, 04/03/1991)" in page
    assert "Same current postcode (NB1 2XY)" in page
    assert "version 1, trained on 2 November 2026 on 72 people" in page
    assert "Pretendra" not in page  # an unlikely match is not suggested


def test_suggestions_are_worked_out_once_and_again_when_the_model_changes(
    client_for, referrer, coordinator, marac, match_model, trained_model
):
    misspelt(marac)
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)

    desk.get(f"/referrals/{referral.pk}/decision/")
    desk.get(f"/referrals/{referral.pk}/decision/")
    assert checks(referral) == 1
    assert ReferralSuggestions.objects.get(referral=referral).match_model == match_model

    newer = save_model(marac, trained_model, version=2)
    desk.get(f"/referrals/{referral.pk}/decision/")
    assert checks(referral) == 2
    assert ReferralSuggestions.objects.get(referral=referral).match_model == newer

    hold(marac, "Fictiona", "Testwurth", datetime.date(1991, 4, 3))  # someone new held since
    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert checks(referral) == 3
    assert "Testwurth" in page


def test_without_a_trained_model_the_exact_checks_still_work_and_the_page_says_so(
    client_for, referrer, coordinator, marac
):
    hold(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    misspelt(marac)
    referral = submitted_referral(client_for, referrer)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert "The matching model for this MARAC has not been trained yet" in page
    assert "Same name and date of birth" in page
    assert "Testwroth" not in page
    assert not ReferralSuggestions.objects.exists()


def test_a_confirmed_suggestion_is_the_person_the_accepted_case_uses(
    client_for, referrer, coordinator, marac, match_model
):
    known = misspelt(marac)
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)
    desk.get(f"/referrals/{referral.pk}/decision/")

    desk.post(
        f"/referrals/{referral.pk}/decision/match/", {"party": "victim", "person": known.pk, "decision": "confirmed"}
    )
    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "Confirmed: same person" in page
    desk.post(f"/referrals/{referral.pk}/decision/accept/")

    referral.refresh_from_db()
    assert referral.case.victim == known
    assert CaseParty.objects.filter(case=referral.case, person=known, role=PartyRole.VICTIM).exists()


def test_a_rejected_pair_is_not_suggested_again(client_for, referrer, coordinator, marac, match_model):
    same = hold(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    other = misspelt(marac)
    desk = client_for(coordinator)
    first = submitted_referral(client_for, referrer)
    desk.get(f"/referrals/{first.pk}/decision/")
    for person, decision in ((same, "confirmed"), (other, "rejected")):
        desk.post(
            f"/referrals/{first.pk}/decision/match/", {"party": "victim", "person": person.pk, "decision": decision}
        )
    desk.post(f"/referrals/{first.pk}/decision/accept/")

    link = PersonLink.objects.get()
    assert (link.person_a_id, link.person_b_id, link.decision) == (same.pk, other.pk, "rejected")
    assert link.probability > 0.9 and link.decided_by == coordinator

    second = submitted_referral(client_for, referrer)
    desk.post(
        f"/referrals/{second.pk}/decision/match/", {"party": "victim", "person": same.pk, "decision": "confirmed"}
    )
    page = desk.get(f"/referrals/{second.pk}/decision/").content.decode()
    assert "Testwroth" not in page
    assert "Confirmed: same person" in page


@pytest.mark.parametrize("linked", [True, False])
def test_an_earlier_hearing_under_a_record_confirmed_to_be_the_same_person_makes_a_repeat(
    client_for, referrer, coordinator, marac, linked
):
    earlier_record = hold(marac, "Fictiona", "Testwerth", datetime.date(1991, 4, 3))
    perpetrator = hold(marac, "Madeup", "Villainson", datetime.date(1980, 2, 2), gender="male")
    case = CaseFactory(marac=marac, victim=earlier_record, heard_on=timezone.localdate() - datetime.timedelta(days=60))
    CaseParty.objects.create(case=case, person=perpetrator, role=PartyRole.PERPETRATOR)
    later_record = hold(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    if linked:
        linkage.person_link_decide(person=earlier_record, other=later_record, decision="confirmed", by=coordinator)
    referral = submitted_referral(client_for, referrer)
    desk = client_for(coordinator)
    for party, person in (("victim", later_record), ("perpetrators.0", perpetrator)):
        desk.post(
            f"/referrals/{referral.pk}/decision/match/", {"party": party, "person": person.pk, "decision": "confirmed"}
        )

    desk.post(f"/referrals/{referral.pk}/decision/accept/")

    referral.refresh_from_db()
    assert referral.case.victim == later_record
    assert referral.case.is_repeat is linked


def test_across_the_region_only_the_other_marac_and_its_coordinator_are_named(
    client_for, referrer, coordinator, marac, other_marac, outsider, match_model
):
    marac.region = other_marac.region = "North East"
    marac.save()
    other_marac.save()
    elsewhere = hold(other_marac, "Fictiona", "Testworth", datetime.date(1991, 3, 4), postcode="NB1 2XY")
    referral = submitted_referral(client_for, referrer)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert (
        "A possible match exists at Southmere MARAC; contact its coordinator: "
        'Otto Outsider (<a class="govuk-link" href="mailto:otto@example.invalid">otto@example.invalid</a>).'
    ) in page
    assert f"/people/{elsewhere.pk}/" not in page and "4 March 1991" not in page and "04/03/1991" not in page
    assert "% likely" not in page
    audit = AuditEvent.objects.get(object_id=str(referral.pk), summary__startswith="Checked for likely matches")
    assert audit.summary == (
        f"Checked for likely matches at the region's other MARACs {other_marac.pk}: "
        f"possible match at MARAC {other_marac.pk}"
    )
    assert "Fictiona" not in str(audit.changes)


def test_a_marac_outside_the_region_is_not_checked(client_for, referrer, coordinator, marac, other_marac, match_model):
    marac.region, other_marac.region = "North East", "South West"
    marac.save()
    other_marac.save()
    hold(other_marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    referral = submitted_referral(client_for, referrer)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert "A possible match exists at" not in page
    assert not AuditEvent.objects.filter(summary__startswith="Checked for likely matches").exists()


def test_a_suggestion_in_a_restricted_case_the_coordinator_is_not_named_on_shows_no_details(
    client_for, referrer, coordinator, chair, marac, match_model
):
    known = misspelt(marac)
    case = CaseFactory(marac=marac, victim=known, restricted=True)
    CaseRestriction.objects.create(case=case, user=chair, added_by=chair)
    referral = submitted_referral(client_for, referrer)

    page = client_for(coordinator).get(f"/referrals/{referral.pk}/decision/").content.decode()

    assert "A possible match is held in a restricted case you are not named on" in page
    assert "Testwroth" not in page and f"/people/{known.pk}/" not in page
    assert "% likely" not in page


@pytest.mark.parametrize("persona", ["outsider", "chair", "police_rep", "idva", "board_viewer", "administrator"])
def test_only_the_marac_coordinator_sees_the_suggestions(client_for, referrer, marac, match_model, persona, request):
    misspelt(marac)
    referral = submitted_referral(client_for, referrer)
    user = request.getfixturevalue(persona)

    assert client_for(user).get(f"/referrals/{referral.pk}/decision/").status_code == 404
    assert not ReferralSuggestions.objects.exists()


def test_a_person_held_at_another_marac_cannot_be_confirmed(
    client_for, referrer, coordinator, marac, other_marac, match_model
):
    elsewhere = hold(other_marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    referral = submitted_referral(client_for, referrer)

    response = client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/match/",
        {"party": "victim", "person": elsewhere.pk, "decision": "confirmed"},
    )

    assert response.status_code == 404
    assert not MatchDecision.objects.exists()


def test_a_person_in_a_restricted_case_the_coordinator_is_not_named_on_cannot_be_confirmed(
    client_for, referrer, coordinator, chair, marac
):
    known = hold(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3))
    case = CaseFactory(marac=marac, victim=known, restricted=True)
    CaseRestriction.objects.create(case=case, user=chair, added_by=chair)
    referral = submitted_referral(client_for, referrer)

    response = client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/match/", {"party": "victim", "person": known.pk, "decision": "confirmed"}
    )

    assert response.status_code == 404
    assert not MatchDecision.objects.exists()
