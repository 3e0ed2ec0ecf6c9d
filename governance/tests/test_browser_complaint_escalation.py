"""The chair escalates a complaint in a real browser with JavaScript off: only after the response, through a page that
asks for confirmation; the VAWG chair's acknowledgement is recorded, then their outcome, and the complaint stays
open until that outcome is recorded."""

from datetime import date

import pytest

from governance import records_services
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser


def _status(page):
    # The ORM is not used while the live server serves the page (they share SQLite's in-memory connection): what
    # the user sees is asserted instead.
    return page.locator("dt:text-is('Status') + dd").inner_text().strip()


def _open_complaints(page, base_url):
    page.goto(f"{base_url}/governance/records/")
    return " ".join(page.locator("main").inner_text().split())


def test_the_chair_escalates_after_responding_and_records_the_vawg_outcome(
    no_js_page, base_url, marac, coordinator, chair
):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2025, 12, 23), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2025, 12, 24), based_on_version=1, by=chair
    )
    page = no_js_page  # axe needs JavaScript: the pages' accessibility is checked in the test below
    sign_in(page, base_url, chair.email, PASSWORD, TEST_TOTP_SECRET)
    url = f"{base_url}/governance/records/complaints/{complaint.pk}/"

    page.goto(url)
    assert page.get_by_role("button", name="Escalate to the VAWG chair").count() == 0
    page.get_by_label("Date the chair's response was sent").fill("2026-01-08")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the response").click()
    assert "Complaints: 0 open" in _open_complaints(page, base_url)

    page.goto(url)
    with page.expect_navigation():
        page.get_by_role("button", name="Escalate to the VAWG chair").click()
    assert page.locator("h1").inner_text() == "Escalate the complaint to the VAWG chair"
    page.goto(url)
    assert _status(page) == "Chair responded"  # the link only asks: nothing is escalated yet
    with page.expect_navigation():
        page.get_by_role("button", name="Escalate to the VAWG chair").click()

    with page.expect_navigation():
        page.get_by_role("button", name="Escalate to the VAWG chair").click()
    assert page.locator(".govuk-error-summary").is_visible()

    page.get_by_label("Date the complainant asked for the complaint to be escalated").fill("2026-01-12")
    page.get_by_label("Why the complainant is not satisfied with your response").fill("It did not answer them")
    with page.expect_navigation():
        page.get_by_role("button", name="Escalate to the VAWG chair").click()
    assert page.url == url
    assert _status(page) == "Escalated to the VAWG chair"
    # 12 January 2026 is a Monday: the VAWG chair acknowledges by the Monday after.
    assert page.locator("dt:text-is('VAWG chair to acknowledge by') + dd").inner_text().strip() == "19 January 2026"
    assert page.get_by_role("heading", name="Record the VAWG chair's outcome").count() == 0
    assert "Complaints: 1 open" in _open_complaints(page, base_url)

    page.goto(url)
    with page.expect_navigation():
        page.get_by_role("button", name="Record the acknowledgement").click()
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Date the VAWG chair acknowledged the complaint").fill("2026-01-14")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the acknowledgement").click()
    assert _status(page) == "Acknowledged by the VAWG chair"
    assert page.get_by_role("heading", name="Record the VAWG chair's outcome").is_visible()

    page.goto(url)
    page.get_by_label("Date the VAWG chair responded to the complainant").fill("2026-02-02")
    page.get_by_label("The VAWG chair's outcome").fill("Partly upheld")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the outcome").click()
    assert _status(page) == "VAWG chair responded"
    assert "Complaints: 0 open" in _open_complaints(page, base_url)


def test_the_escalation_pages_are_accessible(page, base_url, marac, coordinator, chair):
    complaint = records_services.complaint_record(
        marac=marac, received_on=date(2025, 12, 23), from_whom="Housing service", summary="Late minutes", by=coordinator
    )
    complaint = records_services.complaint_acknowledge(
        complaint=complaint, acknowledged_on=date(2025, 12, 24), based_on_version=1, by=chair
    )
    complaint = records_services.complaint_resolve(
        complaint=complaint, resolved_on=date(2026, 1, 8), based_on_version=2, by=chair
    )
    sign_in(page, base_url, chair.email, PASSWORD, TEST_TOTP_SECRET)
    url = f"{base_url}/governance/records/complaints/{complaint.pk}/"

    page.goto(url)
    assert_accessible(page)
    page.goto(f"{url}escalate/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Escalate to the VAWG chair").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Date the complainant asked for the complaint to be escalated").fill("2026-01-12")
    page.get_by_label("Why the complainant is not satisfied with your response").fill("It did not answer them")
    with page.expect_navigation():
        page.get_by_role("button", name="Escalate to the VAWG chair").click()
    assert page.get_by_role("heading", name="Record the VAWG chair's acknowledgement").is_visible()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Record the acknowledgement").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Date the VAWG chair acknowledged the complaint").fill("2026-01-14")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the acknowledgement").click()
    assert page.get_by_role("heading", name="Record the VAWG chair's outcome").is_visible()
    assert_accessible(page)
