"""Journeys through a real browser: signing in with a second factor, what each role lands on, what an
outsider is refused, pages without JavaScript, and axe-core's WCAG 2.2 AA checks on the pages people use."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from accounts.models import Role
from testing.browser import PASSWORD, assert_accessible, new_context, sign_in, submit_password, totp_code
from testing.factories import TEST_TOTP_SECRET, AddressFactory, CaseFactory, UserFactory, grant

pytestmark = pytest.mark.browser

MARAC_NAME = "Northbrook MARAC"
LANDING_HEADINGS = {
    "coordinator": "Northbrook MARAC: coordinator",
    "chair": "Northbrook MARAC: chair",
    "police_rep": "Northbrook MARAC: Northbrook Constabulary representative",
    "idva": "Northbrook MARAC: IDVA",
    "referrer": "Northbrook MARAC: referrer",
    "board_viewer": "Northbrook MARAC: performance",
    "administrator": "Northbrook MARAC: administration",
}


def heading(page):
    return page.locator("h1").inner_text().strip()


def open_page(page, url, expected_heading):
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered {response.status}"
    assert heading(page) == expected_heading
    return response


@pytest.mark.parametrize("persona", list(LANDING_HEADINGS))
def test_it_signs_each_role_in_with_a_code_and_lands_on_their_page(request, page, base_url, persona):
    user = request.getfixturevalue(persona)

    sign_in(page, base_url, user.email, PASSWORD, TEST_TOTP_SECRET)

    assert page.url == f"{base_url}/"
    assert heading(page) == LANDING_HEADINGS[persona]
    header = page.get_by_test_id("signed-in-as").inner_text()
    assert user.full_name in header
    assert user.agency.name in header
    assert MARAC_NAME in header
    assert_accessible(page)


def test_it_shows_page_not_found_to_a_coordinator_at_another_marac(
    browser, page, base_url, marac, coordinator, outsider
):
    case = CaseFactory(marac=marac)
    case_url = f"{base_url}/cases/{case.pk}/"

    sign_in(page, base_url, outsider.email, PASSWORD, TEST_TOTP_SECRET)
    response = page.goto(case_url)

    assert response.status == 404
    assert heading(page) == "Page not found"
    assert case.reference not in page.content()

    northbrook = new_context(browser)
    try:
        own_page = northbrook.new_page()
        sign_in(own_page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
        open_page(own_page, case_url, f"Case {case.reference}")
        assert_accessible(own_page)
    finally:
        northbrook.close()


def test_it_has_someone_without_an_authenticator_set_one_up_before_anything_else(page, base_url, marac):
    user = grant(
        UserFactory(with_mfa=False, full_name="Nell Newcomer", email="newcomer@example.invalid"), marac, Role.IDVA
    )

    submit_password(page, base_url, user.email, PASSWORD)
    if page.url.startswith(f"{base_url}/accounts/reauthenticate/"):
        # allauth asks for the password again before a second factor is added to an account.
        assert_accessible(page)
        page.locator("input[name=password]").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm", exact=True).click()

    assert page.url == f"{base_url}/accounts/2fa/totp/activate/"
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Activate", exact=True).click()

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    open_page(page, f"{base_url}/", "Northbrook MARAC: IDVA")
    assert "Nell Newcomer" in page.get_by_test_id("signed-in-as").inner_text()


def test_it_refuses_even_the_right_password_after_five_wrong_ones(page, base_url, coordinator):
    for _ in range(5):
        submit_password(page, base_url, coordinator.email, "not the password at all")
        assert "Enter a correct email address and password" in page.locator(".govuk-error-summary").inner_text()

    submit_password(page, base_url, coordinator.email, PASSWORD)

    assert page.url == f"{base_url}/accounts/login/"
    assert "Wait 15 minutes, then try again" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_test_id("signed-in-as").count() == 0


def test_it_works_without_javascript(no_js_page, base_url, marac, coordinator):
    CaseFactory(marac=marac)

    sign_in(no_js_page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)

    assert heading(no_js_page) == "Northbrook MARAC: coordinator"
    open_page(no_js_page, f"{base_url}/cases/", "Cases at Northbrook MARAC")
    open_page(no_js_page, f"{base_url}/audit/", "Audit trail of Northbrook MARAC")
    open_page(no_js_page, f"{base_url}/settings/", "Northbrook MARAC")


def test_it_has_an_accessible_sign_in_page_with_and_without_an_error(page, base_url, coordinator):
    open_page(page, f"{base_url}/accounts/login/", "Sign in to OpenMARAC")
    assert_accessible(page)

    submit_password(page, base_url, coordinator.email, "not the password at all")

    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)


def test_it_has_accessible_case_pages(page, base_url, marac, coordinator):
    case = CaseFactory(marac=marac)
    AddressFactory(person=case.victim)

    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)

    for path, expected_heading in [
        ("/cases/", "Cases at Northbrook MARAC"),
        (f"/cases/{case.pk}/", f"Case {case.reference}"),
        (f"/people/{case.victim.pk}/", str(case.victim)),
        ("/audit/", "Audit trail of Northbrook MARAC"),
        ("/settings/", "Northbrook MARAC"),
    ]:
        open_page(page, f"{base_url}{path}", expected_heading)
        assert_accessible(page)


def test_it_has_accessible_administration_pages(page, base_url, administrator):
    sign_in(page, base_url, administrator.email, PASSWORD, TEST_TOTP_SECRET)

    for path, expected_heading in [
        ("/settings/", "Northbrook MARAC"),
        ("/settings/edit/", "Change MARAC settings"),
        ("/you/users/", "Users at Northbrook MARAC"),
    ]:
        open_page(page, f"{base_url}{path}", expected_heading)
        assert_accessible(page)


def test_it_has_an_accessible_performance_page(page, base_url, marac, board_viewer):
    CaseFactory(marac=marac, heard_on=datetime.date(2026, 10, 20))

    sign_in(page, base_url, board_viewer.email, PASSWORD, TEST_TOTP_SECRET)

    # A board viewer's rolling 12 months ends at the last quarter's end (reports.periods.suppressed_period).
    today = timezone.localdate()
    end = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1) - datetime.timedelta(days=1)
    open_page(page, f"{base_url}/performance/", f"Performance: 12 months to {end.day} {end:%B %Y}")
    assert page.locator("table caption").count() == page.locator("table").count() > 1  # every table captioned
    assert_accessible(page)
