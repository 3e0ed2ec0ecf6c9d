"""A referral is made, saved and submitted only at a MARAC where its referrer may make referrals: a role that
refers somewhere else is not enough (referrals/views.py, referrals/api.py, referrals/services.py)."""

import json

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Role, RoleGrant
from referrals import services
from referrals.models import Referral, ReferralStatus
from referrals.sections import SECTIONS_BY_SLUG
from referrals.tests.test_api import COMPLETE
from referrals.tests.test_referral_pages import VICTIM, _complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrer_elsewhere(board_viewer, other_marac):
    """Bea: a board viewer at Northbrook (no referrals there) and a referrer at Southmere."""
    RoleGrant.objects.create(user=board_viewer, marac=other_marac, role=Role.REFERRER)
    return board_viewer


@pytest.fixture
def referrer_at_both(referrer, other_marac):
    RoleGrant.objects.create(user=referrer, marac=other_marac, role=Role.REFERRER)
    return referrer


def _stop_referring_at(user, marac):
    RoleGrant.objects.filter(user=user, marac=marac).delete()


def _complete_draft_at_northbrook(client, marac):
    client.post("/referrals/start/")
    referral = Referral.objects.get(marac=marac)
    _complete(client, referral)
    referral.refresh_from_db()
    return referral


# The pages


def test_it_starts_the_referral_where_the_user_may_refer_not_where_they_only_view(
    client_for, referrer_elsewhere, marac, other_marac
):
    client_for(referrer_elsewhere).post("/referrals/start/")
    assert list(Referral.objects.values_list("marac", flat=True)) == [other_marac.pk]


def test_the_start_button_names_the_marac_the_referral_will_go_to(client_for, referrer_elsewhere, other_marac):
    page = client_for(referrer_elsewhere).get("/referrals/").content.decode()
    assert f"Start a new referral to {other_marac.name}" in page


def test_it_starts_the_referral_at_the_marac_chosen_when_the_user_may_refer_at_several(
    client_for, referrer_at_both, other_marac
):
    client = client_for(referrer_at_both)
    client.post("/marac/choose/", {"marac": other_marac.pk})
    client.post("/referrals/start/")
    assert list(Referral.objects.values_list("marac", flat=True)) == [other_marac.pk]


def test_a_draft_cannot_be_saved_or_submitted_once_its_marac_no_longer_lets_them_refer(
    client_for, referrer_at_both, marac
):
    client = client_for(referrer_at_both)
    referral = _complete_draft_at_northbrook(client, marac)
    _stop_referring_at(referrer_at_both, marac)  # still a referrer at Southmere

    saved = client.post(
        f"/referrals/{referral.pk}/victim/", {**VICTIM, "given_name": "Changed", "version": referral.version}
    )
    submitted = client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})

    assert (saved.status_code, submitted.status_code) == (404, 404)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
    assert referral.content["victim"]["given_name"] == VICTIM["given_name"]


def test_its_page_says_why_a_draft_can_no_longer_be_changed(client_for, referrer_at_both, marac):
    client = client_for(referrer_at_both)
    referral = _complete_draft_at_northbrook(client, marac)
    _stop_referring_at(referrer_at_both, marac)

    page = client.get(f"/referrals/{referral.pk}/").content.decode()

    assert "you do not hold a role that makes referrals at Northbrook MARAC" in page
    assert f'action="/referrals/{referral.pk}/submit/"' not in page


# The API


def test_the_api_starts_the_referral_where_the_user_may_refer(client_for, referrer_elsewhere, other_marac):
    response = client_for(referrer_elsewhere).post("/api/v1/referrals", "", content_type="application/json")
    assert response.status_code == 201
    assert response.json()["marac"] == "Southmere MARAC"
    assert list(Referral.objects.values_list("marac", flat=True)) == [other_marac.pk]


def test_the_api_refuses_to_save_or_submit_once_its_marac_no_longer_lets_them_refer(
    client_for, referrer_at_both, marac
):
    client = client_for(referrer_at_both)
    created = client.post("/api/v1/referrals", json.dumps(COMPLETE), content_type="application/json").json()
    _stop_referring_at(referrer_at_both, marac)

    saved = client.put(
        f"/api/v1/referrals/{created['id']}/sections/victim",
        json.dumps({**VICTIM, "given_name": "Changed"}),
        content_type="application/json",
    )
    submitted = client.post(f"/api/v1/referrals/{created['id']}/submit", "", content_type="application/json")

    assert (saved.status_code, submitted.status_code) == (403, 403)
    assert "you do not hold a role that makes referrals at its MARAC" in submitted.json()["error"]
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.DRAFT
    assert referral.content["victim"]["given_name"] == VICTIM["given_name"]


# The services, for any caller that skips the pages' checks


def test_the_service_refuses_to_start_a_referral_where_the_user_may_not_refer(referrer_elsewhere, marac):
    with pytest.raises(services.NotAllowedAtMarac):
        services.referral_start(marac=marac, by=referrer_elsewhere)
    assert not Referral.objects.exists()


def test_the_service_refuses_to_save_or_submit_where_the_user_no_longer_refers(client_for, referrer_at_both, marac):
    referral = _complete_draft_at_northbrook(client_for(referrer_at_both), marac)
    _stop_referring_at(referrer_at_both, marac)
    now = get_user_model().objects.get(pk=referrer_at_both.pk)  # with the roles as they are now

    with pytest.raises(services.NotAllowedAtMarac):
        services.referral_save_section(
            referral=referral, section=SECTIONS_BY_SLUG["victim"], data=VICTIM, based_on_version=None, by=now
        )
    with pytest.raises(services.NotAllowedAtMarac):
        services.referral_submit(referral=referral, based_on_version=None, by=now)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
