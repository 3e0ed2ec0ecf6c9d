"""Same-person checks belong to the people as they were when checked. A referral returned to the referrer may come
back naming someone else, or its perpetrators in other places: its same-person decisions and the model's
suggestions are cleared on return (audited), a decision is recorded only for the referral as the page showed it,
and acceptance never uses a decision made about someone the referral no longer names there. Found on the demo: a
victim changed on a returned referral was attached to the person confirmed for the old victim, whose real address
was ended and replaced by the referral's confidential one."""

import datetime

import pytest

from audit.models import AuditEvent
from cases.models import PartyRole
from people.models import Address, Person
from people.tests.matching_fixtures import match_model, trained_model
from referrals.models import MatchDecision, Referral, ReferralStatus
from referrals.tests.test_accept_confidential_address import (
    ABOUT,
    CONSENT,
    FLED_TO,
    PERPETRATOR,
    RISK,
    VICTIM,
    _post,
    refer,
)
from referrals.tests.test_accept_known_person import NOT_DECIDED, decide, held
from referrals.tests.test_decision_matching import misspelt

__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.django_db

SOMEONE_ELSE = {
    **VICTIM, "given_name": "Imaginia", "family_name": "Madeupson", "date_of_birth": "1985-06-06",
    "address_line_1": "9 Elsewhere Road", "postcode": "NB9 9EE",
}  # fmt: skip
FIRST_PERPETRATOR = {**PERPETRATOR, "date_of_birth": "1980-02-02"}
SECOND_PERPETRATOR = {
    **PERPETRATOR,
    "given_name": "Pretendo",
    "family_name": "Brutesworth",
    "date_of_birth": "1979-09-09",
}
CONFIRMED = "Confirmed: same person"
CLEARED = "Same-person checks cleared"


def refer_naming_two_perpetrators(client_for, referrer):
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.filter(referrer=referrer).latest("pk")
    _post(client, referral, "victim", VICTIM)
    for perpetrator in (FIRST_PERPETRATOR, SECOND_PERPETRATOR):
        _post(client, referral, "perpetrators", perpetrator, new=True)
    for slug, data in (("risk", RISK), ("consent", CONSENT), ("about", ABOUT)):
        _post(client, referral, slug, data)
    submit(client, referral)
    assert [p["given_name"] for p in referral.content["perpetrators"]] == ["Madeup", "Pretendo"]
    return referral


def return_to_referrer(client_for, coordinator, referral):
    client_for(coordinator).post(
        f"/referrals/{referral.pk}/decision/return/", {"reasons": "Check the victim's details"}
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RETURNED


def change_victim(client, referral, victim):
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/victim/", {**victim, "version": referral.version, "action": "continue"})


def submit(client, referral):
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED, referral.status


def decision_page(client, referral):
    return client.get(f"/referrals/{referral.pk}/decision/").content.decode()


def accept(client, referral, *, shown_version=None):
    """As the decision page's button does: with the referral's version the page showed."""
    referral.refresh_from_db()
    data = {"version": referral.version if shown_version is None else shown_version}
    page = client.post(f"/referrals/{referral.pk}/decision/accept/", data, follow=True).content.decode()
    referral.refresh_from_db()
    return page


def test_a_confirmed_victim_is_not_kept_when_the_returned_referral_names_someone_else(
    client_for, referrer, coordinator, marac
):
    her = held(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3), "3 Oldhome Close")
    referral = refer(client_for, referrer, {**VICTIM, **FLED_TO, "perpetrator_knows_address": "no"})
    desk, referrer_client = client_for(coordinator), client_for(referrer)
    decide(desk, referral, "victim", her, "confirmed")
    assert CONFIRMED in decision_page(desk, referral)

    return_to_referrer(client_for, coordinator, referral)
    change_victim(referrer_client, referral, SOMEONE_ELSE)
    submit(referrer_client, referral)
    page = decision_page(desk, referral)
    accept(desk, referral)

    assert CONFIRMED not in page and f'href="/people/{her.pk}/"' not in page
    assert referral.case is not None and referral.case.victim != her
    assert referral.case.victim.given_name == "Imaginia"
    # Her own address is still current: nothing of the referral was put on her record.
    assert list(Address.objects.filter(person=her).values_list("line_1", "lived_to")) == [("3 Oldhome Close", None)]
    cleared = AuditEvent.objects.get(object_id=str(referral.pk), summary__startswith=CLEARED)
    assert cleared.changes == {
        "match_decisions_cleared": [{"party": "victim", "person": her.pk, "decision": "confirmed"}]
    }
    assert "Imaginia" not in cleared.summary and "Fictiona" not in cleared.summary


def test_the_new_victims_likely_match_is_shown_and_stops_the_acceptance(
    client_for, referrer, coordinator, marac, match_model
):
    known = misspelt(marac)  # found by the model only, 9x% likely to be VICTIM, never by the exact checks
    referral = refer(client_for, referrer, SOMEONE_ELSE)
    desk, referrer_client = client_for(coordinator), client_for(referrer)
    assert f'href="/people/{known.pk}/"' not in decision_page(desk, referral)  # worked out for Imaginia

    return_to_referrer(client_for, coordinator, referral)
    change_victim(referrer_client, referral, VICTIM)
    submit(referrer_client, referral)
    page = decision_page(desk, referral)
    refused = accept(desk, referral)

    assert f'href="/people/{known.pk}/">Fictiona Testwroth</a>' in page
    assert "Before accepting, decide whether the victim is someone already held here" in page
    assert NOT_DECIDED in refused
    assert referral.status == ReferralStatus.SUBMITTED and referral.case is None
    assert not Person.objects.filter(family_name="Testworth").exists()  # no duplicate of her made


