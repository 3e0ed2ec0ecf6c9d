"""The referral JSON API: the same cases as the pages (test_referral_pages.py), through the same forms."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from api.core import MAX_BODY_BYTES, SIGN_IN_MESSAGE
from audit.models import AuditEvent
from cases.models import CaseRestriction
from referrals import decisions
from referrals.models import Referral, ReferralStatus
from referrals.tests.test_referral_pages import ABOUT, CHILD, CONSENT, PERPETRATOR, VICTIM, _risk
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

COMPLETE = {
    "victim": VICTIM,
    "children": [CHILD],
    "perpetrators": [PERPETRATOR],
    "risk": _risk(16),
    "consent": CONSENT,
    "about": ABOUT,
}


def _create(client, document=None):
    body = "" if document is None else json.dumps(document)  # an empty body starts an empty draft
    return client.post("/api/v1/referrals", body, content_type="application/json")


def _current_version(client, referral_id):
    return client.get(f"/api/v1/referrals/{referral_id}").json()["version"]


def _put(client, referral_id, slug, body, *, version="current"):
    """A section saved, based on the referral's version now unless told which (None: no If-Match)."""
    if version == "current":
        version = None if isinstance(body, dict) and "version" in body else _current_version(client, referral_id)
    headers = {} if version is None else {"If-Match": f'"{version}"'}
    url = f"/api/v1/referrals/{referral_id}/sections/{slug}"
    return client.put(url, json.dumps(body), content_type="application/json", headers=headers)


def _submit(client, referral_id, *, version="current"):
    if version == "current":
        version = _current_version(client, referral_id)
    body = {} if version is None else {"version": version}
    return client.post(f"/api/v1/referrals/{referral_id}/submit", body, content_type="application/json")


@pytest.fixture
def api(client_for, referrer):
    return client_for(referrer)


@pytest.fixture
def draft(api):
    return _create(api).json()


def test_it_creates_an_empty_draft_without_a_body(api, referrer):
    response = _create(api)
    assert response.status_code == 201
    data = response.json()
    assert response["Location"] == f"/api/v1/referrals/{data['id']}"
    assert data["status"] == "draft" and data["document"] == {} and data["decision"] is None
    assert data["problems"]["victim"] == ["Complete the section: the victim"]
    assert Referral.objects.get(pk=data["id"]).referrer == referrer


def test_it_creates_a_draft_from_a_partial_document_and_audits_it(api):
    data = _create(api, {"victim": VICTIM, "perpetrators": [PERPETRATOR]}).json()
    assert data["document"]["victim"] == VICTIM  # kept as typed: the postcode is tidied only when read
    assert data["document"]["perpetrators"] == [PERPETRATOR]
    assert data["errors"] == {}
    assert "victim" not in data["problems"] and "about" in data["problems"]
    assert AuditEvent.objects.filter(object_id=str(data["id"]), action="create").exists()


def test_it_lists_only_the_callers_referrals_and_audits_the_listing(api, client_for, marac, draft):
    other = client_for(grant(_another_referrer(marac), marac, Role.REFERRER))
    _create(other)
    page = api.get("/api/v1/referrals").json()  # the API's list envelope (docs/api.md)
    listed = page["items"]
    assert [referral["id"] for referral in listed] == [draft["id"]]
    assert (page["count"], page["offset"]) == (1, 0)
    assert "document" not in listed[0]
    assert AuditEvent.objects.filter(action="view", summary="Listed own referrals").count() == 1


def _another_referrer(marac):
    return UserFactory(full_name="Rita Otherreferrer", agency=AgencyFactory(name="Northbrook Housing"))


def test_it_returns_the_document_status_version_and_problems(api, draft):
    _put(api, draft["id"], "victim", VICTIM)
    response = api.get(f"/api/v1/referrals/{draft['id']}")
    data = response.json()
    assert response.status_code == 200
    assert data["document"]["victim"]["given_name"] == "Fictiona"
    assert data["version"] == draft["version"] + 1
    assert response["ETag"] == f'"{data["version"]}"'
    assert data["problems"]["perpetrators"] == ["Add at least one perpetrator"]


def test_a_draft_keeps_what_was_typed_even_when_it_has_errors(api, draft):
    response = _put(api, draft["id"], "victim", {**VICTIM, "date_of_birth": "2099-01-01", "postcode": ""})
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert errors["victim.date_of_birth"] == ["Date of birth must be today or in the past"]
    assert errors["victim.postcode"] == ["Enter the postcode of the victim's address"]
    stored = Referral.objects.get(pk=draft["id"]).content["victim"]
    assert stored["given_name"] == "Fictiona" and stored["date_of_birth"] == "2099-01-01"
    assert api.get(f"/api/v1/referrals/{draft['id']}").json()["errors"] == errors  # coming back later


