"""The running meeting's minute conflict in a real browser: the chair saves the risks while the coordinator, on the
page opened before, writes a decision. The conflict page gives the coordinator the chair's risks and their own
decision, so pressing its button keeps both; where both changed the same part, the hint is read with the field.
WCAG 2.2 AA on the page, and the same with JavaScript off."""

import pytest

from meetings import live_services as live
from meetings import minutes_rules
from meetings.models import Listing
from meetings.tests.test_live_minute_conflict import FIRST_DECISIONS, FIRST_RISKS, listing
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

# Imported for pytest to find: fixtures from other test modules.
__all__ = ["listing"]

pytestmark = pytest.mark.browser


def _chair_saves_the_risks(listing, chair, risks):
    opened = Listing.objects.get(pk=listing.pk)
    live.minute_save(
        listing=opened,
        risks_minute=risks,
        decisions_minute=opened.decisions_minute,
        based_on_version=opened.version,
        by=chair,
    )


def _conflict(page, base_url, listing, chair, coordinator, *, risks=None, decisions=None):
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"{base_url}/meetings/{listing.meeting_id}/live/{listing.pk}/")
    _chair_saves_the_risks(listing, chair, "The chair's risks.")  # while the coordinator's page is open
    if risks is not None:
        page.get_by_label("Risks").fill(risks)
    if decisions is not None:
        page.get_by_label("Decisions").fill(decisions)
    page.get_by_role("button", name="Save the minute").click()
    assert page.locator("h1").inner_text() == "Someone else saved this minute while you were writing"


def test_saving_the_conflict_page_as_it_comes_back_keeps_both_changes(page, base_url, chair, coordinator, listing):
    _conflict(page, base_url, listing, chair, coordinator, decisions="Refuge place sought.")

    assert page.get_by_label("Risks").input_value() == "The chair's risks."
    assert page.get_by_label("Decisions").input_value() == "Refuge place sought."
    assert_accessible(page)
    page.get_by_role("button", name="Save this version").click()

    assert page.locator("h1").inner_text() == f"Case {listing.case.reference}"
    saved = Listing.objects.get(pk=listing.pk)
    assert (saved.risks_minute, saved.decisions_minute) == ("The chair's risks.", "Refuge place sought.")


def test_a_part_both_changed_is_theirs_with_the_hint_read_with_the_field(page, base_url, chair, coordinator, listing):
    _conflict(page, base_url, listing, chair, coordinator, risks="The coordinator's risks.")

    risks = page.get_by_label("Risks")
    assert risks.input_value() == "The coordinator's risks."
    assert page.get_by_label("Decisions").input_value() == FIRST_DECISIONS
    hint = page.locator(f"#{risks.get_attribute('aria-describedby')}")
    assert hint.inner_text() == minutes_rules.CLASH_HINT and hint.is_visible()
    assert page.get_by_label("Decisions").get_attribute("aria-describedby") is None
    assert_accessible(page)


def test_it_works_with_javascript_off(no_js_page, base_url, chair, coordinator, listing):
    _conflict(no_js_page, base_url, listing, chair, coordinator, decisions="Refuge place sought.")
    no_js_page.get_by_role("button", name="Save this version").click()
    saved = Listing.objects.get(pk=listing.pk)
    assert (saved.risks_minute, saved.decisions_minute) == ("The chair's risks.", "Refuge place sought.")
    assert saved.risks_minute != FIRST_RISKS
