"""Signing in, failing to, and signing out are in the audit trail, at each MARAC where the person holds a role, and
an administrator finds them at /audit/ with the action filter. So are a changed password and an authenticator set
up or removed. Nothing typed is kept: never the password, and not an address that is no account's."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from testing.browser import PASSWORD, totp_code
from testing.factories import TEST_TOTP_SECRET, grant

pytestmark = pytest.mark.django_db

WRONG = "an entirely wrong password"
UNKNOWN = "nobody.here@example.invalid"


@pytest.fixture(autouse=True)
def _no_lockout_between_tests():
    cache.clear()
    yield
    cache.clear()


def _entries(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _sign_in(client: Client, email: str) -> None:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})
    assert response.status_code == 302 and response["Location"] == "/"


def remove_authenticator(client: Client, *, password: str) -> None:
    response = client.post("/accounts/2fa/totp/deactivate/")
    if response["Location"].startswith("/accounts/reauthenticate/"):
        # allauth asks for the password again before an authenticator is removed, then removes it.
        response = client.post(response["Location"], {"password": password})
    assert response["Location"] == "/accounts/2fa/"


def test_signing_in_is_recorded_once_the_code_is_accepted(coordinator, marac):
    client = Client()
    client.post("/accounts/login/", {"login": coordinator.email, "password": PASSWORD})
    assert _entries(AuditAction.SIGN_IN) == []  # the password alone does not sign anyone in
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})

    [entry] = _entries(AuditAction.SIGN_IN)
    assert (entry.actor_id, entry.actor_label, entry.marac_id) == (coordinator.pk, coordinator.email, marac.pk)
    assert entry.roles == Role.COORDINATOR
    assert entry.client_address == "127.0.0.1"


def test_signing_in_is_recorded_at_each_marac_of_the_persons_roles(coordinator, marac, other_marac):
    grant(coordinator, other_marac, Role.CHAIR)
    _sign_in(Client(), coordinator.email)
    assert sorted(entry.marac_id for entry in _entries(AuditAction.SIGN_IN)) == sorted([marac.pk, other_marac.pk])


def test_signing_out_is_recorded(coordinator, marac):
    client = Client()
    _sign_in(client, coordinator.email)
    client.post("/accounts/logout/")
    [entry] = _entries(AuditAction.SIGN_OUT)
    assert (entry.actor_id, entry.marac_id) == (coordinator.pk, marac.pk)


def test_a_wrong_password_is_recorded_against_the_account_without_the_password(coordinator, marac):
    Client().post("/accounts/login/", {"login": coordinator.email.upper(), "password": WRONG})
    [entry] = _entries(AuditAction.SIGN_IN_FAILED)
    assert (entry.actor_id, entry.marac_id, entry.summary) == (coordinator.pk, marac.pk, "Wrong password")
    assert WRONG not in entry.canonical()


def test_a_wrong_code_is_recorded_against_the_account(coordinator):
    client = Client()
    client.post("/accounts/login/", {"login": coordinator.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    [entry] = _entries(AuditAction.SIGN_IN_FAILED)
    assert (entry.actor_id, entry.summary) == (coordinator.pk, "Wrong code")
    assert _entries(AuditAction.SIGN_IN) == []


def test_an_address_that_is_no_accounts_is_not_kept(db):
    Client().post("/accounts/login/", {"login": UNKNOWN, "password": WRONG})
    [entry] = _entries(AuditAction.SIGN_IN_FAILED)
    assert entry.actor_id is None and entry.actor_label == "" and entry.marac_id is None
    assert entry.summary == "No account has the email address typed"
    assert entry.client_address == "127.0.0.1"
    stored = entry.canonical()
    assert UNKNOWN not in stored and "nobody" not in stored and WRONG not in stored


def test_a_sign_in_refused_by_the_lock_out_is_recorded(coordinator):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": coordinator.email, "password": WRONG})
    client.post("/accounts/login/", {"login": coordinator.email, "password": PASSWORD})
    summaries = [entry.summary for entry in _entries(AuditAction.SIGN_IN_FAILED)]
    assert summaries == ["Wrong password"] * 5 + ["Refused: too many failed sign-ins"]


def test_the_coordinator_finds_sign_ins_with_the_trails_filter(client_for, coordinator, police_rep):
    Client().post("/accounts/login/", {"login": police_rep.email, "password": WRONG})
    _sign_in(Client(), police_rep.email)

    signed_in = client_for(coordinator).get("/audit/", {"action": AuditAction.SIGN_IN}).content.decode()
    assert police_rep.email in signed_in and "Signed in" in signed_in
    failed = client_for(coordinator).get("/audit/", {"action": AuditAction.SIGN_IN_FAILED}).content.decode()
    assert police_rep.email in failed and "Wrong password" in failed


def test_a_changed_password_and_a_removed_authenticator_are_recorded(coordinator, marac):
    client = Client()
    _sign_in(client, coordinator.email)
    new = "another long passphrase"
    response = client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302, response.content.decode()
    remove_authenticator(client, password=new)

    changed = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="accounts.user")
    assert (changed.actor_id, changed.object_id, changed.summary) == (
        coordinator.pk,
        str(coordinator.pk),
        "Changed their password",
    )
    assert new not in json.dumps(changed.changes) and new not in changed.canonical()
    removed = [entry.summary for entry in _entries(AuditAction.DELETE) if entry.object_type == "mfa.authenticator"]
    assert removed == ["Removed their authenticator app"]  # the test persona has no recovery codes
