"""“Not this person record?”: a coordinator moves someone on a case off the person record a same-person check wrongly
matched them to, onto a new record made from the referral or another record held here; the old record keeps its
other cases, the referral's answer becomes "not the same", and whether the cases are repeats is decided again."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, CaseParty, CaseRestriction, PartyRole
from people.models import Address, Person, PersonLink
from referrals.models import MatchDecision
from referrals.tests.test_accept_confidential_address import CHILD, FLED_TO, VICTIM, accept, refer
from testing.factories import AddressFactory, CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

LINK = "Not this person record?"
STALE = "this case was changed by someone else since you opened this page"


def someone_else(marac):
    """Another woman with the same name and date of birth as the referral's victim, heard two months ago."""
    her = PersonFactory(
        marac=marac, given_name="Fictiona", family_name="Testworth", date_of_birth=datetime.date(1991, 4, 3)
    )
    AddressFactory(person=her, line_1="3 Oldhome Close", town="Nowhereton", postcode="NB3 3OC")
    earlier = CaseFactory(marac=marac, victim=her, heard_on=timezone.localdate() - datetime.timedelta(days=60))
    him = PersonFactory(marac=marac, given_name="Madeup", family_name="Villainson", gender="male")
    CaseParty.objects.create(case=earlier, person=him, role=PartyRole.PERPETRATOR)
    return her, him, earlier


def wrongly_matched(client_for, referrer, coordinator, marac, *, children=()):
    her, him, earlier = someone_else(marac)
    referral = refer(client_for, referrer, {**VICTIM, **FLED_TO}, children=children)
    for party, person in (("victim", her), ("perpetrators.0", him)):  # the victim wrongly, the perpetrator rightly
        data = {"party": party, "person": person.pk, "decision": "confirmed"}
        client_for(coordinator).post(f"/referrals/{referral.pk}/decision/match/", data)
    case = accept(client_for, coordinator, referral)
    assert case.victim == her and case.is_repeat
    return case, her, earlier, referral


def url(case, role, person):
    return f"/cases/{case.pk}/parties/{role}/{person.pk}/correct/"


def test_it_moves_a_wrongly_matched_victim_to_a_new_record_made_from_the_referral(
    client_for, referrer, coordinator, marac
):
    case, her, earlier, referral = wrongly_matched(client_for, referrer, coordinator, marac)
    desk = client_for(coordinator)

    case_page = desk.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="{url(case, "victim", her)}">{LINK}' in case_page
    page = desk.get(url(case, "victim", her)).content.decode()
    assert "A new person record, made from what the referral said about them" in page
    done = desk.post(url(case, "victim", her), {"to": "new", "version": case.version}, follow=True).content.decode()

    case.refresh_from_db()
    new = case.victim
    assert new != her and (new.given_name, new.date_of_birth) == ("Fictiona", datetime.date(1991, 4, 3))
    assert f"now on person record {new.pk}" in done
    assert case.parties.get(role=PartyRole.VICTIM).person == new
    assert not case.is_repeat  # the earlier hearing was someone else's
    address = Address.objects.get(person=new)
    assert (address.line_1, address.confidential) == ("7 Hidewell Lane", True)
    assert MatchDecision.objects.get(referral=referral, party="victim", person=her).decision == "rejected"
    assert PersonLink.objects.get().decision == PersonLink.Decision.REJECTED
    assert list(Case.objects.filter(victim=her)) == [earlier]
    her.refresh_from_db()
    assert her.given_name == "Fictiona"  # left as it was
    # Accepting had made the referral's address hers, ending her own: her own is current again, the other gone.
    assert list(Address.objects.filter(person=her).values_list("line_1", "lived_to")) == [("3 Oldhome Close", None)]
    assert "also holds the address" not in done
    summaries = " ".join(AuditEvent.objects.values_list("summary", flat=True))
    assert f"moved from person {her.pk} to person {new.pk}" in summaries
    assert "Fictiona" not in summaries and "Testworth" not in summaries


def test_it_moves_a_child_to_another_record_held_here_and_confirms_it_on_the_referral(
    client_for, referrer, coordinator, marac
):
    case, _, _, referral = wrongly_matched(client_for, referrer, coordinator, marac, children=[CHILD])
    child = case.parties.get(role=PartyRole.CHILD).person
    right = PersonFactory(marac=marac, given_name="Tiny", family_name="Testworth")
    desk = client_for(coordinator)

    data = {"to": "chosen", "person_number": right.pk, "version": case.version}
    desk.post(url(case, "child", child), data)

    assert case.parties.get(role=PartyRole.CHILD).person == right
    decisions = dict(
        MatchDecision.objects.filter(referral=referral, party="children.0").values_list("person", "decision")
    )
    assert decisions == {child.pk: "rejected", right.pk: "confirmed"}
    assert Person.objects.filter(pk=child.pk).exists()


def test_it_refuses_a_page_opened_before_someone_changed_the_case(client_for, referrer, coordinator, marac):
    case, her, _, _ = wrongly_matched(client_for, referrer, coordinator, marac)
    desk = client_for(coordinator)
    opened_at = case.version
    desk.post(url(case, "victim", her), {"to": "new", "version": opened_at})  # a colleague corrected it meanwhile
    Case.objects.filter(pk=case.pk).update(victim=her)
    CaseParty.objects.filter(case=case, role=PartyRole.VICTIM).update(person=her)  # as if put back by mistake

    again = desk.post(url(case, "victim", her), {"to": "new", "version": opened_at}).content.decode()

    assert STALE in again
    assert Person.objects.filter(given_name="Fictiona").count() == 2  # no third record


def test_it_says_what_to_do_for_an_imported_case_with_no_referral(client_for, coordinator, marac):
    case = CaseFactory(marac=marac)
    desk = client_for(coordinator)

    refused = desk.post(url(case, "victim", case.victim), {"to": "new", "version": case.version}).content.decode()
    right = PersonFactory(marac=marac)
    desk.post(url(case, "victim", case.victim), {"to": "chosen", "person_number": right.pk, "version": case.version})

    assert "imported from another system without its referral" in refused
    assert "choose it by its number instead" in refused
    case.refresh_from_db()
    assert case.victim == right


def test_only_a_coordinator_named_on_a_restricted_case_can_correct_it(
    client_for, referrer, coordinator, police_rep, outsider, marac
):
    case, her, _, _ = wrongly_matched(client_for, referrer, coordinator, marac)
    assert LINK not in client_for(police_rep).get(f"/cases/{case.pk}/").content.decode()
    Case.objects.filter(pk=case.pk).update(restricted=True)
    CaseRestriction.objects.create(case=case, user=police_rep, added_by=police_rep)

    for user in (coordinator, police_rep, outsider):
        client = client_for(user)
        assert client.get(url(case, "victim", her)).status_code == 404
        assert client.post(url(case, "victim", her), {"to": "new", "version": case.version}).status_code == 404

    case.refresh_from_db()
    assert case.victim == her


def test_after_acceptance_the_decision_page_points_to_the_case_page_to_correct_a_match(
    client_for, referrer, coordinator, marac
):
    _, her, _, referral = wrongly_matched(client_for, referrer, coordinator, marac)

    data = {"party": "victim", "person": her.pk, "decision": "rejected"}
    page = client_for(coordinator).post(f"/referrals/{referral.pk}/decision/match/", data, follow=True)

    assert f"choose “{LINK}” next to them" in page.content.decode()
