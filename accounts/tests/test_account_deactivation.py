"""An administrator deactivates a leaver's account: they are signed out at once, cannot sign in again (the sign-in page
then tells them whom to ask), get no reset link, and the API credentials they issued stop working. Audited. Nobody
deactivates their own account; an administrator reactivates one, unless it holds a role at a MARAC they do not
administer."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Role, RoleGrant
from api.models import ApiCredential
from api.services import credential_issue
from audit.models import AuditEvent
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
USERS = "/you/users/"
PASSWORD = "correct horse battery staple"  # the test users' password (testing/factories.py)


def _sessions_of(user) -> list[str]:
    return [s.pk for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def _sign_in(user) -> Client:
    return Client(HTTP_HOST="localhost").post("/accounts/login/", {"login": user.email, "password": PASSWORD})


@pytest.fixture
def abel(marac):
    """A second administrator, who leaves."""
    return grant(UserFactory(full_name="Abel Second-Admin", email="abel@example.invalid"), marac, Role.ADMINISTRATOR)


def test_an_administrator_deactivates_a_leaver_who_is_signed_out_at_once(client_for, administrator, idva, marac):
    leaver = client_for(idva)
    assert leaver.get("/").status_code == 200
    desk = client_for(administrator)

    roles_page = desk.get(f"{USERS}{idva.pk}/roles/").content.decode()
    assert f'href="{USERS}{idva.pk}/deactivate/"' in roles_page
    confirm = desk.get(f"{USERS}{idva.pk}/deactivate/")
    assert confirm.status_code == 200
    assert "Deactivate the account of Ivy Advocate?" in confirm.content.decode()
    idva.refresh_from_db()
    assert idva.is_active  # asking is not doing

    done = desk.post(f"{USERS}{idva.pk}/deactivate/", follow=True)

    assert done.redirect_chain == [(f"{USERS}{idva.pk}/roles/", 302)]
    page = done.content.decode()
    assert "Account deactivated: they are signed out and can no longer sign in" in page
    assert "Reactivate account" in page
    idva.refresh_from_db()
    assert not idva.is_active
    assert _sessions_of(idva) == []
    assert leaver.get("/cases/")["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(
        marac=marac, object_type="accounts.user", object_id=str(idva.pk), summary__startswith="Deactivated"
    ).exists()
    assert "Deactivated" in desk.get(USERS).content.decode()  # still listed with their roles, marked


def test_a_deactivated_user_who_signs_in_is_told_whom_to_ask(client_for, administrator, idva):
    client_for(administrator).post(f"{USERS}{idva.pk}/deactivate/")

    response = _sign_in(idva)
    page = Client(HTTP_HOST="localhost").get(response["Location"]).content.decode()

    assert response["Location"] == "/accounts/inactive/"
    assert "Your account has been deactivated" in page
    assert "contact an administrator of your MARAC" in page
    assert "Account Inactive" not in page
    assert 'class="govuk-heading-l"' in page  # the service's layout


def test_a_deactivated_user_is_sent_no_password_reset_link(client_for, administrator, idva):
    client_for(administrator).post(f"{USERS}{idva.pk}/deactivate/")
    mail.outbox.clear()

    Client(HTTP_HOST="localhost").post("/accounts/password/reset/", {"email": idva.email})

    assert not any("/accounts/password/reset/key/" in message.body for message in mail.outbox)


def test_deactivating_revokes_the_api_credentials_they_issued(client_for, administrator, abel, marac):
    credential, token = credential_issue(
        marac=marac,
        agency=AgencyFactory(name="Northbrook Records"),
        name="Records system",
        roles=[Role.BOARD_VIEWER],
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        by=abel,
    )
    system = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert system.get("/api/v1/cases").status_code != 401
    desk = client_for(administrator)
    assert "Records system" in desk.get(f"{USERS}{abel.pk}/deactivate/").content.decode()  # named before it goes

    desk.post(f"{USERS}{abel.pk}/deactivate/")

    assert system.get("/api/v1/cases").status_code == 401
    credential = ApiCredential.objects.get(pk=credential.pk)
    assert credential.revoked_at is not None
    assert credential.revoked_by == administrator


def test_an_administrator_cannot_deactivate_their_own_account(client_for, administrator):
    client = client_for(administrator)
    assert (
        f"{USERS}{administrator.pk}/deactivate/" not in client.get(f"{USERS}{administrator.pk}/roles/").content.decode()
    )

    response = client.post(f"{USERS}{administrator.pk}/deactivate/")

    assert response.status_code == 403
    assert "You cannot change your own account here" in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.is_active


def test_someone_whose_role_was_removed_can_still_be_deactivated(client_for, administrator, idva, marac):
    desk = client_for(administrator)
    desk.post(f"{USERS}{idva.pk}/roles/{RoleGrant.objects.get(user=idva).pk}/remove/")

    assert desk.post(f"{USERS}{idva.pk}/deactivate/").status_code == 302
    idva.refresh_from_db()
    assert not idva.is_active


def test_someone_who_never_held_a_role_here_is_not_deactivated_from_here(client_for, administrator, marac):
    waiting = UserFactory(full_name="Wren Waiting")
    desk = client_for(administrator)
    desk.post(f"{USERS}{waiting.pk}/roles/", {"role": Role.IDVA})  # awaiting approval: not held

    response = desk.post(f"{USERS}{waiting.pk}/deactivate/")

    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.is_active


@pytest.mark.parametrize("persona", ["coordinator", "idva", "outsider"])
def test_only_an_administrator_of_the_marac_deactivates(request, client_for, persona, police_rep):
    response = client_for(request.getfixturevalue(persona)).post(f"{USERS}{police_rep.pk}/deactivate/")
    assert response.status_code == 404
    police_rep.refresh_from_db()
    assert police_rep.is_active


def test_an_administrator_does_not_deactivate_another_marac_s_user(client_for, administrator, outsider):
    assert client_for(administrator).post(f"{USERS}{outsider.pk}/deactivate/").status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_an_administrator_reactivates_an_account_who_can_then_sign_in(client_for, administrator, idva, marac):
    desk = client_for(administrator)
    desk.post(f"{USERS}{idva.pk}/deactivate/")
    assert "Reactivate the account of Ivy Advocate?" in desk.get(f"{USERS}{idva.pk}/reactivate/").content.decode()

    done = desk.post(f"{USERS}{idva.pk}/reactivate/", follow=True)

    assert "Account reactivated: they can sign in again" in done.content.decode()
    idva.refresh_from_db()
    assert idva.is_active
    assert _sign_in(idva)["Location"] == "/accounts/2fa/authenticate/"
    assert AuditEvent.objects.filter(marac=marac, summary=f"Reactivated the account of user {idva.pk}").exists()


def test_reactivation_is_refused_for_an_account_holding_a_role_at_another_marac(
    client_for, administrator, idva, other_marac
):
    grant(idva, other_marac, Role.IDVA)
    desk = client_for(administrator)
    desk.post(f"{USERS}{idva.pk}/deactivate/")

    response = desk.post(f"{USERS}{idva.pk}/reactivate/")

    assert response.status_code == 403
    assert "Only an administrator of each MARAC where they hold a role can reactivate" in response.content.decode()
    idva.refresh_from_db()
    assert not idva.is_active
    # Each MARAC where they hold a role has the deactivation in its own trail.
    assert AuditEvent.objects.filter(marac=other_marac, summary__startswith="Deactivated").exists()


def test_two_administrators_deactivating_each_other_leave_one_active(administrator, abel, marac):
    from accounts.user_admin_services import AccountChangeRefused, account_deactivate

    abel_as_seen_by_his_request = type(abel).objects.get(pk=abel.pk)
    account_deactivate(user=abel, marac=marac, by=administrator)

    with pytest.raises(AccountChangeRefused):
        account_deactivate(user=administrator, marac=marac, by=abel_as_seen_by_his_request)

    administrator.refresh_from_db()
    assert administrator.is_active
