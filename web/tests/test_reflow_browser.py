"""WCAG 1.4.10 Reflow: at 320 CSS pixels wide the page never scrolls sideways. A table wider than that (the
SafeLives return has a column for each figure) scrolls within its own region, which the keyboard can reach."""

import datetime

import pytest

from reports.tests.helpers import cases, listing, meeting
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser
NARROW = {"width": 320, "height": 900}


def test_the_wide_meeting_return_scrolls_in_its_own_region_not_the_page(page, base_url, marac, board_viewer):
    held = meeting(marac)
    for heard in cases(marac, 7):
        listing(held, heard)
    cases(marac, 2, referred_on=datetime.date(2025, 6, 1), heard_on=datetime.date(2025, 6, 10))
    sign_in(page, base_url, board_viewer.email, PASSWORD, TEST_TOTP_SECRET)
    page.set_viewport_size(NARROW)

    page.goto(f"{base_url}/reports/?period=quarter&on=2026-05-15")

    region = page.get_by_role("region", name="Each meeting held")
    sizes = region.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert sizes[0] > sizes[1]  # the table is wider than the region: it scrolls there
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= NARROW["width"]
    region.focus()
    page.keyboard.press("ArrowRight")
    # The browser scrolls the focused region a moment after the key (smooth scrolling): wait for it, up to the
    # browser's timeout, rather than read it at once.
    page.wait_for_function("element => element.scrollLeft > 0", arg=region.element_handle())
    assert_accessible(page)
