import pytest
from django.conf import settings
from django.test import Client

from testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_asks_a_user_without_an_authenticator_to_set_one_up_before_anything_else(marac):
    from accounts.models import Role
    from testing.factories import grant

    user = grant(UserFactory(with_mfa=False), marac, Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    for path in ["/", "/cases/", "/audit/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_it_asks_for_the_authenticator_code_after_the_password(coordinator):
    response = Client().post(
        "/accounts/login/", {"login": coordinator.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"


def test_it_refuses_further_sign_ins_after_five_failures(coordinator):
    from django.core.cache import cache

    cache.clear()
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": coordinator.email, "password": "wrong password"})
    response = client.post("/accounts/login/", {"login": coordinator.email, "password": "correct horse battery staple"})
    assert response.status_code in {200, 429}
    assert "/accounts/2fa/authenticate/" not in response.get("Location", "")
    cache.clear()


def test_nobody_can_sign_themselves_up(db):
    from accounts.models import User

    assert "sign up closed" in Client().get("/accounts/signup/").content.decode().lower()
    Client().post("/accounts/signup/", {"email": "newcomer@example.invalid", "password1": "a long enough password"})
    assert not User.objects.filter(email="newcomer@example.invalid").exists()


def test_the_session_ends_after_twenty_idle_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 20 * 60
    # Kept alive by accounts.middleware.IdleTimeoutMiddleware (accounts/tests/test_idle_timeout.py).
    assert "accounts.middleware.IdleTimeoutMiddleware" in settings.MIDDLEWARE
