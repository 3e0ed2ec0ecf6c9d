"""An API credential keeps the roles it was issued with. Its service account is never reached through the users
pages, so an administrator cannot give a credential that needed no approval (board viewer, referrer) a case role
afterwards and read every case with its token, skipping the second person's approval."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, RoleGrant
from accounts.services import SERVICE_ACCOUNT_REFUSED, RoleChangeRefused, role_grant
from api.models import ApiCredential
from marac.models import MaracAgency
from testing.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db
CREDENTIALS = "/settings/api-credentials"
USERS = "/you/users/"


@pytest.fixture
def board_feed(client_for, administrator, marac):
    """Ada Minister, an administrator, issues a board viewer credential through the page: it needs no approval, so
    its token works at once. Returns the credential and its token."""
    agency = AgencyFactory(name="Northbrook Constabulary Records")
    MaracAgency.objects.create(marac=marac, agency=agency)
    expires_on = timezone.localdate() + datetime.timedelta(days=90)
    issued = client_for(administrator).post(
        f"{CREDENTIALS}/new/",
        {"name": "Board feed", "agency": agency.pk, "roles": [Role.BOARD_VIEWER], "expires_on": expires_on},
    )
    return ApiCredential.objects.get(name="Board feed"), issued.context["token"]


def _api(token):
    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_it_does_not_let_an_administrator_give_their_credential_a_case_role(
    client_for, administrator, marac, board_feed
):
    CaseFactory(marac=marac)
    credential, token = board_feed
    assert _api(token).get("/api/v1/cases").status_code == 404  # a board viewer reads no case
    admin = client_for(administrator)
    roles_page = f"{USERS}{credential.service_user_id}/roles/"

    assert admin.get(roles_page).status_code == 404
    assert admin.post(roles_page, {"role": Role.COORDINATOR}).status_code == 404

    held = RoleGrant.objects.filter(user=credential.service_user).values_list("role", flat=True)
    assert list(held) == [Role.BOARD_VIEWER]
    assert _api(token).get("/api/v1/cases").status_code == 404


def test_a_coordinator_does_not_reach_a_credentials_roles_from_the_users_pages(client_for, coordinator, board_feed):
    credential, _ = board_feed
    grant_ = RoleGrant.objects.get(user=credential.service_user)
    client = client_for(coordinator)
    assert client.get(f"{USERS}{credential.service_user_id}/roles/").status_code == 404
    assert client.post(f"{USERS}{credential.service_user_id}/roles/{grant_.pk}/remove/").status_code == 404
    assert RoleGrant.objects.filter(pk=grant_.pk).exists()


def test_the_users_page_lists_a_credential_apart_without_a_roles_page(client_for, coordinator, board_feed):
    credential, _ = board_feed
    page = client_for(coordinator).get(USERS).content.decode()
    systems = page.split("Agencies' systems (API credentials)</h2>", 1)[1]
    assert "API credential: Board feed" in systems
    assert "Board viewer" in systems
    assert f"{USERS}{credential.service_user_id}/roles/" not in page
    assert 'href="/settings/api-credentials/"' in systems


def test_it_refuses_to_grant_a_credentials_account_a_role_whoever_asks(board_feed, administrator, marac):
    credential, _ = board_feed
    with pytest.raises(RoleChangeRefused, match=SERVICE_ACCOUNT_REFUSED):
        role_grant(user=credential.service_user, marac=marac, role=Role.COORDINATOR, by=administrator)
    assert not RoleGrant.objects.filter(user=credential.service_user, role=Role.COORDINATOR).exists()


def test_an_outsider_sees_nothing_of_a_credentials_account(client_for, outsider, board_feed):
    credential, _ = board_feed
    client = client_for(outsider)
    assert client.get(f"{USERS}{credential.service_user_id}/roles/").status_code == 404
    assert "Board feed" not in client.get(USERS).content.decode()
