"""A MARAC's coordinator may revoke any of its API credentials at once (a partner system leaking data is an
emergency, and the coordinator may be the first to know): a confirmation page, a reason, audited, and the token
refused from its next call. Nobody outside the MARAC sees or revokes anything of it."""

import pytest

from accounts.models import Role
from api.models import ApiCredential
from api.services import CredentialRefused, credential_revoke
from audit.models import AuditEvent
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db
BASE = "/settings/api-credentials"
REASON = "The constabulary reports its records system has been compromised"


@pytest.fixture
def token(marac, issue_token):
    return issue_token(marac, Role.AGENCY_REPRESENTATIVE)


@pytest.fixture
def credential(token):
    return ApiCredential.objects.get()


def test_a_coordinator_revokes_a_credential_and_its_next_call_gets_401(
    client_for, bearer, coordinator, token, credential, marac
):
    api = bearer(token)
    assert api.get("/api/v1/cases").status_code == 200
    client = client_for(coordinator)
    listing = client.get(f"{BASE}/").content.decode()
    assert credential.name in listing and f"{BASE}/{credential.pk}/revoke/" in listing
    assert "Issue a credential" not in listing  # issuing stays with the administrators
    confirm = client.get(f"{BASE}/{credential.pk}/revoke/").content.decode()
    assert f"Revoke the credential {credential.name}?" in confirm and "Why are you revoking it?" in confirm

    response = client.post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON})
    assert response["Location"] == f"{BASE}/"
    assert api.get("/api/v1/cases").status_code == 401
    credential.refresh_from_db()
    assert credential.revoked_by == coordinator and credential.revocation_reason == REASON
    assert not credential.service_user.is_active
    event = AuditEvent.objects.get(object_type="api.apicredential", object_id=str(credential.pk), action="change")
    assert event.actor == coordinator and event.roles == Role.COORDINATOR and event.marac_id == marac.pk
    assert event.summary == f"Revoked API credential {credential.pk}"
    assert REASON not in event.summary and REASON not in str(event.changes)  # free text stays off the trail
    after = client.get(f"{BASE}/").content.decode()
    assert "Revoked" in after and REASON in after and coordinator.full_name in after


def test_a_reason_is_required_and_nothing_changes_without_one(client_for, bearer, coordinator, token, credential):
    page = client_for(coordinator).post(f"{BASE}/{credential.pk}/revoke/", {"reason": "   "}).content.decode()
    assert "Say why you are revoking it" in page and "This field is required" not in page
    assert f"<title>Error: Revoke the API credential {credential.name}" in page
    credential.refresh_from_db()
    assert credential.revoked_at is None
    assert bearer(token).get("/api/v1/cases").status_code == 200
    assert not AuditEvent.objects.filter(object_type="api.apicredential", action="change").exists()
    with pytest.raises(CredentialRefused, match="Say why you are revoking it"):
        credential_revoke(credential=credential, by=coordinator, reason="")


def test_a_coordinator_revokes_a_credential_without_a_case_role_too(
    client_for, bearer, coordinator, marac, issue_token
):
    board_token = issue_token(marac, Role.BOARD_VIEWER)
    credential = ApiCredential.objects.get()
    client_for(coordinator).post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON})
    assert bearer(board_token).get("/api/v1/cases").status_code == 401


def test_the_approvals_page_offers_revoking(client_for, coordinator, credential):
    page = client_for(coordinator).get(f"{BASE}/approvals/").content.decode()
    assert f"{BASE}/{credential.pk}/revoke/" in page


def test_revoking_again_changes_nothing(client_for, coordinator, administrator, credential):
    client_for(administrator).post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON})
    again = client_for(coordinator).post(f"{BASE}/{credential.pk}/revoke/", {"reason": "again"}, follow=True)
    assert f"Credential {credential.name} is already revoked" in again.content.decode()
    credential.refresh_from_db()
    assert credential.revoked_by is not None and credential.revocation_reason == REASON
    assert AuditEvent.objects.filter(object_type="api.apicredential", action="change").count() == 1


def test_a_coordinator_of_another_marac_gets_404_and_sees_nothing(client_for, bearer, outsider, token, credential):
    client = client_for(outsider)
    assert client.get(f"{BASE}/{credential.pk}/revoke/").status_code == 404
    assert client.post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON}).status_code == 404
    assert credential.name not in client.get(f"{BASE}/").content.decode()
    credential.refresh_from_db()
    assert credential.revoked_at is None
    assert bearer(token).get("/api/v1/cases").status_code == 200


@pytest.mark.parametrize("persona", ["chair", "police_rep", "idva", "referrer", "board_viewer", "no_role_user"])
def test_everyone_else_gets_404(request, client_for, persona, credential):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"{BASE}/").status_code == 404
    assert client.get(f"{BASE}/{credential.pk}/revoke/").status_code == 404
    assert client.post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON}).status_code == 404
    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, credential):
    response = client.post(f"{BASE}/{credential.pk}/revoke/", {"reason": REASON})
    assert response.status_code == 302 and "/login/" in response["Location"]
    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_the_coordinators_landing_page_links_to_the_credentials(client_for, coordinator):
    assert f'href="{BASE}/"' in client_for(coordinator).get("/").content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, databases="__all__")  # the live server reads outside the test transaction
def test_the_revoke_pages_are_accessible(page, base_url, coordinator, token):
    credential = ApiCredential.objects.get()
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"{base_url}{BASE}/")
    assert page.locator("h1").inner_text() == "API credentials at Northbrook MARAC"
    assert_accessible(page)
    page.goto(f"{base_url}{BASE}/{credential.pk}/revoke/")
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke credential").click()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Why are you revoking it?").fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke credential").click()
    assert page.url == f"{base_url}{BASE}/"
    assert f"Credential {credential.name} revoked: its token no longer works" in page.content()
    credential.refresh_from_db()
    assert credential.revoked_at is not None
