"""A form refused by the CSRF check (signed in again in another tab, or the page open too long) gets a page in
the service's layout that says what happened and what to do, not Django's bare "CSRF verification failed"."""

import re

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from referrals.models import Referral
from testing.browser import totp_code
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db

TYPED = "Threats made by text message on Tuesday evening"


def _token_in(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_a_form_from_before_signing_in_again_gets_a_plain_explanation(referrer):
    client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    client.force_login(referrer)
    start = client.get("/referrals/")
    client.post("/referrals/start/", {"csrfmiddlewaretoken": _token_in(start.content.decode())})
    referral = Referral.objects.get(referrer=referrer)
    form_page = client.get(f"/referrals/{referral.pk}/about/").content.decode()
    old_token = _token_in(form_page)
    # Signing in again in another tab gives the browser a new CSRF secret; the open page still has the old one.
    client.cookies["csrftoken"] = _get_new_csrf_string()

    response = client.post(
        f"/referrals/{referral.pk}/about/",
        {"csrfmiddlewaretoken": old_token, "current_risk": TYPED, "version": referral.version, "action": "continue"},
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "Your answers could not be saved because you signed in again in another tab or window" in page
    assert "Go back, copy anything you typed, reload the page and try again." in page
    assert "govuk-service-navigation" in page  # the service's layout
    assert "CSRF" not in page and "csrf" not in page.replace("csrfmiddlewaretoken", "")  # no jargon
    assert TYPED not in page  # nothing posted is echoed
    assert "<script>" not in page and "style=" not in page  # nothing inline, as the CSP requires
    assert "'unsafe-inline'" not in response.get("Content-Security-Policy", "")
    referral.refresh_from_db()
    assert "about" not in referral.content


def test_a_post_with_no_csrf_cookie_at_all_gets_the_same_page(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x@example.invalid"})
    assert response.status_code == 403
    assert "Your answers could not be saved" in response.content.decode()


PASSWORD = "correct horse battery staple"  # the factories' test password


def _sign_out_and_in_again_in_another_tab(client: Client, email: str) -> None:
    """What the other tab does, through the real forms: sign out, then password and authenticator code."""
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": _token_in(client.get("/").content.decode())})
    token = _token_in(client.get("/accounts/login/").content.decode())
    signed = client.post("/accounts/login/", {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD})
    assert signed["Location"] == "/accounts/2fa/authenticate/"
    token = _token_in(client.get("/accounts/2fa/authenticate/").content.decode())
    done = client.post(
        "/accounts/2fa/authenticate/", {"csrfmiddlewaretoken": token, "code": totp_code(TEST_TOTP_SECRET)}
    )
    assert done.status_code == 302 and not done["Location"].startswith("/accounts/")


def _open_about_page(referrer) -> tuple[Client, Referral, str]:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    client.force_login(referrer)
    client.post("/referrals/start/", {"csrfmiddlewaretoken": _token_in(client.get("/referrals/").content.decode())})
    referral = Referral.objects.get(referrer=referrer)
    return client, referral, _token_in(client.get(f"/referrals/{referral.pk}/about/").content.decode())


def test_signing_in_again_as_the_same_person_keeps_the_form_to_show_it_filled_in(referrer):
    client, referral, old_token = _open_about_page(referrer)
    _sign_out_and_in_again_in_another_tab(client, referrer.email)

    refused = client.post(
        f"/referrals/{referral.pk}/about/",
        {"csrfmiddlewaretoken": old_token, "current_risk": TYPED, "version": referral.version, "action": "continue"},
    )
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "We kept what you had typed." in page
    assert f'href="/referrals/{referral.pk}/about/"' in page
    assert TYPED not in page

    again = client.get(f"/referrals/{referral.pk}/about/").content.decode()
    assert "We kept what you had typed. Check it and save." in again and TYPED in again
    referral.refresh_from_db()
    assert "about" not in referral.content  # shown, not saved


def test_someone_else_signing_in_in_the_other_tab_never_gets_it(referrer, coordinator):
    client, referral, old_token = _open_about_page(referrer)
    _sign_out_and_in_again_in_another_tab(client, coordinator.email)

    refused = client.post(
        f"/referrals/{referral.pk}/about/",
        {"csrfmiddlewaretoken": old_token, "current_risk": TYPED, "version": referral.version, "action": "continue"},
    )
    assert refused.status_code == 403
    assert "We kept what you had typed." not in refused.content.decode()
    assert "openmarac_kept_form" not in client.session


def test_a_token_that_was_never_this_users_keeps_nothing(referrer):
    client, referral, _ = _open_about_page(referrer)
    _sign_out_and_in_again_in_another_tab(client, referrer.email)
    forged = _get_new_csrf_string() * 2  # the right shape, but no secret this browser was ever given
    refused = client.post(
        f"/referrals/{referral.pk}/about/",
        {"csrfmiddlewaretoken": forged, "current_risk": TYPED, "version": referral.version, "action": "continue"},
    )
    assert refused.status_code == 403
    assert "openmarac_kept_form" not in client.session
