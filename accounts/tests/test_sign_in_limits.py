"""The sign-in lock-out is per account: five wrong passwords for one person lock that account for 15 minutes, not
everyone on the same network (an office, a force's network). A busy minute of sign-ins from one office goes through.
Beyond a limit, the answer is a page in the service's layout saying when to try again and whom to ask."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from accounts.adapters import LOCKED_OUT_MESSAGE
from accounts.models import Role
from testing.browser import PASSWORD
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.10"  # one network address for the whole office
WRONG = "not the password at all"


@pytest.fixture(autouse=True)
def _no_lockout_between_tests():
    cache.clear()
    yield
    cache.clear()


def _sign_in(email: str, password: str = PASSWORD) -> object:
    return Client(REMOTE_ADDR=OFFICE).post("/accounts/login/", {"login": email, "password": password})


def test_five_wrong_passwords_lock_that_account_and_say_when_to_try_again(coordinator):
    for _ in range(5):
        _sign_in(coordinator.email, WRONG)
    refused = _sign_in(coordinator.email)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Wait 15 minutes, then try again" in page
    assert "ask an administrator of your MARAC" in page
    assert LOCKED_OUT_MESSAGE.split(".")[0] in page


def test_five_wrong_passwords_for_one_person_do_not_lock_out_their_colleagues(coordinator, chair):
    for _ in range(5):
        _sign_in(coordinator.email, WRONG)
    # The chair, at the same office, signs in: on to the authenticator code.
    assert _sign_in(chair.email)["Location"] == "/accounts/2fa/authenticate/"


def test_a_busy_minute_of_sign_ins_from_one_office_goes_through(marac):
    colleagues = [grant(UserFactory(), marac, Role.REFERRER) for _ in range(40)]
    answers = [_sign_in(colleague.email) for colleague in colleagues]
    assert [answer.status_code for answer in answers] == [302] * 40
    assert {answer["Location"] for answer in answers} == {"/accounts/2fa/authenticate/"}


@override_settings(ACCOUNT_RATE_LIMITS={"login": "2/m/ip"})
def test_too_many_sign_ins_get_the_services_page_saying_when_to_try_again(coordinator):
    for _ in range(2):
        _sign_in(coordinator.email)
    refused = _sign_in(coordinator.email)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert 'class="govuk-template"' in page  # the service's layout, not a bare "429 Too Many Requests"
    assert "<title>Too many attempts \N{EN DASH} OpenMARAC</title>" in page
    assert "Wait a minute, then try again." in page
    assert "If it keeps happening, ask an administrator of your MARAC for help." in page
    assert coordinator.email not in page


@override_settings(ACCOUNT_RATE_LIMITS={"reset_password": "1/h/key"})
def test_too_many_reset_emails_say_to_wait_an_hour(coordinator):
    client = Client()
    client.post("/accounts/password/reset/", {"email": coordinator.email})
    refused = client.post("/accounts/password/reset/", {"email": coordinator.email})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Wait an hour, then try again." in page
    assert "ask an administrator of your MARAC" in page
