"""The chair presses "Record the outcome" with none chosen: the page says so as GOV.UK forms do (WCAG 3.3.1, 4.1.3),
its title starting "Error: ", a summary at the top linking to the Outcome radios, and the radios marked in error;
a refusal after an outcome is chosen is shown as an error too, not as a notice."""

import lxml.html
import pytest

from meetings.models import Outcome
from meetings.tests.test_live_pages import _live_url, _running, agencies, listing, meeting  # noqa: F401

pytestmark = pytest.mark.django_db


def test_it_marks_the_outcome_radios_in_error_when_none_is_chosen(client_for, chair, listing):  # noqa: F811
    _running(listing.meeting, chair)

    response = client_for(chair).post(_live_url(listing, "outcome/"), {"version": listing.version, "based_on": ""})

    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content)
    assert tree.findtext("head/title").startswith("Error: Case ")
    [summary] = tree.find_class("govuk-error-summary")
    assert summary.xpath("string(.//*[@role='alert'])").count("Choose an outcome") == 1
    [link] = summary.xpath(".//a")
    assert link.get("href") == "#id_outcome_0" and link.text_content() == "Choose an outcome"
    [radio] = tree.xpath("//input[@id='id_outcome_0']")
    group = radio.xpath("ancestor::div[contains(@class, 'govuk-form-group')]")[0]
    assert "govuk-form-group--error" in group.get("class")
    assert group.xpath("string(.//p[@class='govuk-error-message'])") == "Error: Choose an outcome"
    listing.refresh_from_db()
    assert listing.outcome == ""


def test_an_outcome_not_offered_is_refused_on_the_radios_and_nothing_is_recorded(
    client_for,
    chair,
    listing,  # noqa: F811
):
    _running(listing.meeting, chair)

    response = client_for(chair).post(_live_url(listing, "outcome/"), {"outcome": Outcome.HELD_OVER})

    assert response.status_code == 200 and b"<title>Error: Case" in response.content
    assert b'href="#id_outcome_0">Choose an outcome</a>' in response.content
    listing.refresh_from_db()
    assert listing.outcome == ""
