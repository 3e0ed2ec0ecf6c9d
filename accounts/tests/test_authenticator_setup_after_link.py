"""A person whose address allauth recorded as unverified (every invited user, and anyone who once used "Forgotten your
password?") can still set up an authenticator app, and so use OpenMARAC: administrators set every address, so there
is no address to prove before a second factor (config/settings/base.py MFA_ALLOW_UNVERIFIED_EMAIL)."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.models import Role, User
from marac.models import MaracAgency
from testing.browser import PASSWORD, totp_code
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and memorable passphrase"
REFUSED = "You cannot activate two-factor authentication until you have verified your email address"


@pytest.fixture(autouse=True)
def _no_lockout_between_tests():
    cache.clear()
    yield
    cache.clear()


def _link_in(body: str) -> str:
    found = re.search(r"https?://\S+/accounts/password/reset/key/\S+", body)
    assert found, body
    return urlsplit(found.group(0)).path


def _set_password_with(link_path: str) -> None:
    client = Client()
    response = client.get(link_path)
    assert response.status_code == 302
    response = client.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()


def _sign_in_with_password(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] != "/accounts/2fa/authenticate/"  # no authenticator yet: signed in
    return client


def _set_up_authenticator(client: Client, user: User, password: str = NEW_PASSWORD) -> None:
    """Through allauth's page, as the person would: the page shows the secret, they enter the app's code."""
    response = client.get("/accounts/2fa/totp/activate/")
    if response.get("Location", "").startswith("/accounts/reauthenticate/"):
        # allauth asks for the password again before a second factor is added to an account.
        response = client.post(response["Location"], {"password": password})
        assert response["Location"] == "/accounts/2fa/totp/activate/"
        response = client.get("/accounts/2fa/totp/activate/", follow=True)
    # Refused, it went to /accounts/2fa/ saying REFUSED, and the person could go nowhere else.
    assert REFUSED not in response.content.decode()
    assert response.status_code == 200 and not getattr(response, "redirect_chain", [])
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_an_invited_user_sets_up_their_authenticator(client_for, administrator, marac):
    probation = AgencyFactory(name="Northbrook Probation")
    MaracAgency.objects.create(marac=marac, agency=probation)
    client_for(administrator).post(
        "/you/users/new/", {"full_name": "Petra Probation", "email": "petra@example.invalid", "agency": probation.pk}
    )
    petra = User.objects.get(email="petra@example.invalid")
    _set_password_with(_link_in(mail.outbox[0].body))

    client = _sign_in_with_password(petra.email)
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    _set_up_authenticator(client, petra)
    # The link proved the address: allauth's record says so too.
    assert EmailAddress.objects.get(user=petra).verified


def test_someone_who_reset_their_password_and_removed_their_authenticator_sets_up_another(marac):
    nina = grant(UserFactory(email="nina@example.invalid", with_mfa=False), marac, Role.IDVA)
    EmailAddress.objects.create(user=nina, email=nina.email, primary=True, verified=False)  # as allauth left it
    Client().post("/accounts/password/reset/", {"email": nina.email})
    _set_password_with(_link_in(mail.outbox[-1].body))

    _set_up_authenticator(_sign_in_with_password(nina.email), nina)


def test_an_existing_account_left_unverified_is_not_blocked(marac):
    # Accounts already held with an address allauth marked unverified, before this was fixed: no data to change.
    olga = grant(UserFactory(email="olga@example.invalid", with_mfa=False), marac, Role.REFERRER)
    EmailAddress.objects.create(user=olga, email=olga.email, primary=True, verified=False)
    client = Client()
    client.force_login(olga)

    _set_up_authenticator(client, olga, PASSWORD)
