"""BD Cases for information only: a vulnerable adult, or a referrer who asked for specific actions, rules information
only out. The form asks both questions with nothing chosen (GOV.UK radios are never pre-selected), so each must be
answered; an answer left out gets its own error and nothing is recorded."""

import re

import pytest

from meetings.models import ListingKind
from meetings.tests.test_agenda_pages import _listed, _meeting

pytestmark = pytest.mark.django_db

QUESTIONS = ("vulnerable_adult", "specific_actions_requested")


@pytest.fixture
def listing(marac):
    return _listed(_meeting(marac, days_ahead=1), reference="NM-2026-0090")


def _url(listing) -> str:
    return f"/meetings/{listing.meeting_id}/listings/{listing.pk}/information-only/"


def _checked(page: str, name: str) -> list[str]:
    """The values of the radios called `name` that are ticked on the page."""
    return [
        value
        for tag in re.findall(r"<input[^>]*>", page)
        if f'name="{name}"' in tag and " checked" in tag
        for value in re.findall(r'value="([^"]*)"', tag)
    ]


def test_neither_exclusion_question_is_answered_for_the_user(client_for, coordinator, listing):
    page = client_for(coordinator).get(_url(listing)).content.decode()

    assert "Is a vulnerable adult involved?" in page
    for name in QUESTIONS:
        assert _checked(page, name) == []


def test_each_unanswered_question_gets_its_own_error_and_nothing_is_recorded(client_for, coordinator, listing):
    response = client_for(coordinator).post(
        _url(listing), {"referrer_view": "Spoke to the referring officer, who agrees.", "referrer_agrees": "yes"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Select yes if a vulnerable adult is involved, or no if not" in page
    assert "Select yes if the referrer identified or asked for specific actions, or no if they did not" in page
    listing.refresh_from_db()
    assert listing.referrer_view == ""
    assert listing.information_only_decided_by_coordinator is None
    assert listing.kind == ListingKind.FULL


def test_answers_given_before_are_shown_again(client_for, coordinator, listing):
    client = client_for(coordinator)
    client.post(
        _url(listing),
        {
            "referrer_view": "Spoke to the referring officer, who agrees.",
            "referrer_agrees": "yes",
            "vulnerable_adult": "yes",
            "specific_actions_requested": "no",
        },
    )

    page = client.get(_url(listing)).content.decode()

    assert _checked(page, "vulnerable_adult") == ["yes"]
    assert _checked(page, "specific_actions_requested") == ["no"]


def test_a_referral_that_asked_for_actions_shows_that_answer(client_for, coordinator, listing):
    listing.specific_actions_requested = True
    listing.save()

    page = client_for(coordinator).get(_url(listing)).content.decode()

    assert _checked(page, "specific_actions_requested") == ["yes"]
    assert _checked(page, "vulnerable_adult") == []
