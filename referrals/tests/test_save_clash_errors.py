"""A section saved from a page opened before someone else saved it: the error summary leads with the real reason,
that nothing was saved because the referral changed meanwhile (WCAG 3.3.1). "Save as draft" needs no answer, so it
lists nothing else; "Save and continue" then lists what else to correct."""

import lxml.html
import pytest

from referrals.tests.test_review_answers import start
from referrals.views import OUT_OF_DATE_MESSAGE, STALE_MESSAGE

pytestmark = pytest.mark.django_db

TYPED = {"background": "Typed in the second tab."}


def _summary(response) -> list[tuple[str, str]]:
    tree = lxml.html.fromstring(response.content)
    [summary] = tree.find_class("govuk-error-summary")
    assert "role" in summary[0].attrib and tree.findtext("head/title").startswith("Error: ")
    return [(link.text_content(), link.get("href")) for link in summary.xpath(".//li/a")]


def _two_tabs(client, referral):
    """The about page opened in two tabs, and a draft saved from the first: the second is now out of date."""
    stale = referral.version
    client.post(f"/referrals/{referral.pk}/about/", {**TYPED, "version": stale, "action": "draft"})
    return stale


def test_a_draft_saved_from_the_second_tab_shows_only_why_nothing_was_saved(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    stale = _two_tabs(client, referral)

    response = client.post(f"/referrals/{referral.pk}/about/", {**TYPED, "version": stale, "action": "draft"})

    assert _summary(response) == [(STALE_MESSAGE, "#form-errors")]
    page = response.content.decode()
    assert "Select how the referral arose" not in page and "Enter the risk now" not in page
    assert page.count("saved somewhere else") == 2  # in the summary and where it links to, not in a banner too
    assert "Typed in the second tab." in page


def test_save_and_continue_from_the_second_tab_leads_with_why_then_what_to_correct(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    stale = _two_tabs(client, referral)

    response = client.post(f"/referrals/{referral.pk}/about/", {**TYPED, "version": stale, "action": "continue"})

    problems = _summary(response)
    assert problems[0] == (STALE_MESSAGE, "#form-errors")
    assert ("Select how the referral arose", "#id_how_arose_0") in problems[1:]


def test_a_draft_from_a_page_with_no_version_shows_only_why(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)

    response = client.post(f"/referrals/{referral.pk}/about/", {**TYPED, "action": "draft"})

    assert _summary(response) == [(OUT_OF_DATE_MESSAGE, "#form-errors")]
