"""A refused submission says why in one error summary ("There is a problem"), each problem linked to the section
where it can be put right, instead of a banner for each problem. Nothing is submitted."""

import lxml.html
import pytest

from referrals.models import ReferralStatus
from referrals.tests.test_review_answers import complete, save, start, submit
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db


def error_summary(page):
    """The error summary's problems as (words, link), and how many notification banners the page has."""
    tree = lxml.html.fromstring(page)
    [summary] = tree.find_class("govuk-error-summary")
    problems = [
        (item.text_content().strip(), item.find("a").get("href") if item.find("a") is not None else "")
        for item in summary.find_class("govuk-error-summary__list")[0].findall("li")
    ]
    return problems, len(tree.find_class("govuk-notification-banner"))


def test_a_referral_scoring_13_with_no_other_criterion_gets_one_summary(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    complete(client, referral, score=13, criteria=None)

    response = submit(client, referral)

    page = response.content.decode()
    problems, banners = error_summary(page)
    assert response.status_code == 200 and banners == 0
    assert "<title>Error: Referral" in page and "There is a problem" in page
    assert len(problems) == 1 and problems[0][0].startswith("This referral does not meet the MARAC criteria")
    assert problems[0][1] == "#criteria-decision" and 'id="criteria-decision"' in page
    assert "What else to do" in page  # the signposts, once, with the criteria
    assert referral.status == ReferralStatus.DRAFT


def test_an_incomplete_referral_lists_each_problem_linked_to_its_section(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "victim", {"given_name": "Fictiona"}, "draft")
    client.get(f"/referrals/{referral.pk}/")  # where the draft's save took them, with its message

    problems, banners = error_summary(submit(client, referral).content.decode())

    assert banners == 0
    assert ("Correct the errors in: the victim", f"/referrals/{referral.pk}/victim/") in problems
    assert ("Add at least one perpetrator", f"/referrals/{referral.pk}/perpetrators/") in problems
    assert ("Complete the section: risk checklist", f"/referrals/{referral.pk}/risk/") in problems
    assert all(link for _words, link in problems)
    assert referral.status == ReferralStatus.DRAFT


def test_the_overview_has_no_error_summary_until_the_referrer_submits(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)

    page = client.get(f"/referrals/{referral.pk}/").content.decode()

    assert "There is a problem" not in page and "Error:" not in page


def test_nobody_else_can_submit_the_referral(client_for, referrer, coordinator, outsider):
    client = client_for(referrer)
    referral = start(client)
    complete(client, referral, score=16)
    for user in (coordinator, outsider):
        response = client_for(user).post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
        assert response.status_code in {403, 404}
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


@pytest.mark.browser
def test_in_a_browser_the_draft_goes_back_to_the_referral_and_the_summary_leads_to_the_section(
    page, base_url, referrer
):
    sign_in(page, base_url, referrer.email, PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_role("button", name="Start a new referral").click()
    page.get_by_label("Given name").fill("Fictiona")
    page.get_by_role("button", name="Save as draft and come back later").click()
    assert "Draft saved" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("button", name="Submit the referral").click()

    summary = page.locator(".govuk-error-summary")
    assert "There is a problem" in summary.inner_text()  # waits for the page
    assert page.title().startswith("Error:")
    assert page.locator(".govuk-notification-banner").count() == 0
    assert_accessible(page)
    summary.get_by_role("link", name="Correct the errors in: the victim").click()
    assert page.get_by_label("Given name").input_value() == "Fictiona"