def test_accepting_from_a_page_shown_before_the_referral_was_returned_is_refused(
    client_for, referrer, coordinator, marac, match_model
):
    known = misspelt(marac)
    referral = refer(client_for, referrer, SOMEONE_ELSE)
    desk, referrer_client = client_for(coordinator), client_for(referrer)
    shown = referral.version
    assert f'name="version" value="{shown}"' in decision_page(desk, referral)

    return_to_referrer(client_for, coordinator, referral)
    change_victim(referrer_client, referral, VICTIM)
    submit(referrer_client, referral)
    refused = accept(desk, referral, shown_version=shown)  # the victim on that page was Imaginia

    assert "The referral has changed since that page was shown" in refused
    assert referral.case is None and not Person.objects.filter(family_name="Testworth").exists()
    assert f'href="/people/{known.pk}/">Fictiona Testwroth</a>' in refused  # the page, shown again, has her match


def test_perpetrator_decisions_never_move_to_the_next_perpetrator_when_one_is_removed(
    client_for, referrer, coordinator, marac
):
    first = held(marac, "Madeup", "Villainson", datetime.date(1980, 2, 2), "1 Firstone Street")
    second = held(marac, "Pretendo", "Brutesworth", datetime.date(1979, 9, 9), "2 Secondone Street")
    referral = refer_naming_two_perpetrators(client_for, referrer)
    referrer_client, desk = client_for(referrer), client_for(coordinator)
    decide(desk, referral, "perpetrators.0", first, "confirmed")
    decide(desk, referral, "perpetrators.1", second, "rejected")  # the coordinator knows better, say

    return_to_referrer(client_for, coordinator, referral)
    referrer_client.post(f"/referrals/{referral.pk}/perpetrators/0/remove/", {"version": referral.version})
    referral.refresh_from_db()
    assert [p["given_name"] for p in referral.content["perpetrators"]] == ["Pretendo"]
    submit(referrer_client, referral)
    page = decision_page(desk, referral)
    refused = accept(desk, referral)

    assert CONFIRMED not in page and "Not the same person</strong>" not in page
    assert "Before accepting, decide whether perpetrator 1 is someone already held here" in page
    assert "first decide whether perpetrator 1 is someone already held here" in refused
    assert referral.case is None
    decide(desk, referral, "perpetrators.0", second, "confirmed")
    accept(desk, referral)
    perpetrators = [party.person for party in referral.case.parties.filter(role=PartyRole.PERPETRATOR)]
    assert perpetrators == [second]


def test_a_decision_posted_from_a_page_shown_before_the_return_is_not_recorded(
    client_for, referrer, coordinator, marac
):
    her = held(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3), "3 Oldhome Close")
    referral = refer(client_for, referrer, VICTIM)
    desk, referrer_client = client_for(coordinator), client_for(referrer)
    shown = referral.version
    assert f'name="version" value="{shown}"' in decision_page(desk, referral)

    return_to_referrer(client_for, coordinator, referral)
    change_victim(
        referrer_client, referral, {**SOMEONE_ELSE, "family_name": "Testworth", "date_of_birth": "1991-04-03"}
    )
    submit(referrer_client, referral)
    data = {"party": "victim", "person": her.pk, "decision": "confirmed", "version": shown}
    page = desk.post(f"/referrals/{referral.pk}/decision/match/", data, follow=True).content.decode()

    assert "The referral has changed since that page was shown" in page
    assert not MatchDecision.objects.filter(referral=referral).exists()


def test_a_decision_made_before_the_referral_last_changed_is_cleared_and_asked_again(
    client_for, referrer, coordinator, marac
):
    """A decision left from before returning cleared them (recorded without its person, before the referral was last
    submitted): acceptance is refused, the decision cleared (audited), and the coordinator checks again."""
    her = held(marac, "Fictiona", "Testworth", datetime.date(1991, 4, 3), "3 Oldhome Close")
    referral = refer(client_for, referrer, SOMEONE_ELSE)
    left = MatchDecision.objects.create(
        referral=referral, party="victim", person=her, decision="confirmed", decided_by=coordinator
    )
    MatchDecision.objects.filter(pk=left.pk).update(decided_at=referral.submitted_at - datetime.timedelta(days=1))
    desk = client_for(coordinator)

    page = decision_page(desk, referral)
    refused = accept(desk, referral)

    assert CONFIRMED not in page
    assert "the same-person checks for the victim were made when the referral named someone else" in refused
    assert referral.case is None and not MatchDecision.objects.exists()
    assert AuditEvent.objects.filter(object_id=str(referral.pk), summary__startswith=CLEARED).exists()
    accept(desk, referral)
    assert referral.case is not None and referral.case.victim != her
    assert Address.objects.get(person=her).lived_to is None


def test_the_decision_page_says_when_the_perpetrators_knowledge_of_the_address_was_not_answered(
    client_for, referrer, coordinator
):
    not_answered = refer(client_for, referrer, VICTIM)
    answered = refer(client_for, referrer, {**VICTIM, "perpetrator_knows_address": "no"})
    desk = client_for(coordinator)

    page = decision_page(desk, not_answered)
    other = decision_page(desk, answered)

    row = '<dt class="govuk-summary-list__key">Does the perpetrator know this address?</dt>'
    assert f'{row}<dd class="govuk-summary-list__value">Not answered, so the address is kept confidential</dd>' in page
    assert f'{row}<dd class="govuk-summary-list__value">No</dd>' in other and "Not answered" not in other
    assert Referral.objects.get(pk=not_answered.pk).content["victim"].get("perpetrator_knows_address") is None
