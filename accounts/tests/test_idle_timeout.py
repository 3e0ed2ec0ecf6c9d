"""The idle timeout: a session ends after SESSION_COOKIE_AGE seconds without a request, and requests keep it alive
(saved at most once a minute, so that not every page costs a write)."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.middleware import _ACTIVITY_SESSION_KEY, ACTIVITY_SAVE_SECONDS

pytestmark = pytest.mark.django_db


def _expiry(client) -> object:  # type: ignore[no-untyped-def]
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _last_saved(client, seconds_ago: int) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[_ACTIVITY_SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_the_session_ends_after_twenty_idle_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 20 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_a_request_a_minute_after_the_last_save_keeps_the_session_alive_for_the_full_idle_time(client_for, coordinator):
    client = client_for(coordinator)
    _last_saved(client, ACTIVITY_SAVE_SECONDS + 1)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    assert client.get("/").status_code == 200
    remaining = _expiry(client) - timezone.now()
    assert (
        timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)
        < remaining
        <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )


def test_requests_within_the_minute_do_not_write_the_session_again(client_for, coordinator):
    client = client_for(coordinator)
    client.get("/")
    before = _expiry(client)
    client.get("/")
    client.get("/cases/")
    assert _expiry(client) == before


def test_the_session_never_outlasts_the_idle_time_since_the_last_request(client_for, coordinator):
    client = client_for(coordinator)
    client.get("/")
    client.get("/cases/")
    # However recent the last save, the session ends at most SESSION_COOKIE_AGE after the last request.
    assert _expiry(client) <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_idle_session_is_over_and_the_next_request_asks_to_sign_in(client_for, coordinator):
    client = client_for(coordinator)
    client.get("/")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()  # no new session made for it


def test_a_change_to_the_session_is_saved_at_once(client_for, coordinator):
    client = client_for(coordinator)
    client.get("/")
    session = client.session
    session["openmarac_marac_id"] = coordinator.role_grants.first().marac_id
    session.save()
    client.get("/")
    assert client.session["openmarac_marac_id"] == coordinator.role_grants.first().marac_id
