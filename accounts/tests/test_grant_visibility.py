"""A MARAC's coordinator sees every role held there, the administrator role included, and who granted it and when;
they may remove a case role whoever granted it, never the administrator role. Nobody elsewhere sees any of it."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role, RoleGrant
from api.models import ApiCredential
from api.services import credential_issue
from audit.models import AuditEvent
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET, AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
USERS = "/you/users/"


@pytest.fixture
def rita(marac):
    return UserFactory(full_name="Rita Representative", email="rita@example.invalid")


@pytest.fixture
def adam(marac):
    return UserFactory(full_name="Adam Second", email="adam@example.invalid")


@pytest.fixture
def granted_by_administrator(client_for, administrator, coordinator, rita, adam, marac):
    """Ada Minister, an administrator, makes Rita an agency representative and Adam an administrator (a case role
    and the administrator role, which Cora Ordinator, the coordinator, approves)."""
    admin = client_for(administrator)
    admin.post(f"{USERS}{rita.pk}/roles/", {"role": Role.AGENCY_REPRESENTATIVE})
    admin.post(f"{USERS}{adam.pk}/roles/", {"role": Role.ADMINISTRATOR})
    for person in (rita, adam):  # both wait for a second person: a case role, and the administrator role
        waiting = person.pending_role_grants.get()
        client_for(coordinator).post(f"{USERS}{person.pk}/roles/waiting/{waiting.pk}/approve/")
    return {
        "rita": RoleGrant.objects.get(user=rita, marac=marac),
        "adam": RoleGrant.objects.get(user=adam, marac=marac),
    }


def test_a_coordinator_sees_every_grant_an_administrator_made_with_who_and_when(
    client_for, coordinator, administrator, granted_by_administrator
):
    page = client_for(coordinator).get(USERS).content.decode()
    for name in ("Rita Representative", "Adam Second", "Ada Minister", "Cora Ordinator"):
        assert name in page
    assert "by Ada Minister, approved by Cora Ordinator (MARAC coordinator)" in page  # Adam's administrator role
    assert "by Ada Minister, approved by Cora Ordinator (MARAC coordinator)" in page  # Rita's case role
    when = granted_by_administrator["adam"].granted_at
    assert f"Granted {when:%-d %b %Y}" in page
    assert "Add a user" not in page  # only administrators add users


def test_a_coordinator_sees_one_persons_roles_and_may_remove_a_case_role_but_not_the_administrator_role(
    client_for, coordinator, granted_by_administrator, rita, adam
):
    client = client_for(coordinator)
    rita_page = client.get(f"{USERS}{rita.pk}/roles/").content.decode()
    assert "Agency representative" in rita_page
    assert "by Ada Minister, approved by Cora Ordinator (MARAC coordinator)" in rita_page
    assert f"/roles/{granted_by_administrator['rita'].pk}/remove/" in rita_page
    assert "Grant a role" not in rita_page
    adam_page = client.get(f"{USERS}{adam.pk}/roles/").content.decode()
    assert "Administrator" in adam_page and "by Ada Minister, approved by Cora Ordinator" in adam_page
    assert "/remove/" not in adam_page


def test_a_coordinator_removes_a_case_role_an_administrator_granted_and_it_is_audited(
    client_for, coordinator, granted_by_administrator, rita, marac
):
    rita_grant = granted_by_administrator["rita"]
    client = client_for(coordinator)
    url = f"{USERS}{rita.pk}/roles/{rita_grant.pk}/remove/"
    assert "Remove the role Agency representative from Rita Representative?" in client.get(url).content.decode()
    removed = client.post(url, follow=True)
    # Her last role here: back to the MARAC's users (her roles page is no longer this MARAC's to show), not a 404.
    assert removed.redirect_chain == [(USERS, 302)] and removed.status_code == 200
    assert "Role removed: they no longer have a role at this MARAC" in removed.content.decode()
    assert "Rita Representative" not in removed.content.decode()
    assert client.get(f"{USERS}{rita.pk}/roles/").status_code == 404
    assert not RoleGrant.objects.filter(pk=rita_grant.pk).exists()
    event = AuditEvent.objects.get(object_type="accounts.rolegrant", object_id=str(rita_grant.pk), action="delete")
    assert event.actor == coordinator and event.roles == Role.COORDINATOR and event.marac_id == marac.pk
    assert "Rita" not in event.summary  # ids only
    assert client_for(rita).get("/cases/").status_code == 404  # the role is gone at once


def test_a_coordinator_cannot_remove_the_administrator_role_nor_grant_a_role(
    client_for, coordinator, administrator, granted_by_administrator, rita, adam
):
    client = client_for(coordinator)
    adam_grant = granted_by_administrator["adam"]
    assert client.post(f"{USERS}{adam.pk}/roles/{adam_grant.pk}/remove/").status_code == 403
    ada_grant = administrator.role_grants.get()
    assert client.post(f"{USERS}{administrator.pk}/roles/{ada_grant.pk}/remove/").status_code == 403
    assert client.post(f"{USERS}{rita.pk}/roles/", {"role": Role.COORDINATOR}).status_code == 403
    assert client.get(f"{USERS}new/").status_code == 404
    assert RoleGrant.objects.filter(pk__in=[adam_grant.pk, ada_grant.pk]).count() == 2
    assert not rita.role_grants.filter(role=Role.COORDINATOR).exists()


def test_a_coordinator_leaves_roles_without_case_access_and_their_own_to_administrators(
    client_for, coordinator, referrer, board_viewer
):
    client = client_for(coordinator)
    for person in (referrer, board_viewer, coordinator):
        held = person.role_grants.get()
        assert client.post(f"{USERS}{person.pk}/roles/{held.pk}/remove/").status_code == 403, person
        assert RoleGrant.objects.filter(pk=held.pk).exists()


def test_an_administrator_still_removes_any_role_but_their_own(client_for, administrator, coordinator, adam, marac):
    grant(adam, marac, Role.ADMINISTRATOR)
    client = client_for(administrator)
    for person in (coordinator, adam):
        held = person.role_grants.get()
        assert client.post(f"{USERS}{person.pk}/roles/{held.pk}/remove/").status_code == 302
    assert not RoleGrant.objects.filter(user__in=[coordinator, adam]).exists()


def test_who_granted_a_role_says_not_recorded_when_the_audit_trail_does_not_know(client_for, coordinator, rita, marac):
    grant(rita, marac, Role.IDVA)  # made outside the pages, with no audit entry
    page = client_for(coordinator).get(f"{USERS}{rita.pk}/roles/").content.decode()
    assert "IDVA" in page and "(who granted it is not recorded)" in page


def test_a_credentials_roles_show_the_administrator_who_issued_it(client_for, coordinator, administrator, marac):
    credential, _ = credential_issue(
        marac=marac,
        agency=AgencyFactory(name="Northbrook Constabulary Records"),
        name="Force records system",
        roles=[Role.BOARD_VIEWER],
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        by=administrator,
    )
    assert ApiCredential.objects.filter(pk=credential.pk).exists()
    page = client_for(coordinator).get(USERS).content.decode()
    assert "API credential: Force records system" in page
    assert "by Ada Minister (issued with the credential)" in page


def test_a_coordinator_of_another_marac_sees_nothing_of_this_one(
    client_for, outsider, coordinator, administrator, granted_by_administrator, rita
):
    client = client_for(outsider)
    page = client.get(USERS).content.decode()
    assert "Users at Southmere MARAC" in page
    for name in ("Rita Representative", "Adam Second", "Ada Minister", "Cora Ordinator", "Northbrook"):
        assert name not in page
    rita_grant = granted_by_administrator["rita"]
    assert client.get(f"{USERS}{rita.pk}/roles/").status_code == 404
    assert client.get(f"{USERS}{rita.pk}/roles/{rita_grant.pk}/remove/").status_code == 404
    assert client.post(f"{USERS}{rita.pk}/roles/{rita_grant.pk}/remove/").status_code == 404
    assert RoleGrant.objects.filter(pk=rita_grant.pk).exists()


def test_a_coordinator_does_not_see_a_user_who_holds_no_role_yet(client_for, coordinator, no_role_user):
    assert client_for(coordinator).get(f"{USERS}{no_role_user.pk}/roles/").status_code == 404


@pytest.mark.parametrize("persona", ["chair", "police_rep", "idva", "referrer", "board_viewer", "no_role_user"])
def test_everyone_else_gets_404(request, client_for, persona, coordinator):
    client = client_for(request.getfixturevalue(persona))
    held = coordinator.role_grants.get()
    assert client.get(USERS).status_code == 404
    assert client.get(f"{USERS}{coordinator.pk}/roles/").status_code == 404
    assert client.post(f"{USERS}{coordinator.pk}/roles/{held.pk}/remove/").status_code == 404
    assert RoleGrant.objects.filter(pk=held.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, coordinator):
    response = client.get(USERS)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_coordinator_finds_the_page_from_the_header_and_their_landing_page(client_for, coordinator):
    page = client_for(coordinator).get("/").content.decode()
    assert f'href="{USERS}"' in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, databases="__all__")  # the live server reads outside the test transaction
def test_the_coordinators_pages_are_accessible(page, base_url, coordinator, granted_by_administrator, rita):
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    for path, heading in [
        (USERS, "Users at Northbrook MARAC"),
        (f"{USERS}{rita.pk}/roles/", "Rita Representative: roles at Northbrook MARAC"),
        (
            f"{USERS}{rita.pk}/roles/{granted_by_administrator['rita'].pk}/remove/",
            "Remove the role Agency representative from Rita Representative?",
        ),
    ]:
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        assert page.locator("h1").inner_text() == heading
        assert_accessible(page)
