"""The coordinator confirms the matching model's suggestion on the decision page, in a real browser, and the
accepted case uses the person already held."""

import re

import pytest

from people.tests.matching_fixtures import match_model, trained_model
from referrals.tests.test_decision_matching import misspelt, submitted_referral
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

# Imported for pytest to find: fixtures from other test modules.
__all__ = ["match_model", "trained_model"]

pytestmark = pytest.mark.browser


def test_the_coordinator_confirms_a_suggestion_from_the_matching_model(
    page, base_url, client_for, referrer, coordinator, marac, match_model
):
    known = misspelt(marac)
    referral = submitted_referral(client_for, referrer)

    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Referral inbox").click()
    page.get_by_role("link", name=f"Referral {referral.pk}").click()
    candidate = page.get_by_test_id("candidate")
    assert "Fictiona Testwroth" in candidate.inner_text()
    assert "likely to be the same person" in candidate.get_by_test_id("probability").inner_text()
    assert "Day and month swapped" in candidate.inner_text()
    assert_accessible(page)

    same_person = re.compile(r"^Same person\s+as Fictiona Testworth: Fictiona Testwroth$")
    candidate.get_by_role("button", name=same_person).click()
    assert "Confirmed: same person" in page.get_by_test_id("candidate").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Accept and list").click()

    assert "Listed for" in page.get_by_test_id("listing").inner_text()
    referral.refresh_from_db()
    assert referral.case.victim == known
