"""An administrator cannot change their own roles (another must), and the user forms name what is wrong."""

import pytest

from accounts.models import Role, RoleGrant
from audit.models import AuditEvent
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_an_administrator_is_not_offered_roles_for_their_own_account(client_for, administrator, marac):
    page = client_for(administrator).get(f"/you/users/{administrator.pk}/roles/").content.decode()
    assert "Grant a role" not in page
    assert "You cannot grant or remove your own roles: another administrator of Northbrook MARAC must do it" in page
    assert f"<title>Roles for {administrator.full_name} at Northbrook MARAC" in page


def test_an_administrator_cannot_grant_themselves_a_case_role(client_for, administrator, marac):
    response = client_for(administrator).post(f"/you/users/{administrator.pk}/roles/", {"role": Role.COORDINATOR})
    assert response.status_code == 403
    assert set(administrator.role_grants.values_list("role", flat=True)) == {Role.ADMINISTRATOR}
    assert not AuditEvent.objects.filter(object_type="accounts.rolegrant").exists()
    assert client_for(administrator).get("/cases/").status_code == 404


def test_an_administrator_cannot_remove_their_own_roles(client_for, administrator, marac):
    own = administrator.role_grants.get()
    url = f"/you/users/{administrator.pk}/roles/{own.pk}/remove/"
    assert client_for(administrator).post(url).status_code == 403
    assert RoleGrant.objects.filter(pk=own.pk).exists()


def test_another_administrator_grants_the_role_and_a_third_person_approves_it(
    client_for, administrator, coordinator, marac
):
    second = grant(UserFactory(full_name="Adam Second"), marac, Role.ADMINISTRATOR)
    client_for(second).post(f"/you/users/{administrator.pk}/roles/", {"role": Role.COORDINATOR})
    waiting = administrator.pending_role_grants.get()
    approve = f"/you/users/{administrator.pk}/roles/waiting/{waiting.pk}/approve/"
    client_for(administrator).post(approve)  # not their own role
    assert not administrator.role_grants.filter(role=Role.COORDINATOR).exists()
    client_for(coordinator).post(approve)
    assert administrator.role_grants.filter(role=Role.COORDINATOR).exists()
    assert AuditEvent.objects.filter(object_type="accounts.rolegrant", action="create").exists()


def test_the_add_user_form_names_each_problem(client_for, administrator, marac):
    page = (
        client_for(administrator)
        .post("/you/users/new/", {"full_name": "", "email": "not-an-address", "agency": ""})
        .content.decode()
    )
    assert "Enter their full name" in page
    assert "Enter an email address in the correct format, like name@example.com" in page
    assert "Choose the agency they work for" in page
    assert "This field is required" not in page and "Enter a valid email address" not in page
    assert "<title>Error: Add a user to Northbrook MARAC" in page
    missing = client_for(administrator).post("/you/users/new/", {"full_name": "A", "email": "", "agency": ""})
    assert "Enter their work email address" in missing.content.decode()


def test_the_role_form_asks_for_a_role(client_for, administrator, marac):
    person = UserFactory(full_name="Rita Representative")
    page = client_for(administrator).post(f"/you/users/{person.pk}/roles/", {"role": ""}).content.decode()
    assert "Choose the role to grant" in page and "This field is required" not in page
