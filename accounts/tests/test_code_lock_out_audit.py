"""A wrong authenticator code, and a code refused because too many wrong ones locked the account (allauth's MFA limit,
ACCOUNT_RATE_LIMITS "login_failed" in config/settings/base.py), are each in the audit trail against the account, as
wrong passwords and the password lock-out are (accounts/signals.py). The code typed is never kept."""

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.adapters import LOCKED_OUT_MESSAGE
from audit.models import AuditAction, AuditEvent
from testing.browser import PASSWORD, totp_code
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db

WRONG_CODE = "914273"  # one in a million to be the code shown at the moment; the assertions below would then fail
TOO_MANY = "Refused: too many wrong codes"


@pytest.fixture(autouse=True)
def _no_lockout_between_tests():
    cache.clear()
    yield
    cache.clear()


def _failures() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).order_by("id"))


def _password_accepted(client: Client, email: str) -> None:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"


def test_a_code_refused_by_the_lock_out_is_recorded_against_the_account(coordinator, marac):
    client = Client()
    _password_accepted(client, coordinator.email)
    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": WRONG_CODE})
    refused = client.post("/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})

    assert refused.status_code == 200 and LOCKED_OUT_MESSAGE in refused.content.decode()
    entries = _failures()
    assert [entry.summary for entry in entries] == ["Wrong code"] * 5 + [TOO_MANY]
    assert {(entry.actor_id, entry.actor_label, entry.marac_id) for entry in entries} == {
        (coordinator.pk, coordinator.email, marac.pk)
    }
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN).exists()
    assert all(WRONG_CODE not in entry.canonical() for entry in entries)


def test_each_code_refused_while_locked_out_is_recorded(coordinator):
    client = Client()
    _password_accepted(client, coordinator.email)
    for _ in range(7):
        client.post("/accounts/2fa/authenticate/", {"code": WRONG_CODE})
    assert [entry.summary for entry in _failures()] == ["Wrong code"] * 5 + [TOO_MANY] * 2


def test_a_code_refused_by_the_lock_out_when_asked_again_is_recorded(client_for, coordinator, marac):
    # Signed in, and asked for a code again before a sensitive change: the same limit, and the same record.
    client = client_for(coordinator)
    for _ in range(6):
        response = client.post("/accounts/2fa/reauthenticate/", {"code": WRONG_CODE})
    assert LOCKED_OUT_MESSAGE in response.content.decode()
    entries = _failures()
    assert [entry.summary for entry in entries] == ["Wrong code"] * 5 + [TOO_MANY]
    assert entries[-1].actor_id == coordinator.pk and entries[-1].marac_id == marac.pk
    assert all(WRONG_CODE not in entry.canonical() for entry in entries)


def test_a_lock_out_of_the_password_is_not_recorded_as_one_of_the_code(coordinator):
    client = Client()
    for _ in range(6):
        client.post("/accounts/login/", {"login": coordinator.email, "password": "an entirely wrong password"})
    assert [entry.summary for entry in _failures()] == ["Wrong password"] * 5 + ["Refused: too many failed sign-ins"]
