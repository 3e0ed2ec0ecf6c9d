"""A referral open in two windows: the second save is refused and shows what the other window saved beside its own
unsaved version, so saving again replaces the other's work only knowingly (through the real pages)."""

import re

import pytest

from referrals.models import Referral
from referrals.tests.test_referral_pages import PERPETRATOR, VICTIM

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(client_for, referrer):
    client_for(referrer).post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


def _version(page):
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def _conflict(page):
    found = re.search(r'data-testid="conflict">(.*?)</dl>', page.content.decode(), re.S)
    return found.group(1) if found else ""


def test_the_second_window_sees_what_the_first_saved_and_keeps_its_own_unsaved(client_for, referrer, referral):
    url = f"/referrals/{referral.pk}/victim/"
    first, second = client_for(referrer), client_for(referrer)
    first_version, second_version = _version(first.get(url)), _version(second.get(url))

    saved = first.post(url, {**VICTIM, "safe_contact": "Call the refuge office only", "version": first_version})
    assert saved.status_code == 302
    refused = second.post(url, {**VICTIM, "safe_contact": "Email the work address", "version": second_version})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "saved somewhere else" in page and "Nothing here has been saved yet" in page
    shown = _conflict(refused)
    assert "Call the refuge office only" in shown  # what the other window saved
    assert "Email the work address" not in shown
    assert re.search(r"<textarea[^>]*>\s*Email the work address", page) or 'value="Email the work address"' in page
    referral.refresh_from_db()
    assert referral.content["victim"]["safe_contact"] == "Call the refuge office only"
    # Saving again from this page, with both on screen, is a deliberate choice.
    again = second.post(url, {**VICTIM, "safe_contact": "Email the work address", "version": _version(refused)})
    assert again.status_code == 302
    referral.refresh_from_db()
    assert referral.content["victim"]["safe_contact"] == "Email the work address"


def test_an_item_of_a_list_shows_the_saved_item_after_a_conflict(client_for, referrer, referral):
    client = client_for(referrer)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/perpetrators/new/", {**PERPETRATOR, "version": referral.version})
    url = f"/referrals/{referral.pk}/perpetrators/0/"
    first, second = client_for(referrer), client_for(referrer)
    first_version, second_version = _version(first.get(url)), _version(second.get(url))
    first.post(url, {**PERPETRATOR, "given_name": "Invento", "version": first_version})
    refused = second.post(url, {**PERPETRATOR, "given_name": "Fabricato", "version": second_version})
    shown = _conflict(refused)
    assert "Invento" in shown and "Fabricato" not in shown
    assert 'value="Fabricato"' in refused.content.decode()
    referral.refresh_from_db()
    assert referral.content["perpetrators"][0]["given_name"] == "Invento"


def test_adding_an_item_after_a_conflict_lists_the_items_saved_now(client_for, referrer, referral):
    url = f"/referrals/{referral.pk}/perpetrators/new/"
    first, second = client_for(referrer), client_for(referrer)
    first_version, second_version = _version(first.get(url)), _version(second.get(url))
    first.post(url, {**PERPETRATOR, "version": first_version})
    refused = second.post(url, {**PERPETRATOR, "given_name": "Fabricato", "version": second_version})
    assert "Madeup Villainson" in _conflict(refused)
    referral.refresh_from_db()
    assert [item["given_name"] for item in referral.content["perpetrators"]] == ["Madeup"]


def test_someone_else_cannot_open_the_section(client_for, outsider, idva, referral):
    for user in (outsider, idva):
        assert client_for(user).get(f"/referrals/{referral.pk}/victim/").status_code == 404
