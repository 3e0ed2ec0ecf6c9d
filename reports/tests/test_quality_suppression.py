"""Small numbers in the quality summary: a percentage of plans built on a count from 1 to the threshold is withheld,
its part as well as its whole, as on the dashboard, and the page says so in the dashboard's words."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import quality_rules, quality_services
from reports.tests.helpers import QUARTER, cases, listing, meeting

pytestmark = pytest.mark.django_db

QUARTER_QUERY = "?period=quarter&on=2026-05-15"
FIRST = quality_rules.ACTION_PLAN_STATEMENTS[0]


def _review_twelve_plans_one_meeting_the_first_statement(marac, coordinator):
    held = meeting(marac)
    for heard in cases(marac, 12):
        listing(held, heard)
    review = quality_services.review_start(
        marac=marac, period_start=QUARTER.start, period_end=QUARTER.end, sample_size=12, seed=1, by=coordinator
    )
    for index, plan in enumerate(review.plans.all()):
        ratings = {key: ("met", "") for key, _ in quality_rules.ACTION_PLAN_STATEMENTS}
        ratings[FIRST[0]] = ("met" if index == 0 else "not_met", "")
        quality_services.plan_score(plan=plan, ratings=ratings, based_on_version=plan.version, by=coordinator)


def _reviews(response):
    return {line.label: line.value for line in response.context["sections"][0].lines}


def test_a_board_viewer_cannot_work_out_one_plan_from_a_percentage_of_twelve(
    client_for, board_viewer, coordinator, marac
):
    _review_twelve_plans_one_meeting_the_first_statement(marac, coordinator)
    reviews = _reviews(client_for(board_viewer).get("/reports/quality/" + QUARTER_QUERY))
    assert reviews["Action plans reviewed"] == "12"
    # "8.3%" of the 12 plans would be 1 plan.
    assert reviews["Met: " + FIRST[1]] == "suppressed"
    assert reviews["Met: " + quality_rules.ACTION_PLAN_STATEMENTS[1][1]] == "100.0%"  # 12 of 12


def test_a_coordinator_sees_the_exact_percentage(client_for, coordinator, marac):
    _review_twelve_plans_one_meeting_the_first_statement(marac, coordinator)
    assert _reviews(client_for(coordinator).get("/reports/quality/" + QUARTER_QUERY))["Met: " + FIRST[1]] == "8.3%"


def test_it_explains_suppression_in_the_dashboard_s_words_to_those_who_see_it(client_for, board_viewer, coordinator):
    note = 'A count that could be worked out from the others beside it (a total less its other parts) is shown as "'
    board_page = client_for(board_viewer).get("/reports/quality/" + QUARTER_QUERY).content.decode()
    assert 'data-testid="suppression-note"' in board_page
    assert 'a percentage or average built on one is shown as "suppressed"' in board_page
    assert note in board_page.replace("&quot;", '"')
    assert 'data-testid="suppression-note"' not in client_for(coordinator).get("/reports/quality/").content.decode()


ratings = st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))


@pytest.mark.django_db(False)
@given(ratings)
def test_no_percentage_shown_gives_away_a_count_of_plans_from_one_to_the_threshold(counts):
    met, partly, not_met = counts
    summary = quality_rules.StatementSummary("A statement", met, partly, not_met)
    shown = quality_rules.shown_percent(summary.met_percent, met, summary.scored, suppress=True, threshold=5)
    if shown in ("suppressed", "no data"):
        return
    # Once every plan is scored, the plans scored are the plans reviewed, shown beside it: the percentage of them is
    # the plans met.
    worked_out = round(float(shown.rstrip("%")) * summary.scored / 100)
    assert worked_out == met
    assert not 1 <= worked_out <= 5
    assert not 1 <= summary.scored <= 5
