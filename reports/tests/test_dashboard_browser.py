"""The performance page as the coordinator sees it in a real browser, with the unsuppressed-return warning and a
"no data" reason: still WCAG 2.2 AA (axe-core), and the download it offers is the marked, exact return."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from reports.exports import UNSUPPRESSED_NOTICE
from reports.tests.helpers import cases, listing, meeting
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser


def test_the_coordinators_performance_page_is_accessible_and_offers_the_exact_return(
    page, base_url, marac, coordinator
):
    held = meeting(marac)
    for heard in cases(marac, 3, is_repeat=True):
        listing(held, heard)
    cases(marac, 2, referred_on=datetime.date(2025, 6, 1), heard_on=datetime.date(2025, 6, 10))

    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    response = page.goto(f"{base_url}/reports/?period=quarter&on=2026-05-15")
    assert response is not None and response.status == 200
    assert UNSUPPRESSED_NOTICE in page.get_by_test_id("unsuppressed-return").inner_text()
    assert page.get_by_test_id("why-no-data").first.is_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="SafeLives meeting-level return, unsuppressed for submission (Excel)").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()))["SafeLives meeting return"]
    notice, header, row = list(sheet.iter_rows(values_only=True))
    assert notice[0] == UNSUPPRESSED_NOTICE
    assert dict(zip(header, row, strict=True))["Repeat cases"] == 3
