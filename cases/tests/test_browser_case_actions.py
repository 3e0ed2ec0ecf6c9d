"""In a real browser: the coordinator resolves an action from its case's page with JavaScript off, finding the link by
the action it names, and comes back to the case; the case page and the resolution page pass axe-core's WCAG 2.2 AA
checks."""

import re

import pytest

from cases.tests.test_case_page_actions import FIREARMS, case_with_four_actions
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser


@pytest.fixture
def case(marac, coordinator, police_rep, idva):
    return case_with_four_actions(marac, coordinator, police_rep, idva)


def _resolve_link(page):
    # The link's accessible name says which action it is about (its visually hidden words).
    return page.get_by_role(
        "link", name=re.compile(rf"^Record how it was resolved\s*: {FIREARMS} \(Northbrook Constabulary, due")
    )


def test_the_coordinator_resolves_an_action_from_the_case_page_without_javascript(
    no_js_page, base_url, coordinator, case
):
    page = no_js_page
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    case_url = f"{base_url}/cases/{case.pk}/"
    page.goto(case_url)

    with page.expect_navigation():
        _resolve_link(page).click()
    assert page.locator("h1").inner_text() == "Record how the action was resolved"
    page.get_by_label("Close it as not completed").check()
    page.get_by_label("Why, and what was agreed").fill("No agency can check it")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the resolution").click()

    assert page.url == case_url
    row = page.get_by_test_id("case-action").filter(has_text=FIREARMS)
    assert "Closed as not completed" in row.inner_text() and "No agency can check it" in row.inner_text()
    assert _resolve_link(page).count() == 0  # nothing left to resolve


def test_the_case_page_and_the_pages_it_links_to_are_accessible(page, base_url, coordinator, case):
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"{base_url}/cases/{case.pk}/")
    assert page.get_by_test_id("case-action").count() == 4
    assert_accessible(page)

    with page.expect_navigation():
        _resolve_link(page).click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Back to case NB-0740").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Reopen\s*: Refer the children to the school nurse")).click()
    assert_accessible(page)
