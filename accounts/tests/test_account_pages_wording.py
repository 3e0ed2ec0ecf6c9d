"""allauth's account pages, through the service's own templates and forms: a page showing an error says "Error:"
first in its title (WCAG 2.4.2), as the sign-in page does; the words are in sentence case with no placeholder
repeating a label; the sign-in page has one password-reset link; the idle sign-out notice counts its minutes right."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

SERVICE = " \N{EN DASH} OpenMARAC"  # what base.html adds to each title
TITLE_CASE = ["Password Reset", "Reset My Password", "Change Password", "Confirm Access", "Current Password"]


@pytest.fixture(autouse=True)
def _no_lockout_between_tests():
    cache.clear()
    yield
    cache.clear()


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert found
    return " ".join(found.group(1).split())


@pytest.mark.parametrize(
    ("path", "sent", "signed_in", "title"),
    [
        ("/accounts/password/reset/", {"email": ""}, False, "Reset your password"),
        ("/accounts/password/change/", {"oldpassword": "wrong"}, True, "Change your password"),
        ("/accounts/reauthenticate/", {"password": "not my password at all"}, True, "Confirm it is you"),
        ("/accounts/2fa/reauthenticate/", {"code": "000000"}, True, "Confirm it is you"),
    ],
)
def test_a_refused_account_form_says_error_first_in_the_title(client_for, referrer, path, sent, signed_in, title):
    client = client_for(referrer) if signed_in else Client(HTTP_HOST="localhost")

    page = client.post(path, sent).content.decode()

    assert 'class="govuk-error-summary"' in page
    assert _title(page) == f"Error: {title}{SERVICE}"
    assert _title(client.get(path).content.decode()) == f"{title}{SERVICE}"


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/accounts/login/", False),
        ("/accounts/password/reset/", False),
        ("/accounts/password/change/", True),
        ("/accounts/reauthenticate/", True),
        ("/accounts/2fa/reauthenticate/", True),
    ],
)
def test_account_pages_use_sentence_case_and_no_placeholders(client_for, referrer, path, signed_in):
    client = client_for(referrer) if signed_in else Client(HTTP_HOST="localhost")

    page = client.get(path).content.decode()

    assert "placeholder=" not in page
    assert [words for words in TITLE_CASE if words in page] == []


def test_the_sign_in_page_has_one_link_to_reset_a_password():
    page = Client(HTTP_HOST="localhost").get("/accounts/login/").content.decode()

    assert re.findall(r'<a [^>]*href="/accounts/password/reset/"[^>]*>([^<]*)</a>', page) == [
        "Forgotten your password?"
    ]


@pytest.mark.parametrize(("minutes", "words"), [(1, "1 minute."), (20, "20 minutes.")])
def test_the_idle_sign_out_notice_counts_its_minutes(minutes, words):
    client = Client(HTTP_HOST="localhost")
    session = client.session
    session["openmarac_timed_out"] = minutes
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    page = client.get("/accounts/login/").content.decode()

    assert f"You were signed out because you were inactive for {words}" in page
