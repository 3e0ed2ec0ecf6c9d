"""What a partner system gets back besides data: every error as {"error": "a sentence"} (an address that is no
operation, a method an address does not take, a body that is not JSON), the ETag of a case, and a stale delete
told in a delete's words."""

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.core import NO_SUCH_ADDRESS_MESSAGE, ApiError, parse_json
from audit.models import AuditEvent
from demo.fictional import FAMILY_NAMES, FEMALE_GIVEN_NAMES
from referrals.api import STALE_DELETE_MESSAGE, STALE_MESSAGE
from referrals.models import Referral
from referrals.tests.test_referral_pages import VICTIM
from testing.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_api(bearer, coordinator_token):
    return bearer(coordinator_token)


def _json_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    message: str = body["error"]
    return message


# --- An address that is no operation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nonexistent", "/api/v1/", "/api/v1/cases/", "/api/v1/cases/1/nothing", "/api/", "/api/v2/cases"],
)
def test_an_address_that_is_no_operation_is_a_json_404(coordinator_api, client_for, coordinator, client, path):
    for caller in (coordinator_api, client_for(coordinator), client):
        assert _json_error(caller.get(path), 404) == NO_SUCH_ADDRESS_MESSAGE


def test_the_no_such_address_message_points_to_the_schema_which_is_served(client):
    assert "/api/v1/openapi.json" in NO_SUCH_ADDRESS_MESSAGE
    assert client.get("/api/v1/openapi.json").status_code == 200


# --- A method an address does not take ------------------------------------------------------------------------------


def test_a_method_an_address_does_not_take_is_a_json_405_with_allow(coordinator_api, marac):
    case = CaseFactory(marac=marac)

    response = coordinator_api.delete(f"/api/v1/cases/{case.pk}")

    assert _json_error(response, 405) == "This address does not take DELETE: it takes GET"
    assert response["Allow"] == "GET"
    assert case.__class__.objects.filter(pk=case.pk).exists()


def test_a_405_names_every_method_the_address_takes(client_for, referrer):
    response = client_for(referrer).patch("/api/v1/referrals/1")

    assert _json_error(response, 405) == "This address does not take PATCH: it takes DELETE and GET"
    assert response["Allow"] == "DELETE, GET"


def test_a_405_does_not_repeat_a_method_that_is_no_http_method(coordinator_api):
    response = coordinator_api.generic("FROBNICATE", "/api/v1/cases/1")

    assert _json_error(response, 405) == "This address does not take that method: it takes GET"


# --- A body that is not JSON ----------------------------------------------------------------------------------------


def test_malformed_json_to_an_operation_with_a_schema_is_told_in_words(coordinator_api):
    response = coordinator_api.post("/api/v1/actions/1/done", "{version: 1}", content_type="application/json")

    assert _json_error(response, 400) == "The body is not valid JSON: check quotes and commas (line 1, column 2)"


def test_malformed_json_to_a_referral_is_told_in_the_same_words(client_for, referrer):
    response = client_for(referrer).post("/api/v1/referrals", '{"victim": {', content_type="application/json")

    assert _json_error(response, 400).startswith("The body is not valid JSON: check quotes and commas (line 1,")
    assert Referral.objects.count() == 0


def test_a_body_not_in_utf_8_is_told_so(coordinator_api):
    response = coordinator_api.post("/api/v1/actions/1/done", b"\xff\xfe{", content_type="application/json")

    assert _json_error(response, 400) == "The body is not valid JSON: send it as UTF-8 text"


def test_the_message_never_repeats_what_was_sent():
    name = f"{FEMALE_GIVEN_NAMES[0]} {FAMILY_NAMES[0]}"
    with pytest.raises(ApiError) as refused:
        parse_json(f'{{"victim": "{name}", }}'.encode())

    assert refused.value.status == 400
    assert FEMALE_GIVEN_NAMES[0] not in refused.value.message and FAMILY_NAMES[0] not in refused.value.message


@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_body_is_either_read_or_refused_as_400_with_a_sentence(text):
    try:
        expected = json.loads(text.encode())
    except (ValueError, RecursionError):
        with pytest.raises(ApiError) as refused:
            parse_json(text.encode())
        assert refused.value.status == 400
        assert refused.value.message.startswith("The body is not valid JSON: ")
        assert "Expecting" not in refused.value.message  # the parser's own words are not passed on
    else:
        assert json.dumps(parse_json(text.encode())) == json.dumps(expected)  # NaN is not equal to itself


# --- A case's ETag --------------------------------------------------------------------------------------------------


def test_a_case_s_answer_carries_its_version_as_the_etag(coordinator_api, marac):
    case = CaseFactory(marac=marac)
    case.__class__.objects.filter(pk=case.pk).update(version=7)

    response = coordinator_api.get(f"/api/v1/cases/{case.pk}")

    assert response.status_code == 200
    assert response.json()["version"] == 7
    assert response["ETag"] == '"7"'


def test_the_etag_is_the_same_form_for_a_referral(client_for, referrer):
    response = client_for(referrer).post("/api/v1/referrals", "", content_type="application/json")

    assert response["ETag"] == f'"{response.json()["version"]}"'


# --- Deleting a referral saved since ---------------------------------------------------------------------------------


def test_deleting_a_referral_saved_since_says_nothing_was_deleted(client_for, referrer):
    client = client_for(referrer)
    draft = client.post("/api/v1/referrals", "", content_type="application/json").json()
    client.put(
        f"/api/v1/referrals/{draft['id']}/sections/victim",
        json.dumps(VICTIM),
        content_type="application/json",
        headers={"If-Match": f'"{draft["version"]}"'},
    )

    response = client.delete(f"/api/v1/referrals/{draft['id']}", headers={"If-Match": f'"{draft["version"]}"'})

    assert _json_error(response, 409) == STALE_DELETE_MESSAGE
    assert STALE_DELETE_MESSAGE == (
        "This referral was saved somewhere else since the version you sent. Nothing was deleted: fetch it again and "
        "check it before deleting it."
    )
    assert Referral.objects.get(pk=draft["id"]).content == {"victim": VICTIM}
    assert not AuditEvent.objects.filter(object_id=str(draft["id"]), action="delete").exists()


def test_saving_a_stale_section_keeps_the_save_wording(client_for, referrer):
    client = client_for(referrer)
    draft = client.post("/api/v1/referrals", "", content_type="application/json").json()
    url = f"/api/v1/referrals/{draft['id']}/sections/victim"
    headers = {"If-Match": f'"{draft["version"]}"'}
    client.put(url, json.dumps(VICTIM), content_type="application/json", headers=headers)

    response = client.put(url, json.dumps(VICTIM), content_type="application/json", headers=headers)

    assert _json_error(response, 409) == STALE_MESSAGE
