"""Schemathesis over the whole open API, in process, against the test database (issue 8, item 2).

Every operation in the served schema is called with generated input, first with a coordinator's API credential
at a MARAC full of synthetic history (the demo generator: cases, meetings, listings, research, actions), then
without credentials. Every answer must be no server error, a status the schema declares for the operation,
and a body that matches the schema for that status. Path ids are real ones half the time, so that operations
are exercised past their 404.

All operations run inside one test per way of calling, on one set of data, and every operation's failures are
collected before the test fails, so that one report names them all. MAX_EXAMPLES keeps the run to a minute or
two; raise it locally to search harder.
"""

import datetime
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from api.schema import schema as api_schema
from api.services import credential_issue
from demo.generator import generate_area
from marac.models import Marac

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = int(os.environ.get("OPENMARAC_SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
APPLICATION = get_wsgi_application()

# The models whose ids an operation's path takes, by the path parameter's name.
ID_SOURCES: dict[str, tuple[str, str]] = {
    "case_id": ("cases", "Case"),
    "referral_id": ("referrals", "Referral"),
    "meeting_id": ("meetings", "Meeting"),
    "listing_id": ("meetings", "Listing"),
    "action_id": ("actions", "Action"),
    "person_id": ("people", "Person"),
    "instrument_id": ("referrals", "RiskInstrument"),
}


@pytest.fixture
def area() -> Marac:
    end = timezone.localdate()
    counts = generate_area(
        seed=8, start=end - datetime.timedelta(days=45), end=end, name="Schemashire MARAC", reference_prefix="SC"
    )
    return Marac.objects.get(pk=counts.marac_id)


@pytest.fixture
def coordinator_token(area: Marac) -> str:
    coordinator = area.role_grants.filter(role=Role.COORDINATOR).select_related("user").first()
    assert coordinator is not None
    _, token = credential_issue(
        marac=area,
        agency=coordinator.user.agency,
        name="Schemashire case management system",
        roles=[Role.COORDINATOR],
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        by=coordinator.user,
    )
    return token


def _real_ids() -> dict[str, list[Any]]:
    """Ids that exist, newest first, by path parameter; a listing's comes with its meeting's."""
    from django.apps import apps

    from referrals.sections import SECTIONS

    ids: dict[str, list[Any]] = {"slug": [section.slug for section in SECTIONS]}
    for parameter, (app_label, model_name) in ID_SOURCES.items():
        model = apps.get_model(app_label, model_name)
        fields = ["pk", "meeting_id"] if parameter == "listing_id" else ["pk"]
        ids[parameter] = list(model.objects.order_by("-pk").values_list(*fields)[:50])
    return ids


def _use_real_ids(case: Any, data: st.DataObject, real_ids: dict[str, list[Any]]) -> None:
    for name in list(case.path_parameters or {}):
        if not real_ids.get(name) or not data.draw(st.booleans(), label=f"a real {name}"):
            continue
        chosen = data.draw(st.sampled_from(real_ids[name]), label=name)
        if isinstance(chosen, tuple) and name == "listing_id" and "meeting_id" in case.path_parameters:
            case.path_parameters["meeting_id"] = chosen[1]
        case.path_parameters[name] = chosen[0] if isinstance(chosen, tuple) else chosen


def _run_over_every_operation(headers: dict[str, str], *, use_real_ids: bool) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_dict(api_schema())
    failures: list[str] = []
    calls = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        real_ids = _real_ids() if use_real_ids else {}  # afresh: earlier operations may have made some
        try:
            calls += _check(operation, headers, real_ids)
        except Exception as failure:  # collected, so that one run names every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {_short(failure)}")
    return calls, failures


def _check(operation: Any, headers: dict[str, str], real_ids: dict[str, list[Any]]) -> int:
    calls = 0

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def call(case: Any, data: st.DataObject) -> None:
        nonlocal calls
        _use_real_ids(case, data, real_ids)
        response = case.call(app=APPLICATION, headers=headers)
        calls += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    call()
    return calls


def _short(failure: Exception) -> str:
    text = str(failure)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text[:3000]


@pytest.fixture
def in_process() -> Iterator[None]:
    """Called through WSGI in this process and this test's transaction: as django.test.Client does, stop a
    request's end from closing the database connection, and lift the rate limit for the thousands of calls."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    cache.clear()
    try:
        with override_settings(OPENMARAC_API_RATE_LIMIT=1_000_000):
            yield
    finally:
        cache.clear()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_keeps_to_the_schema_with_a_coordinators_credential(coordinator_token, in_process):
    calls, failures = _run_over_every_operation({"Authorization": f"Bearer {coordinator_token}"}, use_real_ids=True)
    assert not failures, "\n\n".join(failures)
    assert calls >= MAX_EXAMPLES


def test_every_operation_keeps_to_the_schema_without_credentials(area, in_process):
    calls, failures = _run_over_every_operation({}, use_real_ids=True)
    assert not failures, "\n\n".join(failures)
    assert calls >= MAX_EXAMPLES
