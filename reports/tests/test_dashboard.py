import pytest

from accounts.models import Role
from reports.tests.helpers import cases, listing, meeting, records_begin
from testing.factories import grant

QUARTER_QUERY = "?period=quarter&on=2026-05-15"


@pytest.fixture
def heard(marac):
    records_begin(marac)
    held = meeting(marac)
    heard_cases = [*cases(marac, 3, is_repeat=True), *cases(marac, 7)]
    for heard_case in heard_cases:
        listing(held, heard_case)
    return heard_cases


def _cell(response, key, column=0):
    report = response.context["report"]
    rows = {row.indicator.key: row for group in report.groups for row in group.rows}
    return rows[key].cells[column]


def test_it_shows_a_board_viewer_figures_but_no_names_or_references(client_for, board_viewer, heard):
    response = client_for(board_viewer).get("/reports/" + QUARTER_QUERY)
    assert response.status_code == 200
    assert _cell(response, "cases_heard").value_text == "10"
    assert _cell(response, "repeat_cases").value_text == "suppressed"
    page = response.content.decode()
    assert "April to June 2026" in page
    assert 'data-indicator="repeat_cases"' in page
    for heard_case in heard:
        assert heard_case.reference not in page
        assert heard_case.victim.given_name not in page


def test_it_shows_a_coordinator_exact_counts(client_for, coordinator, heard):
    response = client_for(coordinator).get("/reports/" + QUARTER_QUERY)
    assert _cell(response, "repeat_cases").value_text == "30.0%"
    assert "suppression-note" not in response.content.decode()


def test_it_defaults_to_the_rolling_twelve_months(client_for, chair):
    response = client_for(chair).get("/reports/")
    assert response.status_code == 200
    assert response.context["report"].period.kind == "rolling_12_months"


def test_it_answers_404_to_an_outsider_asking_for_another_marac(client_for, outsider, marac, heard):
    assert client_for(outsider).get(f"/reports/?marac={marac.pk}").status_code == 404
    # Their own MARAC's figures are theirs to see, and show nothing of Northbrook's.
    own = client_for(outsider).get("/reports/" + QUARTER_QUERY)
    assert own.status_code == 200
    assert _cell(own, "cases_heard").value_text == "0"


def test_it_answers_404_to_roles_without_the_permission(client_for, police_rep, referrer):
    for user in (police_rep, referrer):
        assert client_for(user).get("/reports/").status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/reports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_several_maracs_side_by_side_and_combined(client_for, coordinator, other_marac, heard):
    grant(coordinator, other_marac, Role.COORDINATOR)
    records_begin(other_marac)
    cases(other_marac, 10, is_repeat=True)
    response = client_for(coordinator).get("/reports/" + QUARTER_QUERY)
    labels = [column.label for column in response.context["report"].columns]
    assert labels == ["Northbrook MARAC", "Southmere MARAC", "Combined"]
    assert [_cell(response, "repeat_cases", index).value_text for index in range(3)] == ["30.0%", "100.0%", "65.0%"]
    only_one = client_for(coordinator).get(f"/reports/{QUARTER_QUERY}&marac={other_marac.pk}")
    assert [column.label for column in only_one.context["report"].columns] == ["Southmere MARAC"]


def test_it_suppresses_where_the_user_is_a_board_viewer_at_any_marac_shown(client_for, coordinator, other_marac, heard):
    grant(coordinator, other_marac, Role.BOARD_VIEWER)
    response = client_for(coordinator).get("/reports/" + QUARTER_QUERY)
    assert response.context["report"].suppressed
    alone = client_for(coordinator).get(f"/reports/{QUARTER_QUERY}&marac={heard[0].marac_id}")
    assert not alone.context["report"].suppressed
