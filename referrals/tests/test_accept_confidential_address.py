"""A victim who has fled: the referral asks whether the perpetrator knows her address, and unless the answer is yes
(not answered included: older drafts, API clients, imports) her address is kept confidential once the referral is
accepted, and so is the address of a child living with her. Representatives are told that a confidential address is
held; the coordinator and the IDVA see it."""

import json

import pytest

from cases.models import PartyRole
from referrals.models import Referral
from referrals.tests.test_api import _create, _submit
from referrals.tests.test_referral_pages import ABOUT, CHILD, CONSENT, PERPETRATOR, VICTIM

pytestmark = pytest.mark.django_db

FLED_TO = {"address_line_1": "7 Hidewell Lane", "town": "Nowhereton", "postcode": "NB7 7HL"}
HELD_BACK = "A confidential address is held. Ask the coordinator or the IDVA if you need it."
RISK = {f"q{number}": "yes" if number <= 16 else "no" for number in range(1, 25)}


def _post(client, referral, slug, data, *, new=False):
    referral.refresh_from_db()
    url = f"/referrals/{referral.pk}/{slug}/" + ("new/" if new else "")
    return client.post(url, {**data, "version": referral.version, "action": "continue"})


def refer(client_for, referrer, victim, *, children=(), perpetrator=PERPETRATOR):
    """A referral made through the pages, submitted."""
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.filter(referrer=referrer).latest("pk")
    _post(client, referral, "victim", victim)
    _post(client, referral, "perpetrators", perpetrator, new=True)
    for child in children:
        _post(client, referral, "children", child, new=True)
    for slug, data in (("risk", RISK), ("consent", CONSENT), ("about", ABOUT)):
        _post(client, referral, slug, data)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "submitted", referral.status
    return referral


def accept(client_for, coordinator, referral):
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    assert referral.case is not None
    return referral.case


def person_page(client, case, role=PartyRole.VICTIM):
    party = case.parties.get(role=role)
    return client.get(f"/people/{party.person_id}/").content.decode()


def test_the_victims_section_asks_whether_the_perpetrator_knows_her_address(client_for, referrer):
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)

    page = client.get(f"/referrals/{referral.pk}/victim/").content.decode()

    assert "Does the perpetrator know this address?" in page
    assert "Unless they do, the address is kept confidential" in page
    for value in ("yes", "no", "not_known"):
        assert f'name="perpetrator_knows_address" value="{value}"' in page


def test_a_fled_victims_address_and_her_childs_are_kept_from_representatives(
    client_for, referrer, coordinator, police_rep, idva
):
    victim = {**VICTIM, **FLED_TO, "perpetrator_knows_address": "no"}
    child = {**CHILD, "at_victim_address": "on"}  # "The child lives at the victim's address", ticked
    case = accept(client_for, coordinator, refer(client_for, referrer, victim, children=[child]))

    for role in (PartyRole.VICTIM, PartyRole.CHILD):
        shown_to_rep = person_page(client_for(police_rep), case, role)
        assert HELD_BACK in shown_to_rep
        assert "Hidewell" not in shown_to_rep and "NB7 7HL" not in shown_to_rep
        shown_to_idva = person_page(client_for(idva), case, role)
        assert "Confidential address (current)" in shown_to_idva
        assert "7 Hidewell Lane, Nowhereton NB7 7HL" in shown_to_idva


@pytest.mark.parametrize("answer", ["not_known", None])
def test_an_address_not_known_to_be_known_to_the_perpetrator_is_confidential(
    client_for, referrer, coordinator, police_rep, answer
):
    """ "Not known", and the question not answered at all (a draft begun before it was asked)."""
    victim = {**VICTIM, **FLED_TO} | ({"perpetrator_knows_address": answer} if answer else {})
    child = {**CHILD, "address_line_1": "7, hidewell lane", "postcode": "nb77hl"}  # hers, typed again
    case = accept(client_for, coordinator, refer(client_for, referrer, victim, children=[child]))

    for role in (PartyRole.VICTIM, PartyRole.CHILD):
        page = person_page(client_for(police_rep), case, role)
        assert HELD_BACK in page and "Hidewell" not in page


def test_an_address_the_perpetrator_knows_is_shown_to_representatives(client_for, referrer, coordinator, police_rep):
    victim = {**VICTIM, "perpetrator_knows_address": "yes"}
    case = accept(client_for, coordinator, refer(client_for, referrer, victim, children=[{**CHILD, **FLED_TO}]))

    page = person_page(client_for(police_rep), case)
    assert "Address (current)" in page and "12 Imaginary Row, Nowhereton NB1 2XY" in page
    assert HELD_BACK not in page
    assert "7 Hidewell Lane" in person_page(client_for(police_rep), case, PartyRole.CHILD)


def test_a_referral_from_the_api_without_the_answer_keeps_the_address_confidential(
    client_for, referrer, coordinator, police_rep
):
    api = client_for(referrer)
    document = {"victim": {**VICTIM, **FLED_TO}, "perpetrators": [PERPETRATOR], "children": [{**CHILD, **FLED_TO}],
                "risk": RISK, "consent": CONSENT, "about": ABOUT}  # fmt: skip
    created = _create(api, document).json()
    assert _submit(api, created["id"]).status_code == 200

    case = accept(client_for, coordinator, Referral.objects.get(pk=created["id"]))

    for role in (PartyRole.VICTIM, PartyRole.CHILD):
        page = person_page(client_for(police_rep), case, role)
        assert HELD_BACK in page and "Hidewell" not in page


def test_the_api_schema_and_answers_take_the_question_as_the_page_does(client, client_for, referrer):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ReferralVictim"]
    question = schema["properties"]["perpetrator_knows_address"]
    assert "Does the perpetrator know this address?" in question["description"]
    assert {"yes", "no", "not_known"} <= set(question["enum"])

    api = client_for(referrer)
    created = _create(api).json()
    url = f"/api/v1/referrals/{created['id']}/sections/victim"
    headers = {"If-Match": f'"{created["version"]}"'}
    wrong = {**VICTIM, "perpetrator_knows_address": "perhaps"}
    response = api.put(url, json.dumps(wrong), content_type="application/json", headers=headers)

    assert response.json()["errors"] == {
        "victim.perpetrator_knows_address": ["Select whether the perpetrator knows this address"]
    }
