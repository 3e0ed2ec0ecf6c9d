"""A reset link ("Forgotten your password?") works for 2 hours; an invitation's for 3 days, as a new user may not read
their mail the day they are added. Changing the password, or removing the authenticator app, is told at once to the
account's address, with no personal data, so that someone who did not do it can say so."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from accounts.tests.test_sign_in_audit import remove_authenticator
from marac.models import MaracAgency
from testing.browser import PASSWORD, totp_code
from testing.factories import TEST_TOTP_SECRET, AgencyFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and memorable passphrase"
IF_NOT_YOU = "If it was not you, contact an administrator of your MARAC straight away"


@pytest.fixture(autouse=True)
def _no_lockout_between_tests():
    cache.clear()
    yield
    cache.clear()


def _later(monkeypatch: pytest.MonkeyPatch, **elapsed: float) -> None:
    """The links are checked this long after they were made."""
    later = datetime.now() + timedelta(**elapsed)  # noqa: DTZ005 (naive, as Django's PasswordResetTokenGenerator._now)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)


def _link_in(body: str) -> str:
    found = re.search(r"https?://\S+/accounts/password/reset/key/\S+", body)
    assert found, body
    return urlsplit(found.group(0)).path


def _sets_password(link_path: str) -> bool:
    client = Client()
    response = client.get(link_path)
    if response.status_code != 302:
        return False
    response = client.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return response.status_code == 302


def _reset_link(user: User) -> str:
    Client().post("/accounts/password/reset/", {"email": user.email})
    return _link_in(mail.outbox[-1].body)


def _invitation_link(client_for, administrator, marac) -> str:
    probation = AgencyFactory(name="Northbrook Probation")
    MaracAgency.objects.create(marac=marac, agency=probation)
    client_for(administrator).post(
        "/you/users/new/", {"full_name": "Petra Probation", "email": "petra@example.invalid", "agency": probation.pk}
    )
    return _link_in(mail.outbox[-1].body)


def test_a_reset_link_works_for_two_hours(coordinator, monkeypatch):
    link = _reset_link(coordinator)
    assert "The link works once, for 2 hours" in mail.outbox[-1].body
    _later(monkeypatch, hours=1, minutes=59)
    assert _sets_password(link)


def test_a_reset_link_stops_working_after_two_hours(coordinator, monkeypatch):
    link = _reset_link(coordinator)
    _later(monkeypatch, hours=2, minutes=1)
    assert not _sets_password(link)
    coordinator.refresh_from_db()
    assert coordinator.check_password(PASSWORD)


def test_a_reset_link_sent_before_the_account_was_deactivated_sets_no_password(coordinator):
    link = _reset_link(coordinator)
    User.objects.filter(pk=coordinator.pk).update(is_active=False)

    assert not _sets_password(link)
    coordinator.refresh_from_db()
    assert not coordinator.check_password(NEW_PASSWORD)


def test_an_invitation_link_still_works_after_two_days(client_for, administrator, marac, monkeypatch):
    link = _invitation_link(client_for, administrator, marac)
    assert "The link works once, for 3 days" in mail.outbox[-1].body
    _later(monkeypatch, days=2)
    assert _sets_password(link)
    assert User.objects.get(email="petra@example.invalid").check_password(NEW_PASSWORD)


def test_an_invitation_link_stops_working_after_three_days(client_for, administrator, marac, monkeypatch):
    link = _invitation_link(client_for, administrator, marac)
    _later(monkeypatch, days=3, minutes=1)
    assert not _sets_password(link)


def _signed_in(user: User) -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})
    assert response["Location"] == "/"
    return client


def _only_notice() -> mail.EmailMessage:
    [notice] = mail.outbox
    assert notice.to == ["cora@example.invalid"]
    for personal in ["Cora", "Ordinator", "Northbrook", "127.0.0.1", "Mozilla"]:
        assert personal not in notice.subject + notice.body
    assert IF_NOT_YOU in notice.body
    return notice


def test_a_changed_password_is_told_to_its_owner(coordinator, django_capture_on_commit_callbacks):
    client = _signed_in(coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # sent once the change is saved
        client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    notice = _only_notice()
    assert notice.subject == "OpenMARAC: your password was changed"
    assert notice.body.startswith("The password of your OpenMARAC account was changed on ")


def test_a_password_set_with_a_reset_link_is_told_to_its_owner(coordinator, django_capture_on_commit_callbacks):
    link = _reset_link(coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _sets_password(link)
    notice = _only_notice()
    assert notice.subject == "OpenMARAC: your password was changed"
    assert "was set, using a link sent to this email address, on " in notice.body


def test_a_removed_authenticator_is_told_to_its_owner(coordinator, django_capture_on_commit_callbacks):
    client = _signed_in(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        remove_authenticator(client, password=PASSWORD)
    notice = _only_notice()
    assert notice.subject == "OpenMARAC: your authenticator app was removed"
    assert "The authenticator app of your OpenMARAC account was removed on " in notice.body
