"""The front door in a real browser: a referrer starts, saves, leaves, comes back, fixes errors and submits;
the coordinator sees the criteria, links a known person, accepts and sees the listing date."""

import datetime

import pytest

from people.models import Person
from referrals.models import Referral, ReferralStatus
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET, PersonFactory

pytestmark = pytest.mark.browser


def _choose(page, name, value):
    page.locator(f"input[name={name}][value={value}]").check()


def _save(page, *, draft=False):
    page.get_by_role("button", name="Save as draft and come back later" if draft else "Save and continue").click()


def _fill_victim(page, *, date_of_birth):
    page.get_by_label("Given name").fill("Fictiona")
    page.get_by_label("Family name", exact=True).fill("Testworth")
    page.get_by_label("Date of birth").fill(date_of_birth)
    _choose(page, "gender", "female")
    _choose(page, "has_disability", "no")
    _choose(page, "needs_interpreter", "no")
    _choose(page, "pregnant", "no")
    page.get_by_label("Address line 1").fill("12 Imaginary Row")
    page.get_by_label("Postcode").fill("NB1 2XY")
    _choose(page, "safe_to_post", "no")
    page.get_by_label("How to contact them safely").fill("Text first on the work mobile")


def _complete_the_rest(page):
    page.get_by_role("link", name="Perpetrators", exact=True).click()
    page.get_by_role("button", name="Add a perpetrator").click()
    page.get_by_label("Given name").fill("Madeup")
    page.get_by_label("Family name", exact=True).fill("Villainson")
    _choose(page, "gender", "male")
    _choose(page, "has_disability", "not_known")
    _choose(page, "relationship", "ex_partner")
    _save(page)
    page.get_by_role("button", name="Back to the referral").click()
    page.get_by_role("link", name="Risk checklist", exact=True).click()
    for number in range(1, 25):
        _choose(page, f"q{number}", "yes" if number <= 16 else "no")
    _save(page, draft=True)
    page.get_by_role("link", name="Consent and telling the victim").click()
    _choose(page, "information_sharing", "given")
    _choose(page, "idva_referral", "given")
    _choose(page, "victim_told", "yes")
    _save(page)
    _choose(page, "how_arose", "disclosure")
    page.get_by_label("Background").fill("A long history of controlling behaviour.")
    page.get_by_label("The risk now").fill("Threats to kill last week.")
    page.get_by_label("What you want the MARAC to achieve").fill("Safety planning.")
    _save(page)


def test_a_referrer_saves_a_draft_comes_back_fixes_errors_and_submits(page, base_url, referrer):
    sign_in(page, base_url, referrer.email, PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_role("button", name="Start a new referral").click()
    _fill_victim(page, date_of_birth="2099-01-01")
    _save(page, draft=True)  # kept as typed, errors and all: back to the referral, not an error page
    assert "Draft saved" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="The victim", exact=True).click()
    assert "Date of birth must be today or in the past" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.goto(f"{base_url}/")  # leave, and come back later
    page.get_by_role("link", name="Referrals", exact=True).click()
    page.locator(".govuk-table a").first.click()
    assert "Incomplete" in page.locator("#status-victim").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="The victim", exact=True).click()
    assert page.get_by_label("Given name").input_value() == "Fictiona"  # nothing typed was lost
    page.get_by_label("Date of birth").fill("1991-04-03")
    _save(page, draft=True)

    _complete_the_rest(page)
    assert "meets the MARAC criteria" in page.get_by_test_id("criteria-summary").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Submit the referral").click()
    assert page.get_by_test_id("referral-status").inner_text() == "Submitted"
    assert Referral.objects.get(referrer=referrer).status == ReferralStatus.SUBMITTED


def test_a_coordinator_sees_the_criteria_links_a_known_person_accepts_and_sees_the_listing(
    page, base_url, referrer, coordinator, marac
):
    sign_in(page, base_url, referrer.email, PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_role("button", name="Start a new referral").click()
    _fill_victim(page, date_of_birth="1991-04-03")
    _save(page, draft=True)
    _complete_the_rest(page)
    page.get_by_role("button", name="Submit the referral").click()
    known = PersonFactory(
        marac=marac, given_name="Fictiona", family_name="Testworth", date_of_birth=datetime.date(1991, 4, 3)
    )
    page.context.clear_cookies()

    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Referral inbox").click()
    assert_accessible(page)
    page.locator(".govuk-table a").first.click()
    assert "meets the MARAC criteria" in page.get_by_test_id("criteria-summary").inner_text()
    assert "Same name and date of birth" in page.content()
    assert_accessible(page)
    page.locator("button[name=decision][value=confirmed]").click()
    assert "Confirmed: same person" in page.content()
    page.get_by_role("button", name="Accept and list").click()
    assert "Listed for" in page.get_by_test_id("listing").inner_text()
    referral = Referral.objects.get(referrer=referrer)
    assert referral.case.victim == known
    assert Person.objects.filter(given_name="Fictiona").count() == 1
    assert_accessible(page)
