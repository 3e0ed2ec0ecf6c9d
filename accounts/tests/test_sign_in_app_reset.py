"""Someone who lost their authenticator app asks an administrator of their MARAC, who resets it: their authenticators
go, their sessions end, they are told by email, and their next sign-in asks them to set up a new app. Audited. Nobody
resets their own."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
USERS = "/you/users/"
PASSWORD = "correct horse battery staple"  # the test users' password (testing/factories.py)


def test_an_administrator_resets_the_sign_in_app_of_someone_who_lost_it(
    client_for, administrator, idva, marac, django_capture_on_commit_callbacks
):
    signed_in = client_for(idva)
    desk = client_for(administrator)
    assert f'href="{USERS}{idva.pk}/reset-sign-in-app/"' in desk.get(f"{USERS}{idva.pk}/roles/").content.decode()
    confirm = desk.get(f"{USERS}{idva.pk}/reset-sign-in-app/").content.decode()
    assert "Reset the sign-in app of Ivy Advocate?" in confirm
    assert Authenticator.objects.filter(user=idva).exists()  # asking is not doing

    with django_capture_on_commit_callbacks(execute=True):
        done = desk.post(f"{USERS}{idva.pk}/reset-sign-in-app/", follow=True)

    assert done.redirect_chain == [(f"{USERS}{idva.pk}/roles/", 302)]
    assert "Sign-in app reset" in done.content.decode()
    assert not Authenticator.objects.filter(user=idva).exists()
    assert signed_in.get("/cases/")["Location"].startswith("/accounts/login/")  # signed out at once
    assert AuditEvent.objects.filter(marac=marac, summary=f"Reset the sign-in app of user {idva.pk}").exists()
    [email] = [message for message in mail.outbox if message.to == [idva.email]]
    assert "reset the sign-in app" in email.body
    assert "Ivy" not in email.body and "Ada" not in email.body  # no names


def test_after_a_reset_the_next_sign_in_asks_for_a_new_app(client_for, administrator, idva):
    client_for(administrator).post(f"{USERS}{idva.pk}/reset-sign-in-app/")
    client = Client(HTTP_HOST="localhost")

    response = client.post("/accounts/login/", {"login": idva.email, "password": PASSWORD}, follow=True)

    # allauth asks for the password once more before an app is added, as at anyone's first sign-in.
    assert ("/accounts/2fa/totp/activate/", 302) in response.redirect_chain
    assert client.get("/cases/")["Location"] == "/accounts/2fa/totp/activate/"


def test_an_administrator_cannot_reset_their_own(client_for, administrator):
    client = client_for(administrator)
    assert "reset-sign-in-app" not in client.get(f"{USERS}{administrator.pk}/roles/").content.decode()

    response = client.post(f"{USERS}{administrator.pk}/reset-sign-in-app/")

    assert response.status_code == 403
    assert Authenticator.objects.filter(user=administrator).exists()


def test_there_is_nothing_to_reset_for_someone_without_an_app(client_for, administrator, marac):
    from accounts.models import Role
    from testing.factories import UserFactory, grant

    newcomer = grant(UserFactory(full_name="Nia Newcomer", with_mfa=False), marac, Role.REFERRER)
    response = client_for(administrator).post(f"{USERS}{newcomer.pk}/reset-sign-in-app/")
    assert response.status_code == 200
    assert "there is nothing to reset" in response.content.decode()
    assert not AuditEvent.objects.filter(summary__startswith="Reset the sign-in app").exists()


@pytest.mark.parametrize("persona", ["coordinator", "police_rep", "outsider"])
def test_only_an_administrator_of_the_marac_resets_it(request, client_for, persona, idva):
    response = client_for(request.getfixturevalue(persona)).post(f"{USERS}{idva.pk}/reset-sign-in-app/")
    assert response.status_code == 404
    assert Authenticator.objects.filter(user=idva).exists()
