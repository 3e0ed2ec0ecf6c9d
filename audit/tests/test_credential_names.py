"""The audit trail names an API credential by its name and agency, not by the random address made for its service
account (api/models.py: ApiCredential.service_user)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from api.models import ApiCredential
from api.services import credential_issue
from audit.models import AuditAction
from audit.services import audit_record
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def credential_and_token(marac, administrator):
    credential, token = credential_issue(
        marac=marac,
        agency=AgencyFactory(name="Northbrook Constabulary Records"),
        name="Coordinator tool",
        roles=[Role.COORDINATOR],
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        by=administrator,
    )
    return credential, token


def _api_reads_the_case(token, case):
    response = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}").get(f"/api/v1/cases/{case.pk}")
    assert response.status_code == 200


def test_the_audit_trail_names_the_credential_not_its_address(client_for, coordinator, marac, credential_and_token):
    credential, token = credential_and_token
    case = CaseFactory(marac=marac)
    _api_reads_the_case(token, case)
    audit_record(action=AuditAction.VIEW, obj=case, user=coordinator)

    page = client_for(coordinator).get("/audit/").content.decode()
    assert "API credential: Coordinator tool (Northbrook Constabulary Records)" in page
    assert credential.service_user.email not in page
    assert "@api-credential" not in page
    assert "cora@example.invalid" in page  # people are still named by their address


def test_who_has_seen_a_case_names_the_credential(client_for, coordinator, marac, credential_and_token):
    credential, token = credential_and_token
    case = CaseFactory(marac=marac)
    _api_reads_the_case(token, case)

    page = client_for(coordinator).get(f"/audit/cases/{case.pk}/").content.decode()
    assert "API credential: Coordinator tool (Northbrook Constabulary Records)" in page
    assert credential.service_user.email not in page


def test_the_audit_trail_finds_a_credentials_entries_by_its_name(client_for, coordinator, marac, credential_and_token):
    _, token = credential_and_token
    case = CaseFactory(marac=marac)
    _api_reads_the_case(token, case)
    audit_record(action=AuditAction.VIEW, obj=case, user=coordinator)

    page = client_for(coordinator).get("/audit/", {"actor": "coordinator tool"}).content.decode()
    assert "API credential: Coordinator tool" in page
    assert "cora@example.invalid" not in page.split("<tbody")[1]


def test_a_revoked_credential_is_still_named(client_for, coordinator, marac, credential_and_token):
    credential, token = credential_and_token
    _api_reads_the_case(token, CaseFactory(marac=marac))
    ApiCredential.objects.filter(pk=credential.pk).update(revoked_at=timezone.now())

    page = client_for(coordinator).get("/audit/").content.decode()
    assert "API credential: Coordinator tool (Northbrook Constabulary Records)" in page
