"""Amending a closed meeting's minute in a real browser: reached from the case's read-only page, the error summary,
the history with the minute as it was, WCAG 2.2 AA on every page, and the same journey with JavaScript off."""

import pytest

from meetings.models import Listing, MinuteAmendment
from meetings.tests.test_minutes_amend import ORIGINAL_RISKS, _heard_and_closed, _meeting
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser


@pytest.fixture
def closed(marac, chair, coordinator):
    return _heard_and_closed(_meeting(marac, chair, coordinator), chair)


def _amend(page, base_url, listing, *, check_accessible):
    page.goto(f"{base_url}/meetings/{listing.meeting_id}/live/{listing.pk}/")
    page.get_by_role("link", name=f"Amend the minute of case {listing.case.reference}").click()
    assert page.locator("h1").inner_text() == "Amend the minute"
    if check_accessible:
        assert_accessible(page)
    page.get_by_label("Risks").fill("Threats made by text and in person.")
    page.get_by_role("button", name="Save the amended minute").click()
    assert "Enter why the minute is being amended" in page.locator(".govuk-error-summary").inner_text()
    if check_accessible:
        assert_accessible(page)
    page.get_by_label("Why is the minute being amended?").fill("Corrected when the minutes were agreed.")
    page.get_by_role("button", name="Save the amended minute").click()
    assert page.locator("h1").inner_text() == f"Case {listing.case.reference}"
    history = page.get_by_test_id("minute-amendments")
    assert "by the MARAC chair: Corrected when the minutes were agreed." in history.inner_text()
    history.get_by_text("The minute before this amendment").click()  # a <details>: no script needed
    assert history.get_by_text(ORIGINAL_RISKS).is_visible()
    if check_accessible:
        assert_accessible(page)


def test_the_chair_amends_a_closed_meetings_minute(page, base_url, chair, closed):
    sign_in(page, base_url, chair.email, PASSWORD, TEST_TOTP_SECRET)
    _amend(page, base_url, closed, check_accessible=True)
    assert Listing.objects.get(pk=closed.pk).risks_minute == "Threats made by text and in person."
    assert MinuteAmendment.objects.get(listing=closed).risks_before == ORIGINAL_RISKS


def test_the_minute_is_amended_with_javascript_off(no_js_page, base_url, chair, closed):
    sign_in(no_js_page, base_url, chair.email, PASSWORD, TEST_TOTP_SECRET)
    _amend(no_js_page, base_url, closed, check_accessible=False)
    assert MinuteAmendment.objects.filter(listing=closed).count() == 1