def test_errors_in_a_list_section_are_keyed_by_item(api, draft):
    response = _put(api, draft["id"], "children", [CHILD, {**CHILD, "given_name": ""}])
    assert response.json()["errors"] == {"children[1].given_name": ["Enter the given name"]}
    assert response.json()["problems"]["children"] == ["Complete child 2"]


def test_a_list_section_is_replaced_whole(api, draft):
    _put(api, draft["id"], "children", [CHILD, {**CHILD, "given_name": "Second"}, {**CHILD, "given_name": "Third"}])
    response = _put(api, draft["id"], "children", [{**CHILD, "given_name": "Only"}])
    assert [child["given_name"] for child in response.json()["document"]["children"]] == ["Only"]
    assert _put(api, draft["id"], "children", []).json()["document"]["children"] == []


def test_a_perpetrator_needs_a_name_or_a_description(api, draft):
    nameless = {**PERPETRATOR, "given_name": "", "family_name": ""}
    errors = _put(api, draft["id"], "perpetrators", [nameless]).json()["errors"]
    assert errors["perpetrators[0].given_name"] == [
        "Enter the perpetrator's name, or describe them if their name is not known"
    ]
    described = {**nameless, "description": "Ex-partner known as Jay, drives a blue van"}
    assert _put(api, draft["id"], "perpetrators", [described]).json()["errors"] == {}


def test_oversized_text_gets_a_clear_error_and_is_still_kept(api, draft):
    response = _put(api, draft["id"], "about", {**ABOUT, "background": "x" * 5001})
    assert response.json()["errors"]["about.background"] == ["This must be 5,000 characters or fewer"]
    assert len(Referral.objects.get(pk=draft["id"]).content["about"]["background"]) == 5001


def test_markup_in_free_text_is_returned_as_data(api, draft):
    # Escaping is the pages' job; the API hands back exactly what was typed.
    response = _put(api, draft["id"], "about", {**ABOUT, "background": "<script>alert('x')</script>"})
    assert response.json()["document"]["about"]["background"] == "<script>alert('x')</script>"
    assert response["Content-Type"].split(";")[0] == "application/json"  # ninja adds "; charset=utf-8"


def test_values_are_kept_as_a_form_posts_them(api, draft):
    criteria = {"automatic": ["fgm"], "professional_judgement": True, "judgement_rationale": 42, "urgent": False}
    stored = _put(api, draft["id"], "criteria", criteria).json()["document"]["criteria"]
    assert stored == {"automatic": ["fgm"], "professional_judgement": "true", "judgement_rationale": "42", "urgent": ""}
    response = _put(api, draft["id"], "victim", {**VICTIM, "date_of_birth": ["1991-04-03"]})
    assert response.status_code == 422
    assert response.json()["errors"] == {"body.date_of_birth": ["Must be text, a number, true, false or null"]}


def test_a_victim_under_16_is_refused_with_a_pointer_to_child_safeguarding(api):
    young = (timezone.localdate() - datetime.timedelta(days=365 * 15)).isoformat()
    data = _create(api, {**COMPLETE, "victim": {**VICTIM, "date_of_birth": young}}).json()
    assert "follow your child safeguarding procedures" in data["problems"]["victim"][0]
    response = _submit(api, data["id"])
    assert response.status_code == 422
    assert Referral.objects.get(pk=data["id"]).status == ReferralStatus.DRAFT


def test_a_referral_below_the_criteria_is_not_submitted_and_the_referrer_is_told_why(api):
    data = _create(api, {**COMPLETE, "risk": _risk(11)}).json()
    response = _submit(api, data["id"], version=data["version"])
    assert response.status_code == 422
    refused = response.json()
    assert refused["problems"][""][0].startswith("This referral does not meet the MARAC criteria")
    visible_high_risk = refused["decision"]["results"][0]
    assert visible_high_risk["met"] is False
    assert "11" in visible_high_risk["reason"] and "14" in visible_high_risk["reason"]  # the score and the threshold
    assert refused["decision"]["idva_referral_offered"] is True  # a score of 10 or more still goes to the IDVA
    assert Referral.objects.get(pk=data["id"]).status == ReferralStatus.DRAFT


def test_it_submits_a_complete_referral_with_the_criteria_decision(api):
    data = _create(api, COMPLETE).json()
    assert data["problems"] == {} and data["decision"]["met"] is True  # computable before submission
    response = _submit(api, data["id"], version=data["version"])
    assert response.status_code == 200
    submitted = response.json()
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    assert submitted["decision"]["met"] is True and submitted["decision"]["dash_score"] == 16
    assert {result["criterion"] for result in submitted["decision"]["results"]} >= {
        "visible_high_risk",
        "professional_judgement",
    }
    refused = _put(api, data["id"], "victim", VICTIM)
    assert refused.status_code == 409
    assert refused.json() == {"error": "This referral has been submitted and can no longer be changed"}


