"""Indicators through the open API: the dashboard's figures and definitions, aggregates only, small numbers
suppressed for everyone, as in every download."""

import pytest

from accounts.models import Role
from api.tests.conftest import bearer, issue_token  # noqa: F401 - fixtures shared with the API's own tests
from audit.models import AuditAction, AuditEvent
from reports.indicators import INDICATORS
from reports.tests.helpers import QUARTER, case, cases
from testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

IN_THE_QUARTER = {"period": "quarter", "on": "2026-05-15"}


@pytest.fixture
def board(marac, board_viewer, bearer, issue_token):  # noqa: F811
    """The community safety partnership's reporting system, holding the board viewer's role."""
    return bearer(issue_token(marac, Role.BOARD_VIEWER, agency=board_viewer.agency))


def _values(response):
    assert response.status_code == 200, response.json()
    return {value["key"]: value for value in response.json()["values"]}


def test_a_board_viewer_gets_the_indicators_for_its_marac_and_period(board, marac):
    for _ in range(7):
        case(marac, victim=PersonFactory(marac=marac, given_name="Countable"))

    response = board.get("/api/v1/indicators", {"marac": marac.pk} | IN_THE_QUARTER)

    body = response.json()
    assert (body["marac_id"], body["marac"]) == (marac.pk, "Northbrook MARAC")
    assert body["period"] == {
        "kind": "quarter",
        "label": QUARTER.label,
        "start": str(QUARTER.start),
        "end": str(QUARTER.end),
        "counted_to": str(QUARTER.end),
        "note": "",
    }
    referrals = _values(response)["referrals"]
    assert (referrals["value"], referrals["numerator"], referrals["value_text"]) == (7.0, 7, "7")
    assert referrals["suppressed"] is False
    assert {value["key"] for value in body["values"]} == {indicator.key for indicator in INDICATORS}
    assert "Countable" not in response.content.decode()  # aggregates only, never a person


def test_small_numbers_are_suppressed_for_everyone(board, client_for, coordinator, marac):
    cases(marac, 3)
    query = {"marac": marac.pk, "key": "referrals"} | IN_THE_QUARTER

    for response in (board.get("/api/v1/indicators", query), client_for(coordinator).get("/api/v1/indicators", query)):
        referrals = _values(response)["referrals"]
        assert referrals["suppressed"] is True
        assert (referrals["value"], referrals["numerator"]) == (None, None)
        assert referrals["value_text"] == "<6"
        assert response.json()["suppression_threshold"] == 5


def test_only_the_indicators_asked_for_come_back(board, marac):
    response = board.get("/api/v1/indicators", {"marac": marac.pk, "key": ["referrals", "referrals_change"]})
    assert list(_values(response)) == ["referrals", "referrals_change"]

    unknown = board.get("/api/v1/indicators", {"marac": marac.pk, "key": "favourite_colour"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"query.key": ["No indicator 'favourite_colour'"]}


def test_the_marac_and_a_sensible_day_are_needed(board, marac):
    assert board.get("/api/v1/indicators").status_code == 422
    assert board.get("/api/v1/indicators", {"marac": marac.pk, "on": "0001-01-01"}).status_code == 422
    assert board.get("/api/v1/indicators", {"marac": marac.pk, "period": "fortnight"}).status_code == 422


def test_reading_the_indicators_is_audited_as_an_export_of_the_marac_s_figures(board, marac):
    board.get("/api/v1/indicators", {"marac": marac.pk} | IN_THE_QUARTER)
    entry = AuditEvent.objects.filter(object_type="reports.indicators").latest("id")
    assert (entry.action, entry.marac_id) == (AuditAction.EXPORT, marac.pk)
    assert QUARTER.label in entry.summary


def test_the_definitions_are_every_indicator_s(board):
    response = board.get("/api/v1/indicators/definitions")

    assert response.status_code == 200
    definitions = {definition["key"]: definition for definition in response.json()}
    assert list(definitions) == [indicator.key for indicator in INDICATORS]
    assert definitions["referrals"]["group_title"] == "Referrals and cases heard"
    assert definitions["referrals"]["unit"] == "count"
    assert all(benchmark["wording"] for definition in definitions.values() for benchmark in definition["benchmarks"])


def test_a_board_viewer_gets_404_on_cases_meetings_and_actions(board):
    for path in ("/api/v1/cases", "/api/v1/meetings", "/api/v1/actions", "/api/v1/research"):
        assert board.get(path).status_code == 404, path


def test_an_outsider_at_another_marac_gets_404_for_its_figures(client_for, outsider, marac, other_marac):
    assert client_for(outsider).get("/api/v1/indicators", {"marac": marac.pk}).status_code == 404
    assert client_for(outsider).get("/api/v1/indicators", {"marac": other_marac.pk}).status_code == 200


def test_a_representative_gets_404_on_the_indicators(client_for, police_rep, marac):
    assert client_for(police_rep).get("/api/v1/indicators", {"marac": marac.pk}).status_code == 404
    assert client_for(police_rep).get("/api/v1/indicators/definitions").status_code == 404


def test_without_a_credential_it_is_401(client, marac):
    assert client.get("/api/v1/indicators", {"marac": marac.pk}).status_code == 401


def test_a_day_out_of_range_is_refused_in_words(board, marac):
    response = board.get("/api/v1/indicators", {"marac": marac.pk, "on": "1999-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"query.on": ["Must be 2000-01-01 or later"]}
    written_wrongly = board.get("/api/v1/indicators", {"marac": marac.pk, "on": "15/05/2026"})
    assert written_wrongly.json()["errors"] == {"query.on": ["Give a day as YYYY-MM-DD"]}
