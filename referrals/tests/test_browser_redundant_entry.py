"""WCAG 3.3.7 in a real browser, checked with axe: the victim's address offered on a new child's page, working as a
plain form (no script needed), and the pregnancy question pre-selected on the risk checklist."""

import pytest

from referrals.models import Referral
from referrals.tests.test_browser_referral import _fill_victim, _save
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser


def test_a_referrer_picks_the_victim_s_address_for_a_child_and_finds_pregnancy_answered(page, base_url, referrer):
    sign_in(page, base_url, referrer.email, PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_role("button", name="Start a new referral").click()
    _fill_victim(page, date_of_birth="1991-04-03")
    page.locator("input[name=pregnant][value=yes]").check()
    _save(page)  # on to the children's list
    page.get_by_role("button", name="Add a child").click()
    assert_accessible(page)
    page.get_by_label("Given name").fill("Tiny")
    page.get_by_label("Family name", exact=True).fill("Testworth")
    page.get_by_label("Date of birth").fill("2019-06-01")
    page.get_by_label("School, college or early years setting").fill("Nowhereton Primary")
    page.locator("input[name=in_permanent_care][value=no]").check()
    page.get_by_label("The child lives at the victim's address").check()
    _save(page)
    (child,) = Referral.objects.get(referrer=referrer).content["children"]
    assert (child["address_line_1"], child["postcode"]) == ("12 Imaginary Row", "NB1 2XY")

    page.goto(f"{base_url}/referrals/{Referral.objects.get(referrer=referrer).pk}/risk/")
    assert page.locator("input[name=q9][value=yes]").is_checked()
    assert_accessible(page)
