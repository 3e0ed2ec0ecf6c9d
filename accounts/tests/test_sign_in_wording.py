"""Signing in speaks the service's plain words (GOV.UK style), not allauth's: the code page asks for "the code from
your authenticator app", a wrong code or password says what to do, and a page with an error says "Error:" first in
its title."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from testing.browser import PASSWORD, assert_accessible, submit_password, totp_code
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db

CODE_PAGE = "/accounts/2fa/authenticate/"
WRONG_CODE = "The code is not correct. Check your authenticator app and enter the 6-digit code shown now"


@pytest.fixture(autouse=True)
def _no_lockout_between_tests():
    cache.clear()
    yield
    cache.clear()


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert found
    return " ".join(found.group(1).split())


def _h1(page: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)
    assert found
    return " ".join(found.group(1).split())


def _at_code_page(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == CODE_PAGE
    return client


def test_the_code_page_asks_for_the_code_from_the_authenticator_app(coordinator):
    page = _at_code_page(coordinator).get(CODE_PAGE).content.decode()
    assert _title(page).startswith("Enter the code from your authenticator app")
    assert _h1(page) == "Enter the code from your authenticator app"
    for allauth_wording in ["Two-Factor Authentication", "Please enter", "Sign In"]:
        assert allauth_wording not in page
    assert "govuk-error-summary" not in page


def test_a_wrong_code_says_what_to_do_with_error_in_the_title(coordinator):
    response = _at_code_page(coordinator).post(CODE_PAGE, {"code": "000000"})
    page = response.content.decode()
    assert _title(page).startswith("Error: Enter the code from your authenticator app")
    assert 'class="govuk-error-summary"' in page
    assert WRONG_CODE in page
    assert "Incorrect code" not in page


def test_no_code_at_all_asks_for_one(coordinator):
    page = _at_code_page(coordinator).post(CODE_PAGE, {"code": ""}).content.decode()
    assert _title(page).startswith("Error: ")
    assert "Enter the 6-digit code from your authenticator app" in page
    assert "This field is required" not in page


def test_the_right_code_signs_in_even_typed_with_a_space(coordinator):
    code = totp_code(TEST_TOTP_SECRET)
    response = _at_code_page(coordinator).post(CODE_PAGE, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_says_what_to_enter_with_error_in_the_title(coordinator):
    response = Client().post("/accounts/login/", {"login": coordinator.email, "password": "not the password"})
    page = response.content.decode()
    assert response.status_code == 200
    assert _title(page).startswith("Error: Sign in")
    assert "Enter a correct email address and password" in page
    assert "are not correct" not in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, databases="__all__")  # the live server reads outside the test transaction
def test_the_code_page_is_accessible_and_works_without_javascript(no_js_page, base_url, coordinator):
    page = no_js_page
    submit_password(page, base_url, coordinator.email, PASSWORD)
    assert page.url.endswith(CODE_PAGE)
    assert page.title().startswith("Enter the code from your authenticator app")
    page.get_by_label("Code").fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()
    assert page.title().startswith("Error: ")
    assert WRONG_CODE in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Code").fill(totp_code(TEST_TOTP_SECRET))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()
    assert "/accounts/" not in page.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_code_page_passes_the_accessibility_checks(page, base_url, coordinator):
    submit_password(page, base_url, coordinator.email, PASSWORD)
    assert_accessible(page)
    page.get_by_label("Code").fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()
    assert_accessible(page)
