"""Accepting a referral whose people may be held already: the referral's address becomes the current address of a
person the coordinator confirmed (the old one kept, ended); a strong possible match nobody decided on stops the
acceptance until someone does; and once accepted, the same-person checks the case was made with cannot be changed
from the decision page."""

import datetime

import pytest

from cases.models import PartyRole
from people.models import Address, Person
from people.tests.matching_fixtures import match_model, trained_model
from referrals.models import MatchDecision, ReferralStatus
from referrals.tests.test_accept_confidential_address import CHILD, FLED_TO, HELD_BACK, VICTIM, accept, refer
from referrals.tests.test_decision_matching import misspelt
from testing.factories import AddressFactory, PersonFactory

__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.django_db

NOT_DECIDED = "The referral was not accepted: first decide whether the victim is someone already held here."


def held(marac, given, family, born, line_1):
    person = PersonFactory(marac=marac, given_name=given, family_name=family, date_of_birth=born)
    AddressFactory(person=person, line_1=line_1, town="Nowhereton", postcode="NB3 3OC", lived_from=born)
    return person


def decide(client, referral, party, person, decision):
    data = {"party": party, "person": person.pk, "decision": decision}
    return client.post(f"/referrals/{referral.pk}/decision/match/", data, follow=True)


def test_the_referrals_address_becomes_the_current_address_of_people_held_already(
    client_for, referrer, coordinator, police_rep, idva, marac
):
    her = held(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3), "3 Oldhome Close")
    child = held(marac, "Tiny", "Testworth", datetime.date(2019, 6, 1), "3 Oldhome Close")
    victim = {**VICTIM, **FLED_TO, "perpetrator_knows_address": "no"}
    referral = refer(client_for, referrer, victim, children=[{**CHILD, **FLED_TO}])
    desk = client_for(coordinator)
    decide(desk, referral, "victim", her, "confirmed")
    decide(desk, referral, "children.0", child, "confirmed")

    case = accept(client_for, coordinator, referral)

    assert case.victim == her and case.parties.get(role=PartyRole.CHILD).person == child
    for person in (her, child):
        shown_to_idva = client_for(idva).get(f"/people/{person.pk}/").content.decode()
        assert "Confidential address (current)" in shown_to_idva
        assert "7 Hidewell Lane, Nowhereton NB7 7HL" in shown_to_idva
        assert "3 Oldhome Close" in shown_to_idva and "Address (current)" not in shown_to_idva
        shown_to_rep = client_for(police_rep).get(f"/people/{person.pk}/").content.decode()
        assert HELD_BACK in shown_to_rep and "Hidewell" not in shown_to_rep
        assert "Address (current)" not in shown_to_rep  # the old address, kept, is not where she lives now
        old = Address.objects.get(person=person, lived_to__isnull=False)
        assert old.lived_to == case.referred_on - datetime.timedelta(days=1)


def test_the_same_address_again_stays_current_and_becomes_confidential(
    client_for, referrer, coordinator, police_rep, marac
):
    her = held(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3), "12 Imaginary Row")
    Address.objects.filter(person=her).update(postcode="NB1 2XY")
    referral = refer(client_for, referrer, {**VICTIM, "perpetrator_knows_address": "not_known"})
    decide(client_for(coordinator), referral, "victim", her, "confirmed")

    accept(client_for, coordinator, referral)

    assert HELD_BACK in client_for(police_rep).get(f"/people/{her.pk}/").content.decode()
    assert Address.objects.filter(person=her).count() == 1


def test_a_strong_match_nobody_decided_on_stops_the_acceptance(client_for, referrer, coordinator, marac):
    held(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3), "3 Oldhome Close")
    referral = refer(client_for, referrer, VICTIM)
    desk = client_for(coordinator)

    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "Before accepting, decide whether the victim is someone already held here" in page
    refused = desk.post(f"/referrals/{referral.pk}/decision/accept/", follow=True).content.decode()

    assert NOT_DECIDED in refused
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED and referral.case is None
    assert Person.objects.filter(given_name="Fictiona").count() == 1


def test_once_decided_either_way_the_referral_is_accepted(client_for, referrer, coordinator, marac):
    someone_else = held(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3), "3 Oldhome Close")
    referral = refer(client_for, referrer, VICTIM)
    desk = client_for(coordinator)
    decide(desk, referral, "victim", someone_else, "rejected")

    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert "Before accepting" not in page
    case = accept(client_for, coordinator, referral)
    assert case.victim != someone_else


def test_a_match_the_model_finds_likely_stops_the_acceptance_too(client_for, referrer, coordinator, marac, match_model):
    misspelt(marac)  # found by the model only, 9x% likely
    referral = refer(client_for, referrer, VICTIM)
    desk = client_for(coordinator)
    desk.get(f"/referrals/{referral.pk}/decision/")  # the model's suggestions are worked out for the page

    refused = desk.post(f"/referrals/{referral.pk}/decision/accept/", follow=True).content.decode()

    assert NOT_DECIDED in refused
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_after_acceptance_the_same_person_check_cannot_be_changed(client_for, referrer, coordinator, marac):
    her = held(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3), "3 Oldhome Close")
    referral = refer(client_for, referrer, VICTIM)
    desk = client_for(coordinator)
    decide(desk, referral, "victim", her, "confirmed")
    case = accept(client_for, coordinator, referral)

    page = desk.get(f"/referrals/{referral.pk}/decision/").content.decode()
    changed = decide(desk, referral, "victim", her, "rejected")
    replacing = MatchDecision.objects.get().decided_at.isoformat()
    data = {"party": "victim", "person": her.pk, "decision": "rejected", "replacing": replacing}
    asked_again = desk.post(f"/referrals/{referral.pk}/decision/match/", data, follow=True).content.decode()

    assert "Not the same person<span" not in page  # no answer offered any more
    for response in (changed.content.decode(), asked_again):
        assert "its same-person checks can no longer be changed here" in response
        assert "Not this person record?" in response
        assert "Same-person check changed" not in response and "Change the decision to" not in response
    assert changed.status_code == 200
    assert MatchDecision.objects.get().decision == "confirmed"
    case.refresh_from_db()
    assert case.victim == her


def confirm_victim_held(client, referral):
    """For a test that refers the same fictional victim twice: the coordinator confirms the referral's victim is the
    person already held under her name, as accepting now asks (a strong match must be decided on first)."""
    victim = referral.content["victim"]
    for person in Person.objects.filter(
        marac=referral.marac, given_name=victim["given_name"], family_name=victim["family_name"]
    ):
        decide(client, referral, "victim", person, "confirmed")
