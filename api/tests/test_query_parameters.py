"""A query parameter an operation does not have is refused (422, "query.<name>"), naming those it has, rather than
ignored: a partner syncing with ?since= on a list without it would otherwise get the whole list every time."""

import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from api import urls as _mounts_the_routers  # noqa: F401  (before walking them)
from api.core import api, query_parameter_names, unknown_query_message
from audit.models import AuditEvent
from meetings.models import Meeting
from testing.factories import CaseFactory, grant

pytestmark = pytest.mark.django_db

CASE_FILTERS = "limit, offset, marac, status and since"


@pytest.fixture
def coordinator_api(bearer, coordinator_token) -> Client:
    return bearer(coordinator_token)


def _refused(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == "The request is not valid: see errors"
    errors: dict[str, list[str]] = body["errors"]
    return errors


def test_a_filter_the_referral_list_does_not_have_is_refused_naming_the_ones_it_has(client_for, referrer):
    api_client = client_for(referrer)

    for query, name in (("status=bogus", "status"), ("marac=999", "marac")):
        errors = _refused(api_client.get(f"/api/v1/referrals?{query}"))

        assert errors == {
            f"query.{name}": ["There is no such filter here: the filters of this list are limit and offset"]
        }


def test_since_on_the_action_list_which_has_no_since_is_refused(coordinator_api):
    errors = _refused(coordinator_api.get("/api/v1/actions?since=notadate"))

    assert errors == {
        "query.since": [
            "There is no such filter here: the filters of this list are limit, offset, marac, agency, status, "
            "overdue, due_before and due_after"
        ]
    }


def test_since_on_the_meeting_list_is_refused_and_nothing_is_listed_or_audited(coordinator_api, marac):
    Meeting.objects.create(marac=marac, starts_at="2026-06-02T10:00:00Z")
    audited = AuditEvent.objects.count()

    errors = _refused(coordinator_api.get("/api/v1/meetings?since=2030-01-01T00:00:00Z"))

    assert errors == {
        "query.since": [
            "There is no such filter here: the filters of this list are limit, offset, marac, from, to and status"
        ]
    }
    assert AuditEvent.objects.count() == audited  # refused before anything was read


def test_a_filter_s_name_is_case_sensitive(coordinator_api, marac):
    CaseFactory(marac=marac)

    errors = _refused(coordinator_api.get("/api/v1/cases?Limit=5"))

    assert errors == {"query.Limit": [f"There is no such filter here: the filters of this list are {CASE_FILTERS}"]}


def test_the_lists_real_filters_still_work(coordinator_api, marac):
    CaseFactory(marac=marac)
    meeting = Meeting.objects.create(marac=marac, starts_at="2026-06-02T10:00:00Z")

    cases = coordinator_api.get(
        f"/api/v1/cases?limit=5&offset=0&marac={marac.pk}&status=referred&since=2020-01-01T00:00"
    )
    meetings = coordinator_api.get(f"/api/v1/meetings?marac={marac.pk}&from=2026-06-01&to=2026-06-03&status=scheduled")

    assert cases.status_code == 200 and cases.json()["count"] == 1
    assert meetings.status_code == 200 and [m["id"] for m in meetings.json()["items"]] == [meeting.pk]


def test_an_unknown_parameter_is_reported_with_the_known_ones_problems(coordinator_api):
    errors = _refused(coordinator_api.get("/api/v1/cases?limit=0&sinse=2026-01-01"))

    assert set(errors) == {"query.limit", "query.sinse"}


def test_an_operation_without_query_parameters_refuses_any(coordinator_api, marac):
    case = CaseFactory(marac=marac)

    errors = _refused(coordinator_api.get(f"/api/v1/cases/{case.pk}?format=json"))

    assert errors == {"query.format": ["There is no such query parameter here: this operation takes none"]}


def test_research_takes_only_its_agency(bearer, coordinator_token):
    errors = _refused(bearer(coordinator_token).get("/api/v1/meetings/1/listings/1/research?agnecy=3"))

    assert errors == {"query.agnecy": ["There is no such query parameter here: this operation takes agency"]}


def test_without_credentials_it_is_still_401_first(client):
    response = client.get("/api/v1/cases?bogus=1")

    assert response.status_code == 401


def _operations() -> list[tuple[str, str]]:
    return sorted(
        (method, path)
        for bound in api._get_bound_routers()
        for path, path_view in bound.path_operations.items()
        for operation in path_view.operations
        for method in operation.methods
    )


OPERATIONS = _operations()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_refuses_a_query_parameter_it_does_not_have(client_for, coordinator, marac, method, path):
    grant(coordinator, marac, *(role for role in Role if role != Role.COORDINATOR))  # past every permission
    url = "/api/v1" + re.sub(r"\{\w+\}", "1", path) + "?no_such_filter=1"

    response = client_for(coordinator).generic(method, url, "{}", content_type="application/json")

    assert "query.no_such_filter" in _refused(response)


def test_every_operation_s_message_names_what_it_declares():
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                names = query_parameter_names(operation.models)
                message = unknown_query_message(names)
                assert all(name in message for name in names)
                assert ("filters of this list" in message) == ("limit" in names)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,20}", fullmatch=True))
def test_any_name_the_case_list_does_not_declare_is_refused_under_its_own_name(coordinator_api, name):
    response = coordinator_api.get("/api/v1/cases", {name: "1"})

    if name in {"limit", "offset", "marac", "status", "since"}:
        assert response.status_code != 422 or f"query.{name}" in response.json()["errors"]
    else:
        assert _refused(response) == {
            f"query.{name}": [f"There is no such filter here: the filters of this list are {CASE_FILTERS}"]
        }


def test_a_filter_given_twice_is_refused_rather_than_read_as_its_last_value(coordinator_api, marac):
    CaseFactory(marac=marac, status="open")

    errors = _refused(coordinator_api.get("/api/v1/cases?status=open&status=closed&limit=5"))

    assert errors == {"query.status": ["Give this once: it takes one value"]}


def test_a_list_filter_may_be_given_more_than_once(coordinator_api, marac):
    response = coordinator_api.get(f"/api/v1/indicators?marac={marac.pk}&key=referrals&key=cases_heard")

    assert response.status_code == 200, response.content
    assert response.content.count(b'"key"') >= 2
