"""Administrators issue and revoke API credentials; the token is shown once and never stored."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from api.models import ApiCredential, token_hash
from audit.models import AuditEvent
from marac.models import MaracAgency
from testing.factories import AgencyFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(marac):
    agency = AgencyFactory(name="Northbrook Constabulary Records")
    MaracAgency.objects.create(marac=marac, agency=agency)
    return agency


def _issue(client, agency, *, roles=(Role.AGENCY_REPRESENTATIVE,), expires_on=None):
    expires_on = expires_on or timezone.localdate() + datetime.timedelta(days=90)
    return client.post(
        "/settings/api-credentials/new/",
        {"name": "Force records system", "agency": agency.pk, "roles": list(roles), "expires_on": expires_on},
    )


def test_an_administrator_issues_a_credential_and_sees_the_token_once(
    client_for, administrator, coordinator, police, marac
):
    admin = client_for(administrator)
    response = _issue(admin, police)
    assert response.status_code == 200  # shown on this page, never carried in a redirect
    token = response.context["token"]
    assert token.startswith("omk_") and token in response.content.decode()
    credential = ApiCredential.objects.get()
    assert credential.secret_hash == token_hash(token) and token not in credential.secret_hash
    assert credential.service_user.agency == police
    assert set(credential.service_user.role_grants.values_list("marac_id", "role")) == {
        (marac.pk, Role.AGENCY_REPRESENTATIVE)
    }
    listing = admin.get("/settings/api-credentials/").content.decode()
    assert "Force records system" in listing and token not in listing and credential.prefix in listing
    event = AuditEvent.objects.get(object_type="api.apicredential", action="create")
    # The secret is everything after "omk_<prefix>_" (it may itself contain underscores).
    secret = token.removeprefix(f"omk_{credential.prefix}_")
    assert event.actor == administrator and secret not in event.summary and secret not in str(event.changes)
    case = CaseFactory(marac=marac)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    # A case role: it works once a second person has approved it (test_credential_approval.py).
    assert api.get(f"/api/v1/cases/{case.pk}").status_code == 401
    client_for(coordinator).post(f"/settings/api-credentials/{credential.pk}/approve/")
    assert api.get(f"/api/v1/cases/{case.pk}").status_code == 200


def test_it_refuses_a_past_expiry_and_an_agency_outside_the_marac(client_for, administrator, police):
    admin = client_for(administrator)
    response = _issue(admin, police, expires_on=timezone.localdate())
    assert response.context["form"].errors["expires_on"] == ["The expiry date must be in the future"]
    too_late = timezone.localdate() + datetime.timedelta(days=800)
    assert "within 2 years" in _issue(admin, police, expires_on=too_late).context["form"].errors["expires_on"][0]
    stranger = AgencyFactory(name="Elsewhere Housing")
    assert "agency" in _issue(admin, stranger).context["form"].errors
    assert "roles" in _issue(admin, police, roles=[Role.ADMINISTRATOR]).context["form"].errors
    assert not ApiCredential.objects.exists()


def test_revoking_stops_the_token_at_once(client_for, administrator, police):
    admin = client_for(administrator)
    token = _issue(admin, police).context["token"]
    credential = ApiCredential.objects.get()
    assert admin.get(f"/settings/api-credentials/{credential.pk}/revoke/").status_code == 200
    response = admin.post(f"/settings/api-credentials/{credential.pk}/revoke/", {"reason": "Replaced by a new system"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.revoked_by == administrator
    assert not credential.service_user.is_active
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/cases").status_code == 401
    assert "Revoked" in admin.get("/settings/api-credentials/").content.decode()
    assert AuditEvent.objects.filter(object_type="api.apicredential", action="change").count() == 1


def test_only_administrators_of_the_marac_manage_its_credentials(
    client_for, administrator, coordinator, other_marac, police
):
    _issue(client_for(administrator), police)
    credential = ApiCredential.objects.get()
    other_administrator = grant(UserFactory(), other_marac, Role.ADMINISTRATOR)
    # The MARAC's coordinator may revoke it (test_credential_revoke_by_coordinator.py) but not issue one.
    assert client_for(other_administrator).post(f"/settings/api-credentials/{credential.pk}/revoke/").status_code == 404
    assert client_for(coordinator).get("/settings/api-credentials/new/").status_code == 404
    assert (
        "Force records system" not in client_for(other_administrator).get("/settings/api-credentials/").content.decode()
    )
    credential.refresh_from_db()
    assert credential.revoked_at is None
