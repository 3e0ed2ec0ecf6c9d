"""Someone with roles at several MARACs chooses which one they are working in (web/views.py choose_marac)."""

import re

import pytest

from accounts.models import Role
from testing.factories import MaracFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def working_in_two(coordinator, other_marac):
    return grant(coordinator, other_marac, Role.CHAIR)


def _error_summary(html: str) -> list[str]:
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in summary.split("<li>")[1:]]


def test_choosing_nothing_says_what_to_choose(client_for, working_in_two):
    response = client_for(working_in_two).post("/marac/choose/", {})
    assert response.status_code == 200
    assert _error_summary(response.content.decode()) == ["Select the MARAC you are working in"]


def test_a_marac_where_they_hold_no_role_is_refused_with_a_reason(client_for, working_in_two, marac):
    elsewhere = MaracFactory(name="Westfold MARAC")
    response = client_for(working_in_two).post("/marac/choose/", {"marac": elsewhere.pk})
    assert response.status_code == 200
    assert _error_summary(response.content.decode()) == ["Select one of the MARACs where you have a role"]
    assert "Westfold" not in response.content.decode()


def test_the_choice_is_kept_for_the_pages_that_follow(client_for, working_in_two, other_marac):
    client = client_for(working_in_two)
    response = client.post("/marac/choose/", {"marac": other_marac.pk})
    assert response.status_code == 302
    assert "Southmere MARAC" in client.get("/").content.decode()
