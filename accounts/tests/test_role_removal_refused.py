"""A removal of a role the rules refuse, asked for by a hand-made request (a form kept open, an edited address): the
person sees the roles page again with "You cannot remove this role" and why, since they can see that grant there
anyway, and nothing is removed. Someone who cannot see the grant still gets "Page not found"."""

import pytest
from django.core import mail

from accounts.models import Role, RoleGrant
from audit.models import AuditEvent
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _remove(client, grant_):
    return client.post(f"/you/users/{grant_.user_id}/roles/{grant_.pk}/remove/")


def _assert_refused_on_the_roles_page(response, person, reason, *, message=None):
    page = response.content.decode()
    assert response.status_code == 403
    assert "<title>Error: Roles for" in page
    assert 'class="govuk-error-summary"' in page
    assert (message or f"You cannot remove this role: {reason}") in page
    assert f"{person.full_name}: roles at Northbrook MARAC" in page
    assert "Page not found" not in page


def test_a_coordinator_is_told_why_they_cannot_remove_the_administrator_role(
    client_for, coordinator, administrator, marac, django_capture_on_commit_callbacks
):
    grant_ = RoleGrant.objects.get(user=administrator, role=Role.ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = _remove(client_for(coordinator), grant_)

    _assert_refused_on_the_roles_page(
        response, administrator, "Only another administrator can remove the administrator role"
    )
    assert RoleGrant.objects.filter(pk=grant_.pk).exists()
    assert not AuditEvent.objects.filter(object_type="accounts.rolegrant", action="delete").exists()
    assert not mail.outbox


def test_a_coordinator_is_told_only_an_administrator_removes_a_referrer_role(client_for, coordinator, referrer):
    grant_ = RoleGrant.objects.get(user=referrer)
    response = _remove(client_for(coordinator), grant_)
    _assert_refused_on_the_roles_page(response, referrer, "Only an administrator can remove the role Referrer")
    assert RoleGrant.objects.filter(pk=grant_.pk).exists()


def test_an_administrator_is_told_they_cannot_remove_their_own_role(client_for, administrator):
    grant_ = RoleGrant.objects.get(user=administrator)
    response = _remove(client_for(administrator), grant_)
    message = "You cannot remove your own role: another administrator must do it"
    _assert_refused_on_the_roles_page(response, administrator, None, message=message)
    # Said once, not "You cannot remove this role: You cannot change your own roles: …".
    assert "You cannot remove this role" not in response.content.decode()
    assert RoleGrant.objects.filter(pk=grant_.pk).exists()


def test_the_confirmation_page_asked_for_by_hand_says_why_too(client_for, coordinator, administrator):
    grant_ = RoleGrant.objects.get(user=administrator)
    response = client_for(coordinator).get(f"/you/users/{administrator.pk}/roles/{grant_.pk}/remove/")
    _assert_refused_on_the_roles_page(
        response, administrator, "Only another administrator can remove the administrator role"
    )


def test_a_role_the_coordinator_may_remove_is_still_removed(client_for, coordinator, police_rep):
    grant_ = RoleGrant.objects.get(user=police_rep)
    response = _remove(client_for(coordinator), grant_)
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant_.pk).exists()


def test_an_outsider_who_cannot_see_the_grant_gets_page_not_found(client_for, outsider, administrator):
    grant_ = RoleGrant.objects.get(user=administrator)
    response = _remove(client_for(outsider), grant_)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "You cannot remove this role" not in page
    assert administrator.full_name not in page
    assert RoleGrant.objects.filter(pk=grant_.pk).exists()


def test_someone_without_sight_of_roles_gets_page_not_found(client_for, referrer, police_rep):
    grant_ = RoleGrant.objects.get(user=police_rep)
    response = _remove(client_for(referrer), grant_)
    assert response.status_code == 404
    assert "You cannot remove this role" not in response.content.decode()
    assert RoleGrant.objects.filter(pk=grant_.pk).exists()


def test_a_grant_at_another_marac_is_page_not_found_even_for_the_same_person(
    client_for, coordinator, police_rep, other_marac
):
    # Pat also holds a role at Southmere: Northbrook's coordinator sees only Northbrook's grants on Pat's page.
    grant(police_rep, other_marac, Role.ADMINISTRATOR)
    elsewhere = RoleGrant.objects.get(user=police_rep, marac=other_marac)
    response = _remove(client_for(coordinator), elsewhere)
    assert response.status_code == 404
    assert "You cannot remove this role" not in response.content.decode()
    assert RoleGrant.objects.filter(pk=elsewhere.pk).exists()


def test_a_user_with_no_role_here_is_page_not_found_to_a_coordinator(client_for, coordinator, other_marac):
    stranger = grant(UserFactory(full_name="Stella Stranger", email="stella@example.invalid"), other_marac, Role.IDVA)
    elsewhere = RoleGrant.objects.get(user=stranger)
    response = _remove(client_for(coordinator), elsewhere)
    assert response.status_code == 404
    assert "Stella Stranger" not in response.content.decode()
