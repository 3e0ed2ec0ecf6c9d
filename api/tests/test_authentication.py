"""Calling the API with an agency's credential: the same rules as a person with the same roles, and no more."""

import datetime
import logging

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import Role
from api.core import CSRF_MESSAGE, SIGN_IN_MESSAGE
from api.middleware import REFUSED_CREDENTIAL_MESSAGE
from api.models import ApiCredential
from api.services import credential_revoke
from audit.models import AuditEvent
from cases.models import CaseRestriction
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(marac):
    return CaseFactory(marac=marac)


def test_a_coordinators_credential_sees_the_cases_of_its_marac(bearer, coordinator_token, case):
    response = bearer(coordinator_token).get("/api/v1/cases")
    assert response.status_code == 200
    assert [item["reference"] for item in response.json()["items"]] == [case.reference]


def test_the_credential_is_audited_as_its_service_account_and_the_token_never_is(
    bearer, coordinator_token, case, caplog
):
    caplog.set_level(logging.DEBUG)
    bearer(coordinator_token).get(f"/api/v1/cases/{case.pk}")
    credential = ApiCredential.objects.get()
    event = AuditEvent.objects.get(action="view", object_type="cases.case", object_id=str(case.pk))
    assert event.actor == credential.service_user
    assert event.agency_label == credential.agency.name and event.roles == Role.COORDINATOR
    secret = coordinator_token.split("_", 2)[2]  # the secret may itself contain "_"
    for stored in AuditEvent.objects.all():
        assert secret not in f"{stored.summary} {stored.changes} {stored.actor_label}"
    assert secret not in caplog.text


def test_a_credential_without_a_case_role_gets_404(bearer, issue_token, marac, case):
    token = issue_token(marac, Role.BOARD_VIEWER)
    for path in ("/api/v1/cases", f"/api/v1/cases/{case.pk}"):
        response = bearer(token).get(path)
        assert response.status_code == 404 and response.json() == {"error": "Not found"}


def test_a_credential_sees_nothing_of_another_marac(bearer, issue_token, other_marac, case):
    token = issue_token(other_marac, Role.COORDINATOR)
    assert bearer(token).get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert bearer(token).get("/api/v1/cases").json()["items"] == []
    other = bearer(token).get(f"/api/v1/cases?marac={case.marac_id}")  # invalid input, as for a MARAC that is none
    assert other.status_code == 422 and list(other.json()["errors"]) == ["query.marac"]


def test_a_restricted_case_stays_hidden_from_a_credential_not_named_on_it(bearer, coordinator_token, case, chair):
    case.restricted = True
    case.save()
    CaseRestriction.objects.create(case=case, user=chair, added_by=chair)
    assert bearer(coordinator_token).get("/api/v1/cases").json()["count"] == 0
    assert bearer(coordinator_token).get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_a_named_credential_is_told_a_restricted_case_needs_a_reason(bearer, coordinator_token, case, chair):
    case.restricted = True
    case.save()
    service_user = ApiCredential.objects.get().service_user
    CaseRestriction.objects.create(case=case, user=service_user, added_by=chair)
    response = bearer(coordinator_token).get(f"/api/v1/cases/{case.pk}")
    assert response.status_code == 403 and "restricted" in response.json()["error"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer omk_0000000000_not-a-real-secret",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer omk_",
        "Bearer " + "x" * 5000,
    ],
)
def test_a_wrong_or_malformed_token_gets_401(header, case):
    response = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=header).get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json() == {"error": REFUSED_CREDENTIAL_MESSAGE}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_the_right_prefix_and_a_wrong_secret_gets_401(bearer, coordinator_token, case):
    forged = coordinator_token[:-4] + ("AAAA" if not coordinator_token.endswith("AAAA") else "BBBB")
    assert bearer(forged).get("/api/v1/cases").status_code == 401


def test_a_revoked_credential_gets_401_at_once(bearer, coordinator_token, administrator, case):
    client = bearer(coordinator_token)
    assert client.get("/api/v1/cases").status_code == 200
    credential_revoke(credential=ApiCredential.objects.get(), by=administrator, reason="The agency asked for it")
    assert client.get("/api/v1/cases").status_code == 401