def test_a_stale_version_is_refused_and_nothing_is_saved(api, draft):
    stale = draft["version"]
    _put(api, draft["id"], "victim", VICTIM, version=stale)
    for response in (
        _put(api, draft["id"], "victim", {**VICTIM, "given_name": "Changed"}, version=stale),
        _put(api, draft["id"], "victim", {**VICTIM, "given_name": "Changed", "version": stale}),
        _put(api, draft["id"], "children", [CHILD], version=stale),
        _submit(api, draft["id"], version=stale),
    ):
        assert response.status_code == 409
        assert "saved somewhere else" in response.json()["error"]
    referral = Referral.objects.get(pk=draft["id"])
    assert referral.content == {"victim": VICTIM} and referral.version == stale + 1


def test_a_section_saved_without_a_version_is_refused_and_nothing_is_saved(api, draft):
    url = f"/api/v1/referrals/{draft['id']}/sections/about"
    neither = api.put(url, json.dumps(ABOUT), content_type="application/json")
    anything = api.put(url, json.dumps(ABOUT), content_type="application/json", headers={"If-Match": "*"})
    a_list = _put(api, draft["id"], "children", [CHILD], version=None)

    assert neither.status_code == 422 and list(neither.json()["errors"]) == ["body.version"]
    assert anything.status_code == 400
    assert anything.json() == {"error": 'If-Match must be the version your change is based on, for example "7"'}
    assert a_list.status_code == 422 and list(a_list.json()["errors"]) == ["body.version"]
    assert Referral.objects.get(pk=draft["id"]).content == {}


def test_if_match_and_the_body_s_version_must_agree(api, draft):
    disagree = _put(api, draft["id"], "about", {**ABOUT, "version": draft["version"]}, version=draft["version"] + 1)
    not_a_number = _put(api, draft["id"], "about", {**ABOUT, "version": "seven"}, version=None)
    agree = _put(api, draft["id"], "about", {**ABOUT, "version": draft["version"]}, version=draft["version"])

    assert disagree.status_code == 400
    assert (
        f"If-Match says version {draft['version'] + 1} but the body says {draft['version']}"
        in (disagree.json()["error"])
    )
    assert not_a_number.status_code == 422 and list(not_a_number.json()["errors"]) == ["body.version"]
    assert agree.status_code == 200


def test_a_referral_is_submitted_only_with_the_version_checked(api):
    data = _create(api, COMPLETE).json()
    url = f"/api/v1/referrals/{data['id']}/submit"

    neither = api.post(url, "", content_type="application/json")
    anything = api.post(url, "", content_type="application/json", headers={"If-Match": "*"})
    disagree = api.post(url, {"version": 20}, content_type="application/json", headers={"If-Match": '"21"'})

    assert neither.status_code == 422 and list(neither.json()["errors"]) == ["body.version"]
    assert (anything.status_code, disagree.status_code) == (400, 400)
    assert Referral.objects.get(pk=data["id"]).status == ReferralStatus.DRAFT
    assert _submit(api, data["id"], version=None).status_code == 422
    assert (
        api.post(url, "", content_type="application/json", headers={"If-Match": f'"{data["version"]}"'}).json()[
            "status"
        ]
        == ReferralStatus.SUBMITTED
    )


