"""A case role an administrator grants to a person reads cases, and the administrator may have added that person
with an email address they control: so it gives no access until a second person, a coordinator or another
administrator of the MARAC, approves it. The administrator who granted it cannot; it shows as waiting on the
person's roles page and the users page; approving and refusing are audited. Roles that read no case are granted at
once, as before."""

import pytest
from django.core import mail

from accounts.models import PendingRoleGrant, Role, RoleGrant
from accounts.services import (
    OWN_GRANT_APPROVAL_REFUSED,
    ROLE_APPROVAL_SUBJECT,
    RoleChangeRefused,
    role_grant,
    role_grant_approve,
)
from audit.models import AuditEvent
from marac.models import MaracAgency
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET, AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
USERS = "/you/users/"


@pytest.fixture
def hana(marac):
    homes = AgencyFactory(name="Northbrook Homes", agency_type="housing")
    MaracAgency.objects.create(marac=marac, agency=homes)
    return UserFactory(full_name="Hana Housing", email="hana@example.invalid", agency=homes)


@pytest.fixture
def waiting(client_for, administrator, coordinator, hana, marac, django_capture_on_commit_callbacks):
    """Ada Minister, an administrator, grants Hana the coordinator role: it waits for approval."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(f"{USERS}{hana.pk}/roles/", {"role": Role.COORDINATOR}, follow=True)
    assert "Role granted, awaiting approval: it gives no access until a coordinator or another administrator" in (
        response.content.decode()
    )
    return PendingRoleGrant.objects.get(user=hana, marac=marac)


def _approve(pending):
    return f"{USERS}{pending.user_id}/roles/waiting/{pending.pk}/approve/"


def _refuse(pending):
    return f"{USERS}{pending.user_id}/roles/waiting/{pending.pk}/refuse/"


def test_a_case_role_an_administrator_grants_gives_no_access_until_approved(client_for, waiting, hana, marac):
    assert not RoleGrant.objects.filter(user=hana).exists()
    assert client_for(hana).get("/cases/").status_code == 404
    event = AuditEvent.objects.get(object_type="accounts.pendingrolegrant", action="create")
    assert event.summary == f"Granted role coordinator to user {hana.pk}, awaiting approval by a second person"
    assert event.marac_id == marac.pk


def test_the_administrator_who_granted_it_cannot_approve_it(client_for, administrator, waiting, hana):
    client = client_for(administrator)
    page = client.get(f"{USERS}{hana.pk}/roles/").content.decode()
    assert "Awaiting approval" in page and OWN_GRANT_APPROVAL_REFUSED in page
    assert _approve(waiting) not in page  # no Approve button; Withdraw instead
    refused = client.post(_approve(waiting), follow=True).content.decode()
    assert OWN_GRANT_APPROVAL_REFUSED in refused
    assert not RoleGrant.objects.filter(user=hana).exists()
    assert PendingRoleGrant.objects.filter(pk=waiting.pk).exists()
    with pytest.raises(RoleChangeRefused, match=OWN_GRANT_APPROVAL_REFUSED):
        role_grant_approve(pending=waiting, by=administrator)


def test_a_coordinator_is_asked_then_approves_it_and_both_people_are_recorded(
    client_for, administrator, coordinator, waiting, hana, marac
):
    asked = [message for message in mail.outbox if message.subject == ROLE_APPROVAL_SUBJECT]
    assert [message.to for message in asked] == [[coordinator.email]]  # not the administrator who granted it
    assert "Hana" not in asked[0].body and "coordinator role" not in asked[0].body
    client = client_for(coordinator)
    users_page = client.get(USERS).content.decode()
    assert "Roles waiting for approval" in users_page and "Hana Housing" in users_page
    assert _approve(waiting) in client.get(f"{USERS}{hana.pk}/roles/").content.decode()
    client.post(_approve(waiting))
    held = RoleGrant.objects.get(user=hana, marac=marac, role=Role.COORDINATOR)
    assert held.granted_by == administrator and held.approved_by == coordinator
    assert not PendingRoleGrant.objects.exists()
    event = AuditEvent.objects.get(object_type="accounts.rolegrant", object_id=str(held.pk), action="create")
    assert event.actor == coordinator
    assert event.summary == f"Approved role coordinator for user {hana.pk}, granted by user {administrator.pk}"
    page = client.get(f"{USERS}{hana.pk}/roles/").content.decode()
    assert "by Ada Minister, approved by Cora Ordinator (MARAC coordinator)" in page
    assert "Awaiting approval" not in page
    assert client_for(hana).get("/cases/").status_code == 200


def test_another_administrator_may_approve_it(client_for, waiting, hana, marac):
    second = grant(UserFactory(full_name="Adam Second"), marac, Role.ADMINISTRATOR)
    client_for(second).post(_approve(waiting))
    assert RoleGrant.objects.filter(user=hana, role=Role.COORDINATOR, approved_by=second).exists()


def test_a_refused_role_is_never_granted_and_the_refusal_is_audited(client_for, coordinator, waiting, hana):
    response = client_for(coordinator).post(_refuse(waiting), follow=True)
    assert "Role refused: it was not granted" in response.content.decode()
    assert not PendingRoleGrant.objects.exists() and not RoleGrant.objects.filter(user=hana).exists()
    event = AuditEvent.objects.get(object_type="accounts.pendingrolegrant", action="delete")
    assert event.actor == coordinator and "Hana" not in event.summary


def test_the_administrator_who_granted_it_may_withdraw_it(client_for, administrator, waiting, hana):
    client_for(administrator).post(_refuse(waiting))
    assert not PendingRoleGrant.objects.exists() and not RoleGrant.objects.filter(user=hana).exists()


@pytest.mark.parametrize("persona", ["outsider", "chair", "police_rep", "idva", "referrer", "board_viewer"])
def test_nobody_else_sees_or_decides_it(request, client_for, persona, waiting, hana):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"{USERS}{hana.pk}/roles/").status_code == 404
    assert client.post(_approve(waiting)).status_code == 404
    assert client.post(_refuse(waiting)).status_code == 404
    assert PendingRoleGrant.objects.filter(pk=waiting.pk).exists()
    assert not RoleGrant.objects.filter(user=hana).exists()


def test_the_person_cannot_approve_their_own_role(client_for, administrator, coordinator, marac):
    second = grant(UserFactory(full_name="Adam Second"), marac, Role.ADMINISTRATOR)
    pending = role_grant(user=coordinator, marac=marac, role=Role.CHAIR, by=second)
    assert isinstance(pending, PendingRoleGrant)
    client_for(coordinator).post(_approve(pending))
    assert not coordinator.role_grants.filter(role=Role.CHAIR).exists()
    client_for(administrator).post(_approve(pending))
    assert coordinator.role_grants.filter(role=Role.CHAIR, granted_by=second, approved_by=administrator).exists()


def test_the_administrator_role_waits_for_a_second_person_too(client_for, administrator, coordinator, hana, marac):
    # Granted at once, it would let an administrator approve their own grants through a second account of theirs.
    client_for(administrator).post(f"{USERS}{hana.pk}/roles/", {"role": Role.ADMINISTRATOR})
    assert not RoleGrant.objects.filter(user=hana, marac=marac, role=Role.ADMINISTRATOR).exists()
    pending = PendingRoleGrant.objects.get(user=hana, role=Role.ADMINISTRATOR)
    client_for(coordinator).post(_approve(pending))
    assert RoleGrant.objects.filter(user=hana, marac=marac, role=Role.ADMINISTRATOR, approved_by=coordinator).exists()


@pytest.mark.parametrize("role", [Role.REFERRER, Role.BOARD_VIEWER])
def test_a_role_that_reads_no_case_is_granted_at_once(client_for, administrator, hana, marac, role):
    response = client_for(administrator).post(f"{USERS}{hana.pk}/roles/", {"role": role}, follow=True)
    assert "Role granted" in response.content.decode() and "awaiting approval" not in response.content.decode()
    assert RoleGrant.objects.filter(user=hana, marac=marac, role=role).exists()
    assert not PendingRoleGrant.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, databases="__all__")  # the live server reads outside the test transaction
def test_the_pages_with_a_role_waiting_are_accessible(page, base_url, coordinator, waiting, hana):
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    for path, heading in [
        (USERS, "Users at Northbrook MARAC"),
        (f"{USERS}{hana.pk}/roles/", "Hana Housing: roles at Northbrook MARAC"),
    ]:
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        assert page.locator("h1").inner_text() == heading
        assert_accessible(page)
