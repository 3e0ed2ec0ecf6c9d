"""The warning before the idle timeout asks /you/session/ how long is left (WCAG 2.2.1 Timing adjustable): asking
never keeps the session alive, "Stay signed in" (a POST) does, and only a signed-in user may ask."""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.middleware import _ACTIVITY_SESSION_KEY, ACTIVITY_SAVE_SECONDS
from referrals.models import Referral
from testing.factories import UserFactory

pytestmark = pytest.mark.django_db

SESSION = "/you/session/"


def _row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _idle_for(client: Client, seconds: int) -> None:
    """As if the last request was `seconds` ago: saved then, ending the idle time after it."""
    session = client.session
    session[_ACTIVITY_SESSION_KEY] = int(time.time()) - seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )


def test_it_says_how_many_seconds_are_left_and_nothing_else(client_for, coordinator):
    client = client_for(coordinator)
    _idle_for(client, 15 * 60)
    response = client.get(SESSION)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json().keys() == {"seconds_left"}
    assert 5 * 60 - 5 <= response.json()["seconds_left"] <= 5 * 60


def test_asking_does_not_keep_the_session_alive(client_for, coordinator):
    client = client_for(coordinator)
    _idle_for(client, ACTIVITY_SAVE_SECONDS * 10)  # any other page would now save it again
    before = _row(client).expire_date
    for _ in range(3):
        assert client.get(SESSION).status_code == 200
    assert _row(client).expire_date == before


def test_staying_signed_in_starts_the_idle_time_again(client_for, coordinator):
    client = client_for(coordinator)
    _idle_for(client, settings.SESSION_COOKIE_AGE - 60)  # a minute left
    response = client.post(SESSION, {"action": "stay"})
    assert response.status_code == 200
    assert response.json() == {"seconds_left": settings.SESSION_COOKIE_AGE}
    left = _row(client).expire_date - timezone.now()
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE - 5) < left <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert 0 < client.get(SESSION).json()["seconds_left"] - (settings.SESSION_COOKIE_AGE - 5) <= 5


def test_staying_signed_in_needs_the_pages_csrf_token(coordinator):
    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(SESSION, {"action": "stay"}).status_code == 403
    page = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    assert client.post(SESSION, {"action": "stay"}, HTTP_X_CSRFTOKEN=token.group(1)).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, method):
    response = getattr(client, method)(SESSION)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_session_that_has_ended_cannot_be_brought_back(client_for, coordinator):
    client = client_for(coordinator)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(SESSION, {"action": "stay"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/")["Location"].startswith("/accounts/login/")
    # Its POST held nothing typed: the sign-in page must not say that something was kept.
    sign_in_page = client.get("/accounts/login/").content.decode()
    assert "what you had typed has been kept" not in sign_in_page
    assert "was not saved" not in sign_in_page


def test_asking_after_the_session_ended_leaves_a_form_in_another_tab_to_be_kept(client_for, referrer):
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    asked = client.get(SESSION)
    assert asked.status_code == 302  # the warning's tab finds the session over...
    assert settings.SESSION_COOKIE_NAME not in asked.cookies  # ...and leaves its cookie alone
    typed = "Threats made by text message on Tuesday evening"
    client.post(  # the other tab's form, sent after the timeout
        f"/referrals/{referral.pk}/about/", {"current_risk": typed, "version": referral.version, "action": "continue"}
    )
    assert "Sign in again: what you had typed has been kept." in client.get("/accounts/login/").content.decode()


def test_signing_out_when_the_time_is_up_says_why_on_the_sign_in_page(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(SESSION, {"action": "sign-out"})
    assert response.json() == {"seconds_left": 0}
    assert client.get("/cases/")["Location"].startswith("/accounts/login/")
    sign_in_page = client.get("/accounts/login/").content.decode()
    assert "You were signed out because you were inactive for 20 minutes. Sign in again." in sign_in_page


def test_it_answers_a_user_still_setting_up_an_authenticator(marac):
    user = UserFactory(with_mfa=False)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    response = client.get(SESSION)
    assert response.status_code == 200
    assert response.json().keys() == {"seconds_left"}


def test_signed_in_pages_tell_the_script_the_idle_time_and_others_do_not(client_for, coordinator):
    page = client_for(coordinator).get("/").content.decode()
    assert f'data-session-url="{SESSION}"' in page
    assert f'data-session-seconds="{settings.SESSION_COOKIE_AGE}"' in page
    assert "data-session-url" not in Client().get("/accounts/login/").content.decode()
