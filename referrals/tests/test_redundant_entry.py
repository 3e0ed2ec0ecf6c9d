"""WCAG 3.3.7 Redundant Entry: what the referrer already gave in the victim's section is offered, not asked again.
A child's or perpetrator's page offers "lives at the victim's address", copying it in when ticked; the risk
checklist's pregnancy question is pre-selected "yes" when the victim's section says the victim is pregnant."""

import pytest

from referrals.models import Referral
from referrals.tests.test_referral_pages import CHILD, PERPETRATOR, VICTIM, _post, _risk

pytestmark = pytest.mark.django_db

OFFER = 'name="at_victim_address"'
VICTIM_ADDRESS = {
    "address_line_1": VICTIM["address_line_1"],
    "address_line_2": "",
    "town": VICTIM["town"],
    "postcode": VICTIM["postcode"],  # kept as typed, as every answer is
}


@pytest.fixture
def client(client_for, referrer):
    return client_for(referrer)


@pytest.fixture
def referral(client, referrer):
    client.post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


def _address(item):
    return {name: item.get(name, "") for name in VICTIM_ADDRESS}


def test_it_offers_the_victim_s_address_on_a_new_child_once_it_is_given(client, referral):
    assert OFFER not in client.get(f"/referrals/{referral.pk}/children/new/").content.decode()  # nothing to offer yet
    _post(client, referral, "victim", VICTIM)
    page = client.get(f"/referrals/{referral.pk}/children/new/").content.decode()
    assert OFFER in page
    assert "The child lives at the victim&#x27;s address" in page
    assert "12 Imaginary Row, Nowhereton, NB1 2XY" in page  # which address, so the referrer can tell it is right


def test_ticking_it_saves_the_victim_s_address_as_the_child_s(client, referral):
    _post(client, referral, "victim", VICTIM)
    response = _post(client, referral, "children", {**CHILD, "at_victim_address": "on"}, index="new")
    assert response.status_code == 302
    referral.refresh_from_db()
    (child,) = referral.content["children"]
    assert _address(child) == VICTIM_ADDRESS
    assert "at_victim_address" not in child  # only the address is kept
    # Coming back, the child's address is in its own fields, to change if it is ever different.
    page = client.get(f"/referrals/{referral.pk}/children/0/").content.decode()
    assert 'value="12 Imaginary Row"' in page


def test_it_replaces_an_address_typed_as_well_and_is_a_copy_the_victim_s_later_changes_leave(client, referral):
    _post(client, referral, "victim", VICTIM)
    typed = {**CHILD, "address_line_1": "1 Other Lane", "postcode": "NB9 9ZZ", "at_victim_address": "on"}
    _post(client, referral, "children", typed, index="new")
    _post(client, referral, "victim", {**VICTIM, "address_line_1": "Somewhere safe", "postcode": "NB3 3AA"})
    referral.refresh_from_db()
    assert _address(referral.content["children"][0]) == VICTIM_ADDRESS


def test_left_unticked_the_child_keeps_the_address_typed(client, referral):
    _post(client, referral, "victim", VICTIM)
    _post(client, referral, "children", {**CHILD, "address_line_1": "1 Other Lane"}, index="new")
    referral.refresh_from_db()
    assert referral.content["children"][0]["address_line_1"] == "1 Other Lane"


def test_the_perpetrator_s_page_offers_it_too(client, referral):
    _post(client, referral, "victim", VICTIM)
    page = client.get(f"/referrals/{referral.pk}/perpetrators/new/").content.decode()
    assert "The perpetrator lives at the victim&#x27;s address" in page
    _post(client, referral, "perpetrators", {**PERPETRATOR, "at_victim_address": "on"}, index="new")
    referral.refresh_from_db()
    assert _address(referral.content["perpetrators"][0]) == VICTIM_ADDRESS


def _pregnancy_answer(page):
    """The checked answer of question 9 on the risk page, or None."""
    for value in ("yes", "no", "not_known"):
        if f'name="q9" value="{value}" id="id_q9_' in page and _checked(page, value):
            return value
    return None


def _checked(page, value):
    start = page.index(f'name="q9" value="{value}"')
    return " checked" in page[start : page.index(">", start)]


def test_the_risk_page_preselects_pregnancy_when_the_victim_is_pregnant(client, referral):
    _post(client, referral, "victim", {**VICTIM, "pregnant": "yes"})
    page = client.get(f"/referrals/{referral.pk}/risk/").content.decode()
    assert _pregnancy_answer(page) == "yes"
    assert "the victim&#x27;s details say the victim is pregnant" in page


def test_it_preselects_it_in_a_checklist_saved_without_it(client, referral):
    _post(client, referral, "victim", {**VICTIM, "pregnant": "yes"})
    partial = {name: answer for name, answer in _risk(3).items() if name != "q9"}
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/risk/", {**partial, "version": referral.version, "action": "draft"})
    page = client.get(f"/referrals/{referral.pk}/risk/").content.decode()
    assert _pregnancy_answer(page) == "yes"
    referral.refresh_from_db()
    assert "q9" not in referral.content["risk"]  # shown, not saved, until the referrer saves the page


def test_it_never_changes_an_answer_given(client, referral):
    _post(client, referral, "risk", _risk(3))  # question 9 answered "no"
    _post(client, referral, "victim", {**VICTIM, "pregnant": "yes"})
    page = client.get(f"/referrals/{referral.pk}/risk/").content.decode()
    assert _pregnancy_answer(page) == "no"


def test_nothing_is_preselected_unless_the_victim_is_pregnant(client, referral):
    _post(client, referral, "victim", {**VICTIM, "pregnant": "not_known"})
    assert _pregnancy_answer(client.get(f"/referrals/{referral.pk}/risk/").content.decode()) is None