def test_malformed_json_is_refused_as_anywhere_in_the_api(api, draft):
    url = f"/api/v1/referrals/{draft['id']}/sections/victim"
    response = api.put(url, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("The body is not valid JSON")
    assert Referral.objects.get(pk=draft["id"]).content == {}


def test_a_body_that_is_not_json_is_refused(api, draft):
    response = api.put(f"/api/v1/referrals/{draft['id']}/sections/victim", "given_name=x", content_type="text/plain")
    assert response.status_code == 415


def test_a_body_over_a_megabyte_is_refused(api, draft):
    response = _put(api, draft["id"], "about", {**ABOUT, "background": "x" * MAX_BODY_BYTES})
    assert response.status_code == 413
    assert Referral.objects.get(pk=draft["id"]).content == {}


def test_an_unknown_section_or_method_is_refused(api, draft):
    assert _put(api, draft["id"], "nonsense", {}).status_code == 404
    response = api.patch(f"/api/v1/referrals/{draft['id']}")
    assert response.status_code == 405
    assert sorted(method.strip() for method in response["Allow"].split(",")) == ["DELETE", "GET"]


def test_anonymous_callers_get_401_not_a_redirect(client, draft):
    for response in (client.get("/api/v1/referrals"), client.get(f"/api/v1/referrals/{draft['id']}")):
        assert response.status_code == 401
        assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
        assert response.json() == {"error": SIGN_IN_MESSAGE}


def test_nobody_outside_need_to_know_learns_a_referral_exists(client_for, marac, draft, coordinator, outsider):
    someone = client_for(grant(_another_referrer(marac), marac, Role.REFERRER))
    missing = draft["id"] + 1000
    for client in (client_for(outsider), client_for(coordinator), someone):
        for response in (
            client.get(f"/api/v1/referrals/{draft['id']}"),
            _put(client, draft["id"], "victim", VICTIM, version=draft["version"]),
            _submit(client, draft["id"], version=draft["version"]),
            client.delete(f"/api/v1/referrals/{draft['id']}"),
            client.get(f"/api/v1/referrals/{missing}"),
        ):
            assert response.status_code == 404
            assert response.json() == {"error": "Not found"}
    assert Referral.objects.get(pk=draft["id"]).content == {}


def test_the_referrer_deletes_a_draft_with_everything_in_it(api, draft):
    _put(api, draft["id"], "victim", VICTIM)
    response = api.delete(f"/api/v1/referrals/{draft['id']}")
    assert response.status_code == 204 and response.content == b""
    assert not Referral.objects.filter(pk=draft["id"]).exists()
    assert api.get(f"/api/v1/referrals/{draft['id']}").status_code == 404
    deleted = AuditEvent.objects.get(object_id=str(draft["id"]), action="delete")
    assert deleted.summary == f"Deleted draft referral {draft['id']}, never submitted"


def test_a_draft_saved_since_the_version_sent_is_not_deleted(api, draft):
    _put(api, draft["id"], "victim", VICTIM, version=draft["version"])
    response = api.delete(f"/api/v1/referrals/{draft['id']}", headers={"If-Match": f'"{draft["version"]}"'})
    assert response.status_code == 409 and "saved somewhere else" in response.json()["error"]
    assert Referral.objects.get(pk=draft["id"]).content == {"victim": VICTIM}


def test_a_submitted_referral_cannot_be_deleted(api):
    data = _create(api, COMPLETE).json()
    _submit(api, data["id"], version=data["version"])
    response = api.delete(f"/api/v1/referrals/{data['id']}")
    assert response.status_code == 409
    assert response.json()["error"].startswith("This referral has been submitted: it is the MARAC's record")
    assert Referral.objects.get(pk=data["id"]).status == ReferralStatus.SUBMITTED


def test_a_user_without_the_permission_gets_404(client_for, board_viewer):
    response = _create(client_for(board_viewer), {"victim": VICTIM})
    assert response.status_code == 404 and response.json() == {"error": "Not found"}
    assert not Referral.objects.exists()


def test_csrf_protection_applies_to_session_calls(referrer):
    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    client.force_login(referrer)
    assert _create(client, {"victim": VICTIM}).status_code == 403
    assert not Referral.objects.exists()


def _accepted(api, coordinator):
    data = _create(api, COMPLETE).json()
    _submit(api, data["id"])
    return decisions.referral_accept(referral=Referral.objects.get(pk=data["id"]), by=coordinator)


def test_an_accepted_referral_links_to_its_case(api, coordinator):
    referral = _accepted(api, coordinator)

    data = api.get(f"/api/v1/referrals/{referral.pk}").json()

    assert data["status"] == ReferralStatus.ACCEPTED
    assert data["case"] == {
        "id": referral.case_id,
        "reference": referral.case.reference,
        "url": f"/api/v1/cases/{referral.case_id}",
    }
    assert api.get(data["case"]["url"]).status_code == 200  # the case endpoint lets them see what the link names


def test_a_referral_not_yet_accepted_has_no_case(api, draft):
    assert api.get(f"/api/v1/referrals/{draft['id']}").json()["case"] is None


def test_a_case_the_referrer_may_not_see_is_not_linked_or_mentioned(api, coordinator, chair):
    referral = _accepted(api, coordinator)
    case = referral.case
    case.restricted = True  # open only to the people named on it, and the referrer is not
    case.save()
    CaseRestriction.objects.create(case=case, user=chair, added_by=chair)

    data = api.get(f"/api/v1/referrals/{referral.pk}").json()

    assert data["case"] is None
    assert case.reference not in json.dumps(data)
    assert api.get(f"/api/v1/cases/{case.pk}").status_code == 404  # as the case endpoint answers


def test_the_schema_describes_the_case_of_an_accepted_referral(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    case = schemas["ReferralOut"]["properties"]["case"]
    assert "Once accepted" in case["description"]
    assert set(schemas["ReferralCase"]["properties"]) == {"id", "reference", "url"}
