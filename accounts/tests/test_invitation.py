"""A new user gets an invitation to OpenMARAC, not allauth's password-reset email: who added them (the MARAC, never a
person), a link to set their password that works once for a stated time, what comes next (the authenticator app),
and what to do if they did not expect it. The password reset asked for on the sign-in page reads plainly too."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client, override_settings

from accounts.models import User
from accounts.services import reset_link_lifetime
from marac.models import MaracAgency
from testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and memorable passphrase"


@pytest.fixture
def probation(marac):
    agency = AgencyFactory(name="Northbrook Probation")
    MaracAgency.objects.create(marac=marac, agency=agency)
    return agency


def _add_petra(client_for, administrator, probation):
    response = client_for(administrator).post(
        "/you/users/new/", {"full_name": "Petra Probation", "email": "petra@example.invalid", "agency": probation.pk}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def _link_in(body: str) -> str:
    found = re.search(r"https?://\S+/accounts/password/reset/key/\S+", body)
    assert found, body
    return found.group(0)


def _set_password(link: str) -> Client:
    client = Client()
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302  # allauth keeps the key in the session and drops it from the address
    response = client.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def test_it_sends_an_invitation_not_a_password_reset(client_for, administrator, probation):
    email = _add_petra(client_for, administrator, probation)
    assert email.subject == "OpenMARAC: set up your account"
    assert email.to == ["petra@example.invalid"]
    body = email.body
    assert "An administrator at Northbrook MARAC has added you to OpenMARAC" in body
    assert "The link works once, for 3 days" in body
    assert "authenticator app" in body
    assert "If you were not expecting this email, do not use the link: tell your manager." in body
    for allauth_wording in ["Password Reset", "password reset", "Hello from", "localhost:8612", "[", "username"]:
        assert allauth_wording not in email.subject + body


def test_the_invitation_names_nobody_and_no_agency(client_for, administrator, probation):
    body = _add_petra(client_for, administrator, probation).body
    for personal in ["Petra", "Probation", "Ada Minister", administrator.email]:
        assert personal not in body


def test_the_invitation_link_sets_the_password_once(client_for, administrator, probation):
    link = _link_in(_add_petra(client_for, administrator, probation).body)
    _set_password(link)
    petra = User.objects.get(email="petra@example.invalid")
    assert petra.check_password(NEW_PASSWORD)
    # Used once: the same link no longer sets a password.
    again = Client().get(urlsplit(link).path, follow=True).content.decode()
    assert 'name="password1"' not in again


@override_settings(OPENMARAC_INVITATION_TIMEOUT=2 * 60 * 60)
def test_the_invitation_says_how_long_the_link_works_as_configured(client_for, administrator, probation):
    assert "The link works once, for 2 hours" in _add_petra(client_for, administrator, probation).body


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (259200, "3 days"),
        (86400, "1 day"),
        (3600, "1 hour"),
        (90000, "25 hours"),
        (1800, "30 minutes"),
        (5, "1 minute"),
    ],
)
def test_the_link_lifetime_in_words(seconds, words):
    assert reset_link_lifetime(seconds) == words


def test_the_password_reset_asked_for_on_the_sign_in_page_reads_plainly(coordinator):
    response = Client().post("/accounts/password/reset/", {"email": coordinator.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "OpenMARAC: reset your password"
    assert "Someone asked to reset the password of the OpenMARAC account for this email address" in email.body
    assert "The link works once, for 2 hours" in email.body
    assert "If you did not ask for this, you do not need to do anything" in email.body
    for allauth_wording in ["Hello from", "Thank you for using", "[", "Password Reset E-mail", "example.com"]:
        assert allauth_wording not in email.subject + email.body
    _set_password(_link_in(email.body))
    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW_PASSWORD)


def test_a_reset_for_an_unknown_address_offers_no_sign_up(db):
    Client().post("/accounts/password/reset/", {"email": "nobody@example.invalid"})
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "OpenMARAC: password reset: no account for this address"
    assert "there is no account with this address" in email.body
    assert "sign up" not in email.body.lower() and "/accounts/signup/" not in email.body
    assert "Hello from" not in email.body
