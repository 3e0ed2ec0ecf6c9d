"""Every API operation that takes a body refuses one over 1 MB with 413 {"error": ...}, before reading it, as the
referral operations always did: the others gave a server error over Django's own limit (2.5 MB)."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from actions.tests.tracking_data import action_for, case_at, meeting_at
from api.core import BODY_TOO_LARGE_MESSAGE, MAX_BODY_BYTES
from meetings.models import Listing, Meeting, MeetingState
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db

THREE_MEGABYTES = 3 * 1024 * 1024


@pytest.fixture
def listing(marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=4))
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac))


def _writes(marac, listing, coordinator, police_rep, idva, referrer):
    """(who, method, path) for a write of each kind, by someone allowed to make it."""
    action = action_for(
        Listing.objects.create(meeting=meeting_at(marac), case=case_at(marac)), police_rep.agency, coordinator
    )
    at = f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}"
    return [
        (police_rep, "PUT", f"{at}/research"),
        (idva, "PUT", f"{at}/victim-voice"),
        (police_rep, "POST", f"/api/v1/actions/{action.pk}/done"),
        (police_rep, "POST", f"/api/v1/actions/{action.pk}/cannot-complete"),
        (coordinator, "POST", f"{at}/actions"),
        (referrer, "POST", "/api/v1/referrals"),
    ]


def _big_json(size: int) -> str:
    return json.dumps({"note": "x" * size, "version": 1})


def _send(client: Client, method: str, path: str, body: str):
    return client.generic(method, path, body, content_type="application/json")


def test_a_body_over_django_s_own_limit_is_413_not_a_server_error(
    client_for, marac, listing, coordinator, police_rep, idva, referrer
):
    for user, method, path in _writes(marac, listing, coordinator, police_rep, idva, referrer):
        response = _send(client_for(user), method, path, _big_json(THREE_MEGABYTES))

        assert (path, response.status_code) == (path, 413)
        assert response.json() == {"error": BODY_TOO_LARGE_MESSAGE}


def test_the_same_limit_of_one_megabyte_applies_to_every_write(
    client_for, marac, listing, coordinator, police_rep, idva, referrer
):
    assert BODY_TOO_LARGE_MESSAGE == "The body must be 1,048,576 bytes or fewer"
    for user, method, path in _writes(marac, listing, coordinator, police_rep, idva, referrer):
        response = _send(client_for(user), method, path, _big_json(MAX_BODY_BYTES))  # just over, with the rest

        assert (path, response.status_code) == (path, 413)


class UnreadBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def test_a_body_declared_too_large_is_refused_before_it_is_read(client_for, police_rep, listing):
    response = client_for(police_rep).generic(
        "PUT",
        f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/research",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(MAX_BODY_BYTES + 1),
        **{"wsgi.input": UnreadBody()},
    )

    assert response.status_code == 413


def test_a_caller_without_credentials_is_told_to_sign_in_not_about_the_size(client, listing):
    path = f"/api/v1/meetings/{listing.meeting_id}/listings/{listing.pk}/research"

    assert _send(client, "PUT", path, _big_json(THREE_MEGABYTES)).status_code == 401


def test_the_schema_declares_413_for_every_operation_with_a_body(client):
    schema = client.get("/api/v1/openapi.json").json()
    with_a_body = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "requestBody" in operation
    ]

    assert len(with_a_body) >= 8  # referrals (3), research, the victim's voice, actions (3)
    for method, path, operation in with_a_body:
        assert ("413", method, path) in [(status, method, path) for status in operation["responses"]]
    without = schema["paths"]["/api/v1/cases"]["get"]["responses"]
    assert "413" not in without
