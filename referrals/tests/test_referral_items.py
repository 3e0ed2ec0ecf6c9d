"""Perpetrators, children and events on a referral: a failed first save never leaves a blank item behind, correcting
it changes the same item, and removing one asks first and says what went."""

import pytest

from audit.models import AuditEvent
from referrals.models import Referral, ReferralStatus
from referrals.tests.test_referral_pages import CHILD, PERPETRATOR, _complete

pytestmark = pytest.mark.django_db

FAKEO = {**PERPETRATOR, "given_name": "Fakeo", "family_name": "Nobodyson"}
# What the browser posts for an untouched perpetrator form: the drop-downs' first choices, nothing else.
UNTOUCHED = {"ethnicity": "not_known", "sexuality": "not_known", "address_line_1": "", "postcode": ""}


@pytest.fixture
def referral(client_for, referrer):
    client_for(referrer).post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


def _save(client, referral, url, data, action="continue"):
    referral.refresh_from_db()
    return client.post(url, {**data, "version": referral.version, "action": action})


def test_saving_an_empty_new_perpetrator_shows_the_errors_and_adds_nothing(client_for, referrer, referral):
    client = client_for(referrer)
    url = f"/referrals/{referral.pk}/perpetrators/new/"

    response = _save(client, referral, url, UNTOUCHED)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the perpetrator&#x27;s name, or describe them" in page and "Select gender" in page
    assert "Saved as a draft" not in page
    referral.refresh_from_db()
    assert referral.content.get("perpetrators", []) == []


def test_correcting_an_empty_first_save_adds_one_perpetrator_and_submission_is_not_blocked(
    client_for, referrer, referral
):
    client = client_for(referrer)
    _complete(client, referral, children=False)
    url = f"/referrals/{referral.pk}/perpetrators/new/"

    _save(client, referral, url, UNTOUCHED)
    _save(client, referral, url, FAKEO)

    listing = client.get(f"/referrals/{referral.pk}/perpetrators/").content.decode()
    assert "Perpetrator 2" in listing and "Fakeo Nobodyson" in listing and "Perpetrator 3" not in listing
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_a_partly_typed_new_child_is_kept_and_correcting_it_changes_the_same_child(client_for, referrer, referral):
    client = client_for(referrer)
    partial = {**CHILD, "date_of_birth": ""}

    response = _save(client, referral, f"/referrals/{referral.pk}/children/new/", partial)

    # The draft is kept as typed, and the page moves to that child, so the correction changes it.
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/children/0/"
    page = client.get(response["Location"]).content.decode()
    assert "Saved as a draft" in page and "Enter the child&#x27;s date of birth" in page and 'value="Tiny"' in page
    _save(client, referral, response["Location"], CHILD)
    referral.refresh_from_db()
    assert [child["given_name"] for child in referral.content["children"]] == ["Tiny"]
    assert referral.content["children"][0]["date_of_birth"] == CHILD["date_of_birth"]


def test_remove_asks_first_then_removes_and_says_what_was_removed(client_for, referrer, referral):
    client = client_for(referrer)
    for person in (PERPETRATOR, FAKEO):
        _save(client, referral, f"/referrals/{referral.pk}/perpetrators/new/", person)
    listing = client.get(f"/referrals/{referral.pk}/perpetrators/").content.decode()
    remove_url = f"/referrals/{referral.pk}/perpetrators/1/remove/"
    assert f'href="{remove_url}"' in listing  # a link to a page, not a button that removes at once

    confirm = client.get(remove_url)

    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Are you sure you want to remove perpetrator 2?" in page and "Fakeo Nobodyson" in page
    referral.refresh_from_db()
    assert len(referral.content["perpetrators"]) == 2  # nothing removed by looking

    removed = _save(client, referral, remove_url, {})
    assert removed.status_code == 302
    after = client.get(removed["Location"]).content.decode()
    assert "Perpetrator 2 removed" in after and "Fakeo" not in after and "Villainson" in after
    referral.refresh_from_db()
    assert [p["family_name"] for p in referral.content["perpetrators"]] == ["Villainson"]
    assert AuditEvent.objects.filter(summary="Removed an item from perpetrators").count() == 1


def test_a_stale_remove_is_refused_and_removes_nothing(client_for, referrer, referral):
    client = client_for(referrer)
    _save(client, referral, f"/referrals/{referral.pk}/perpetrators/new/", FAKEO)
    referral.refresh_from_db()
    stale = referral.version
    _save(client, referral, f"/referrals/{referral.pk}/perpetrators/0/", {**FAKEO, "given_name": "Changed"})

    response = client.post(f"/referrals/{referral.pk}/perpetrators/0/remove/", {"version": stale}, follow=True)

    assert "saved somewhere else" in response.content.decode()
    referral.refresh_from_db()
    assert len(referral.content["perpetrators"]) == 1


def test_removing_an_item_that_is_not_there_is_not_found(client_for, referrer, referral):
    client = client_for(referrer)
    assert client.get(f"/referrals/{referral.pk}/perpetrators/0/remove/").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/perpetrators/0/remove/", {}).status_code == 404
    assert client.get(f"/referrals/{referral.pk}/victim/0/remove/").status_code == 404


def test_nobody_else_can_see_or_remove_an_item(client_for, referrer, referral, outsider, coordinator):
    _save(client_for(referrer), referral, f"/referrals/{referral.pk}/perpetrators/new/", FAKEO)
    url = f"/referrals/{referral.pk}/perpetrators/0/remove/"
    for user in (outsider, coordinator):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {}).status_code == 404
    referral.refresh_from_db()
    assert len(referral.content["perpetrators"]) == 1
