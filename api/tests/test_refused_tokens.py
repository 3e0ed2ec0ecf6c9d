"""A token the API refuses: counted against the caller's address like a call with no credential, never logged, and,
for the token of a credential still awaiting approval (which only its holder can send), told so."""

import datetime
import logging

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import Role
from api.middleware import AWAITING_APPROVAL_MESSAGE, REFUSED_CREDENTIAL_MESSAGE
from api.models import ApiCredential
from api.services import credential_approve, credential_issue, credential_revoke
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db

BOGUS = "omk_0000000000_not-a-real-secret"


@pytest.fixture
def case(marac):
    return CaseFactory(marac=marac)


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _from(address: str, token: str | None = None) -> Client:
    extra = {"REMOTE_ADDR": address} | ({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {})
    return Client(HTTP_HOST="localhost", **extra)


@override_settings(OPENMARAC_API_RATE_LIMIT=3)
def test_bogus_tokens_are_limited_per_address_like_calls_without_a_credential(case):
    guesser = _from("198.51.100.7", BOGUS)

    answers = [guesser.get("/api/v1/cases") for _ in range(5)]

    assert [answer.status_code for answer in answers] == [401, 401, 401, 429, 429]
    assert "Too many requests: at most 3 a minute" in answers[-1].json()["error"]
    assert answers[-1]["Retry-After"]
    assert _from("203.0.113.9", BOGUS).get("/api/v1/cases").status_code == 401  # another address has its own count


@override_settings(OPENMARAC_API_RATE_LIMIT=3)
def test_refused_tokens_and_calls_without_a_credential_share_the_address_s_count(case):
    address = "198.51.100.8"
    for _ in range(2):
        assert _from(address).get("/api/v1/cases").status_code == 401
    assert _from(address, BOGUS).get("/api/v1/cases").status_code == 401

    assert _from(address).get("/api/v1/cases").status_code == 429
    assert _from(address, BOGUS).get("/api/v1/cases").status_code == 429


@override_settings(OPENMARAC_API_RATE_LIMIT=2)
def test_a_valid_credential_at_a_limited_address_is_counted_on_its_own(case, coordinator_token):
    address = "198.51.100.9"
    for _ in range(3):
        _from(address, BOGUS).get("/api/v1/cases")

    assert _from(address, coordinator_token).get("/api/v1/cases").status_code == 200


def test_a_refused_token_is_never_logged(case, caplog):
    secret = "omk_0000000000_a-secret-that-must-not-be-logged"
    with caplog.at_level(logging.DEBUG):
        assert _from("198.51.100.10", secret).get("/api/v1/cases").status_code == 401

    assert all("a-secret-that-must-not-be-logged" not in record.getMessage() for record in caplog.records)


# --- A credential awaiting approval ----------------------------------------------------------------------------------


def _awaiting(marac, administrator, *, days=30):
    return credential_issue(
        marac=marac,
        agency=AgencyFactory(name="Northbrook Constabulary Records"),
        name="Force records system",
        roles=[Role.COORDINATOR],
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        by=administrator,
        awaiting_approval=True,
    )


def test_the_holder_of_a_token_awaiting_approval_is_told_it_awaits_approval(case, marac, administrator, coordinator):
    credential, token = _awaiting(marac, administrator)

    waiting = _from("198.51.100.11", token).get("/api/v1/cases")
    credential_approve(credential=credential, by=coordinator)
    approved = _from("198.51.100.11", token).get("/api/v1/cases")

    assert waiting.status_code == 401 and waiting["WWW-Authenticate"].startswith("Bearer")
    assert waiting.json() == {"error": AWAITING_APPROVAL_MESSAGE}
    assert "must approve it" in AWAITING_APPROVAL_MESSAGE
    assert approved.status_code == 200


def test_anyone_without_the_whole_token_learns_nothing_of_a_credential_awaiting_approval(case, marac, administrator):
    _, token = _awaiting(marac, administrator)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")  # the prefix is right, the secret not

    response = _from("198.51.100.12", forged).get("/api/v1/cases")

    assert response.status_code == 401 and response.json() == {"error": REFUSED_CREDENTIAL_MESSAGE}


def test_a_revoked_or_expired_credential_awaiting_approval_says_so_as_any_other(case, marac, administrator):
    credential, token = _awaiting(marac, administrator)
    ApiCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = _from("198.51.100.13", token).get("/api/v1/cases")
    ApiCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    credential_revoke(credential=ApiCredential.objects.get(), by=administrator, reason="Issued by mistake")
    revoked = _from("198.51.100.13", token).get("/api/v1/cases")

    assert expired.json() == revoked.json() == {"error": REFUSED_CREDENTIAL_MESSAGE}