def test_an_expired_credential_gets_401(bearer, coordinator_token, case):
    ApiCredential.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert bearer(coordinator_token).get("/api/v1/cases").status_code == 401


def test_a_token_in_the_url_is_not_accepted(client, coordinator_token, case):
    assert client.get(f"/api/v1/cases?token={coordinator_token}").status_code == 401
    assert client.get(f"/api/v1/cases?access_token={coordinator_token}").status_code == 401


def test_it_notes_when_a_credential_was_last_used(bearer, coordinator_token, case):
    assert ApiCredential.objects.get().last_used_at is None
    bearer(coordinator_token).get("/api/v1/cases")
    assert ApiCredential.objects.get().last_used_at is not None


def test_anonymous_callers_get_401_with_the_way_to_sign_in(client, case):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401 and response.json() == {"error": SIGN_IN_MESSAGE}


def test_a_token_needs_no_csrf_token_but_a_session_does(bearer, coordinator_token, coordinator, marac):
    assert bearer(coordinator_token).post("/api/v1/referrals", "", content_type="application/json").status_code == 201
    session = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    session.force_login(coordinator)
    refused = session.post("/api/v1/referrals", "", content_type="application/json")
    assert refused.status_code == 403 and refused.json() == {"error": CSRF_MESSAGE}
    assert session.get("/api/v1/referrals").status_code == 200


def test_a_service_account_can_never_use_the_pages(coordinator_token, client, case):
    service_user = ApiCredential.objects.get().service_user
    assert not service_user.has_usable_password()
    assert not client.login(email=service_user.email, password="")
    client.force_login(service_user)  # as if it had somehow got a session
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    client.force_login(service_user)
    assert client.get("/api/v1/cases").status_code == 401


def test_invalid_query_parameters_get_422_keyed_by_parameter(bearer, coordinator_token, case):
    response = bearer(coordinator_token).get("/api/v1/cases?limit=500&status=lost&since=yesterday")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"query.limit", "query.status", "query.since"}
    assert errors["query.limit"] == ["Must be at most 200"]


def test_the_errors_are_worded_for_a_person_not_by_the_validator(bearer, coordinator_token, case):
    response = bearer(coordinator_token).get("/api/v1/cases?limit=0&since=2026-13-45")
    errors = response.json()["errors"]
    assert errors["query.limit"] == ["Must be at least 1"]
    assert errors["query.since"] == ["Give a day as YYYY-MM-DD, or a time as YYYY-MM-DDTHH:MM:SSZ"]
    for not_a_time in ("0.5", "1764547200"):  # no longer taken as seconds since 1970
        refused = bearer(coordinator_token).get(f"/api/v1/cases?since={not_a_time}").json()["errors"]
        assert refused == {"query.since": ["Give a day as YYYY-MM-DD, or a time as YYYY-MM-DDTHH:MM:SSZ"]}
    for written in ("2026-11-01", "2026-11-01T09:30:00Z", "2026-11-01T09:30:00%2B00:00"):
        assert bearer(coordinator_token).get(f"/api/v1/cases?since={written}").status_code == 200


def test_an_id_beyond_any_key_is_not_found(bearer, coordinator_token, case):
    response = bearer(coordinator_token).get(f"/api/v1/cases/{2**80}")
    assert response.status_code == 404 and response.json() == {"error": "Not found"}


@override_settings(OPENMARAC_API_RATE_LIMIT=3)
def test_the_rate_limit_counts_each_credential_on_its_own(bearer, coordinator_token, issue_token, marac, case):
    cache.clear()
    first, second = bearer(coordinator_token), bearer(issue_token(marac, Role.COORDINATOR))
    assert [first.get("/api/v1/cases").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/cases").status_code == 200  # the same address, another credential
    refused = first.get("/api/v1/cases")
    assert refused.status_code == 429 and "Too many requests" in refused.json()["error"]
    cache.clear()
