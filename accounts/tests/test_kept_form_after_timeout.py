"""Drafts are never lost: a form posted just after the idle timeout is kept, and shown again filled in (not saved)
to the same user once they have signed in again with their password and authenticator code; never to anyone else.
"""

import logging
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.http import urlencode

from accounts.kept_form import KEPT_MESSAGE
from referrals.models import Referral
from testing.browser import totp_code
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' test password
TYPED = "Threats made by text message on Tuesday evening"


@pytest.fixture
def referral(client_for, referrer):
    client_for(referrer).post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


def _time_out(client: Client) -> None:
    """As the idle-timeout tests do: the session's expiry passes."""
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


def _save_about(client: Client, referral: Referral) -> object:
    return client.post(
        f"/referrals/{referral.pk}/about/",
        {"how_arose": "police_notification", "current_risk": TYPED, "version": referral.version, "action": "continue"},
    )


def _sign_in(client: Client, email: str, *, next_path: str = "") -> object:
    login = "/accounts/login/" + (f"?{urlencode({'next': next_path})}" if next_path else "")
    response = client.post(login, {"login": email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    return client.post("/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})


def test_what_was_typed_is_shown_again_to_the_same_user_after_signing_in(client_for, referrer, referral, caplog):
    client = client_for(referrer)
    client.get(f"/referrals/{referral.pk}/about/")
    _time_out(client)
    with caplog.at_level(logging.DEBUG):
        refused = _save_about(client, referral)
    assert refused.status_code == 302 and refused["Location"].startswith("/accounts/login/")
    assert TYPED not in caplog.text  # never logged
    referral.refresh_from_db()
    assert "about" not in referral.content  # nothing saved by the refused request

    sign_in_page = client.get(refused["Location"]).content.decode()
    assert "You were signed out because you were inactive for 20 minutes." in sign_in_page
    assert "Sign in again: what you had typed has been kept." in sign_in_page
    # Kept encrypted, like a referral's content: the session table holds no plain text of it.
    assert all(TYPED not in row.session_data for row in Session.objects.all())

    back = _sign_in(client, referrer.email)
    assert back.status_code == 302 and back["Location"] == f"/referrals/{referral.pk}/about/"
    page = client.get(back["Location"]).content.decode()
    assert KEPT_MESSAGE in page
    assert TYPED in page  # in the text box, ready to check and save
    referral.refresh_from_db()
    assert "about" not in referral.content  # shown again, not saved
    # Used once: the next visit shows the page as saved.
    assert TYPED not in client.get(f"/referrals/{referral.pk}/about/").content.decode()


def test_saving_it_then_goes_through_the_page_as_usual(client_for, referrer, referral):
    client = client_for(referrer)
    _time_out(client)
    _save_about(client, referral)
    client.get(_sign_in(client, referrer.email)["Location"])
    referral.refresh_from_db()
    _save_about(client, referral)  # saved as a draft (other answers are still needed)
    referral.refresh_from_db()
    assert referral.content["about"]["current_risk"] == TYPED


def test_someone_else_signing_in_from_that_browser_never_sees_it(client_for, referrer, coordinator, referral):
    client = client_for(referrer)
    _time_out(client)
    _save_about(client, referral)
    landed = _sign_in(client, coordinator.email)
    assert landed["Location"] == "/"
    assert TYPED not in client.get("/").content.decode()
    assert "openmarac_kept_form" not in client.session
    # Even if the referrer signs in afterwards from the same browser, it is gone.
    client.post("/accounts/logout/")
    _sign_in(client, referrer.email)
    assert TYPED not in client.get(f"/referrals/{referral.pk}/about/").content.decode()


def test_nothing_is_kept_when_the_user_cannot_be_told(referrer, referral):
    client = Client()  # no session at all: whose text it is cannot be known, so none is kept
    client.get("/accounts/login/")
    client.post(
        f"/referrals/{referral.pk}/about/", {"current_risk": TYPED, "version": referral.version, "action": "continue"}
    )
    assert "openmarac_kept_form" not in client.session
    assert "what you had typed has been kept" not in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize("elsewhere", ["https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example/"])
def test_a_path_outside_the_site_is_never_where_signing_in_leads(client_for, referrer, referral, elsewhere):
    client = client_for(referrer)
    _time_out(client)
    _save_about(client, referral)
    session = client.session
    session["openmarac_kept_form"] = {**session["openmarac_kept_form"], "path": elsewhere}
    session.save()
    assert _sign_in(client, referrer.email)["Location"] == "/"
    # Nor a `next` pointing elsewhere, with a kept form waiting.
    client.post("/accounts/logout/")
    cache.clear()  # allauth refuses an authenticator code used once already
    client = client_for(referrer)
    _time_out(client)
    _save_about(client, referral)
    assert _sign_in(client, referrer.email, next_path=elsewhere)["Location"] == f"/referrals/{referral.pk}/about/"


def test_a_kept_form_expires_after_an_hour(client_for, referrer, referral):
    client = client_for(referrer)
    _time_out(client)
    _save_about(client, referral)
    session = client.session
    session["openmarac_kept_form"] = {**session["openmarac_kept_form"], "at": 0}
    session.save()
    assert "what you had typed has been kept" not in client.get("/accounts/login/").content.decode()
    assert _sign_in(client, referrer.email)["Location"] == "/"


def test_a_page_that_cannot_fill_its_form_in_shows_what_was_typed_once(client_for, administrator):
    client = client_for(administrator)
    _time_out(client)
    refused = client.post("/you/users/new/", {"full_name": "Petra Probation", "email": "petra@example.invalid"})
    assert refused["Location"].startswith("/accounts/login/")
    assert "what you had typed has been kept" in client.get(refused["Location"]).content.decode()
    back = _sign_in(client, administrator.email)
    assert back["Location"] == "/you/users/new/"
    page = client.get(back["Location"]).content.decode()
    assert "What you had typed" in page and "Petra Probation" in page and "petra@example.invalid" in page
    assert 'href="/you/users/new/"' in page
    # Shown once; then the page itself.
    assert "Petra Probation" not in client.get("/you/users/new/").content.decode()


def test_a_form_left_open_through_a_long_meeting_is_still_kept(client_for, referrer, referral):
    # Signed out by the idle timeout three hours before saving (lunch and a long meeting): the text is still kept.
    client = client_for(referrer)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(hours=3)
    )
    _save_about(client, referral)
    assert "what you had typed has been kept" in client.get("/accounts/login/").content.decode()
    assert _sign_in(client, referrer.email)["Location"] == f"/referrals/{referral.pk}/about/"
    assert TYPED in client.get(f"/referrals/{referral.pk}/about/").content.decode()


def test_when_nothing_could_be_kept_the_sign_in_page_says_it_was_not_saved(client_for, referrer, referral):
    # The session timed out more than a working day before the save: whose text it was is no longer told, so
    # nothing is kept, and the sign-in page says so instead of leaving the form to be found empty.
    client = client_for(referrer)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(hours=13)
    )
    _save_about(client, referral)
    page = client.get("/accounts/login/").content.decode()
    assert "was not saved: your session had ended" in page
    assert "has been kept" not in page and TYPED not in page
    # Signing in ends the notice.
    _sign_in(client, referrer.email)
    client.post("/accounts/logout/")
    assert "was not saved" not in client.get("/accounts/login/").content.decode()


def test_a_visitor_with_no_session_gets_none_made_by_a_refused_post(referrer, referral):
    sessions = Session.objects.count()  # the referrer's, who started the referral
    Client().post(f"/referrals/{referral.pk}/about/", {"current_risk": TYPED, "version": referral.version})
    assert Session.objects.count() == sessions
