"""The button "Save as draft and come back later" saves what was typed, valid or not, and goes back to the
referral with a message: never an error page. What still needs correcting is shown when the referrer presses
"Save and continue", or comes back to the section."""

import pytest

from audit.models import AuditEvent
from referrals.tests.test_review_answers import ABOUT, save, start

pytestmark = pytest.mark.django_db

DRAFT_SAVED = "Draft saved. You can come back to it later"


@pytest.mark.parametrize("path", ["perpetrators/new", "victim", "about"])
def test_a_draft_with_only_a_given_name_is_kept_and_the_referrer_goes_back_to_the_referral(client_for, referrer, path):
    client = client_for(referrer)
    referral = start(client)

    response = save(client, referral, path, {"given_name": "Fictiona", "background": "Met at the clinic."}, "draft")

    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert DRAFT_SAVED in page and "Error:" not in page
    referral.refresh_from_db()
    slug = path.removesuffix("/new")
    saved = referral.content[slug][0] if slug == "perpetrators" else referral.content[slug]
    assert saved.get("given_name", saved.get("background")) in {"Fictiona", "Met at the clinic."}
    assert AuditEvent.objects.filter(object_id=str(referral.pk), summary=f"Saved section: {slug}").exists()


def test_the_errors_show_when_the_referrer_saves_and_continues_or_comes_back(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "perpetrators/new", {"given_name": "Madeup"}, "draft")

    again = client.get(f"/referrals/{referral.pk}/perpetrators/0/").content.decode()
    continued = save(client, referral, "perpetrators/0", {"given_name": "Madeup"}).content.decode()

    for page in (again, continued):
        assert "<title>Error:" in page and "Select their relationship to the victim" in page
        assert 'value="Madeup"' in page


def test_a_valid_section_saved_as_a_draft_also_goes_back_to_the_referral(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)

    response = save(client, referral, "about", ABOUT, "draft")

    assert response["Location"] == f"/referrals/{referral.pk}/"
    referral.refresh_from_db()
    assert referral.content["about"]["background"] == ABOUT["background"]


def test_a_new_item_left_empty_adds_nothing(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)

    as_shown = {"ethnicity": "not_known", "sexuality": "not_known"}  # what the empty page sends: its defaults
    response = save(client, referral, "perpetrators/new", as_shown, "draft")

    assert response["Location"] == f"/referrals/{referral.pk}/"
    referral.refresh_from_db()
    assert "perpetrators" not in referral.content
    assert "nothing was added" in client.get(response["Location"]).content.decode()


def test_a_draft_saved_from_a_stale_page_is_refused_with_both_versions_shown(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    stale = referral.version
    save(client, referral, "victim", {"given_name": "Fictiona"}, "draft")

    response = client.post(
        f"/referrals/{referral.pk}/victim/", {"given_name": "Changed", "version": stale, "action": "draft"}
    )

    page = response.content.decode()
    assert response.status_code == 200 and "saved somewhere else" in page and 'value="Changed"' in page
    referral.refresh_from_db()
    assert referral.content["victim"]["given_name"] == "Fictiona"


def test_nobody_else_can_save_a_draft_of_the_referral(client_for, referrer, coordinator, outsider):
    referral = start(client_for(referrer))
    for user in (coordinator, outsider):
        response = client_for(user).post(
            f"/referrals/{referral.pk}/victim/",
            {"given_name": "Intruder", "version": referral.version, "action": "draft"},
        )
        assert response.status_code in {403, 404}
    referral.refresh_from_db()
    assert "victim" not in referral.content
