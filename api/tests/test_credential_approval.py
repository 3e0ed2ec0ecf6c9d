"""A credential that holds a case role works only once a second person approves it; names are unique per MARAC."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from api.models import ApiCredential
from audit.models import AuditEvent
from marac.models import MaracAgency
from testing.factories import AgencyFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
BASE = "/settings/api-credentials"


@pytest.fixture
def police(marac):
    agency = AgencyFactory(name="Northbrook Constabulary Records")
    MaracAgency.objects.create(marac=marac, agency=agency)
    return agency


def _issue(client, agency, *, name="Force records system", roles=(Role.COORDINATOR,)):
    expires_on = timezone.localdate() + datetime.timedelta(days=90)
    return client.post(
        f"{BASE}/new/", {"name": name, "agency": agency.pk, "roles": list(roles), "expires_on": expires_on}
    )


def _api(token):
    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_administrator_cannot_read_cases_with_a_case_role_credential_they_issued(
    client_for, administrator, coordinator, police, marac
):
    CaseFactory(marac=marac)
    admin = client_for(administrator)
    issued = _issue(admin, police)
    token = issued.context["token"]
    assert (
        "does not work until a coordinator or another administrator of this MARAC approves it"
        in issued.content.decode()
    )
    assert _api(token).get("/api/v1/cases").status_code == 401

    credential = ApiCredential.objects.get()
    assert "Awaiting approval" in admin.get(f"{BASE}/").content.decode()
    # The issuer may not approve it, by the page or by a crafted post.
    approvals = admin.get(f"{BASE}/approvals/").content.decode()
    assert "You issued it: someone else must approve it" in approvals
    refused = admin.post(f"{BASE}/{credential.pk}/approve/", follow=True).content.decode()
    assert "You issued this credential: a coordinator or another administrator must approve it" in refused
    assert _api(token).get("/api/v1/cases").status_code == 401

    event = AuditEvent.objects.get(object_type="api.apicredential", action="create")
    assert "awaiting approval by a second person" in event.summary


def test_the_coordinators_are_told_and_one_approves_it(
    client_for, administrator, coordinator, chair, police, marac, django_capture_on_commit_callbacks
):
    CaseFactory(marac=marac)
    with django_capture_on_commit_callbacks(execute=True):
        token = _issue(client_for(administrator), police).context["token"]
    (message,) = mail.outbox
    assert message.to == [coordinator.email]
    assert "waiting for your approval" in message.subject
    assert "/settings/api-credentials/approvals/" in message.body
    assert "Force records system" not in message.body and administrator.full_name not in message.body

    landing = client_for(coordinator).get("/").content.decode()
    assert f"{BASE}/approvals/" in landing
    page = client_for(coordinator).get(f"{BASE}/approvals/").content.decode()
    assert "Force records system" in page and "Awaiting approval" in page and "Approve" in page

    credential = ApiCredential.objects.get()
    client_for(coordinator).post(f"{BASE}/{credential.pk}/approve/")
    assert _api(token).get("/api/v1/cases").status_code == 200
    approved = AuditEvent.objects.get(object_type="api.apicredential", action="change")
    assert approved.actor == coordinator and "Approved API credential" in approved.summary
    # Approving twice changes nothing.
    again = client_for(coordinator).post(f"{BASE}/{credential.pk}/approve/", follow=True).content.decode()
    assert "This credential is not waiting for approval" in again


def test_another_administrator_may_approve(client_for, administrator, police, marac):
    second = grant(UserFactory(full_name="Adam Second"), marac, Role.ADMINISTRATOR)
    token = _issue(client_for(administrator), police).context["token"]
    client_for(second).post(f"{BASE}/{ApiCredential.objects.get().pk}/approve/")
    assert _api(token).get("/api/v1/cases").status_code == 200


def test_a_credential_without_a_case_role_works_at_once(
    client_for, administrator, police, marac, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token = _issue(client_for(administrator), police, roles=(Role.BOARD_VIEWER,)).context["token"]
    assert _api(token).get("/api/v1/cases").status_code == 404  # signed in, but no case role: 404, not 401
    assert not mail.outbox
    assert "Force records system" not in client_for(administrator).get(f"{BASE}/approvals/").content.decode()


def test_only_the_marac_s_coordinators_and_administrators_approve(
    client_for, administrator, police_rep, board_viewer, outsider, police, marac
):
    _issue(client_for(administrator), police)
    credential = ApiCredential.objects.get()
    for user in (police_rep, board_viewer, outsider):
        assert client_for(user).post(f"{BASE}/{credential.pk}/approve/").status_code == 404, user
    credential.service_user.refresh_from_db()
    assert not credential.service_user.is_active
    assert client_for(outsider).get(f"{BASE}/approvals/").content.decode().count("Force records system") == 0


def test_credential_names_are_unique_at_a_marac(client_for, administrator, police, marac):
    admin = client_for(administrator)
    _issue(admin, police, roles=(Role.BOARD_VIEWER,))
    second = _issue(admin, police, name="force records SYSTEM ", roles=(Role.BOARD_VIEWER,))
    page = second.content.decode()
    assert "A credential called force records SYSTEM already exists" in page
    assert "<title>Error: Issue an API credential at Northbrook MARAC" in page
    assert ApiCredential.objects.count() == 1


def test_the_issue_form_names_what_is_missing(client_for, administrator, police, marac):
    page = client_for(administrator).post(f"{BASE}/new/", {"name": "", "agency": "", "expires_on": ""}).content.decode()
    for message in (
        "Enter what the credential is for",
        "Choose the agency whose system will use it",
        "Choose at least one role",
        "Enter the expiry date",
    ):
        assert message in page
    assert "This field is required" not in page
