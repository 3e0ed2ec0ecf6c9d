"""What the served schema says of a referral's sections, held to what the server does with them: the fields, their
choices and limits are the page's forms', and a body of the wrong shape is invalid input (422), said where."""

import jsonschema_rs
import pytest

from referrals.models import Referral, ReferralStatus
from referrals.sections import SECTIONS
from referrals.tests.test_api import COMPLETE, _create, _put, _submit
from referrals.tests.test_referral_pages import ABOUT, VICTIM

pytestmark = pytest.mark.django_db

VALUE_MESSAGE = "Must be text, a number, true, false or null"


@pytest.fixture
def api(client_for, referrer):
    return client_for(referrer)


@pytest.fixture
def draft(api):
    return _create(api).json()


@pytest.fixture
def served(client):
    return client.get("/api/v1/openapi.json").json()


def _body_schema(served, path, method):
    return served["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def _followed(served, schema):
    """A schema with its reference to a component followed (and its items', for a list)."""
    if "$ref" in schema:
        return served["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]
    if schema.get("type") == "array":
        return schema | {"items": _followed(served, schema["items"])}
    return schema


def _document_schema(served):
    return _followed(served, _body_schema(served, "/api/v1/referrals", "post"))


def _sections(served):
    return {slug: _followed(served, schema) for slug, schema in _document_schema(served)["properties"].items()}


def _validator(served, schema):
    """A JSON Schema validator for `schema`, whose references are to the served schema's components."""
    root = schema | {"components": served["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


# --- The fields, as the pages' forms have them ----------------------------------------------------------------------


def test_the_schema_names_each_section_s_fields_as_its_page_s_form_does(served):
    sections = _sections(served)
    components = served["components"]["schemas"]
    assert {"ReferralVictim", "ReferralChild", "ReferralRiskChecklist", "ReferralHistoryEvent"} <= set(components)
    for section in SECTIONS:
        if section.form_class is None:
            continue  # the risk checklist, below
        schema = sections[section.slug]
        fields = schema["items"] if section.is_list else schema
        assert set(fields["properties"]) == set(section.form_class().fields) | {"version"}, section.slug
        assert fields["additionalProperties"] is False, section.slug  # a name the form lacks is refused (422)
    risk = set(sections["risk"]["properties"])
    assert risk == {f"q{n}" for n in range(1, 25)} | {f"q{n}_comment" for n in range(1, 25)} | {"version"}


def test_the_schema_gives_each_field_its_type_and_limit(served):
    victim = _sections(served)["victim"]["properties"]
    criteria = _sections(served)["criteria"]["properties"]
    assert victim["given_name"]["type"] == "string" and victim["given_name"]["maxLength"] == 100
    assert victim["date_of_birth"] | {"description": ""} == {"type": "string", "format": "date", "description": ""}
    assert criteria["urgent"]["type"] == ["boolean", "null"]
    assert criteria["automatic"]["type"] == ["array", "null"]
    assert criteria["automatic"]["items"]["enum"] == ["honour_based_abuse", "fgm", "forced_marriage"]
    assert _sections(served)["risk"]["properties"]["q1_comment"]["maxLength"] == 1000


def test_a_gender_in_the_schema_s_enum_is_taken_and_any_other_is_refused(api, served):
    gender = _sections(served)["victim"]["properties"]["gender"]
    assert gender["enum"] == ["female", "male", "non_binary", "other", "not_known"]
    assert gender["x-enum-descriptions"][2] == "Non-binary"  # the choice as the page words it
    assert '"non_binary" (Non-binary)' in gender["description"]

    for value in gender["enum"]:
        taken = _create(api, {**COMPLETE, "victim": {**VICTIM, "gender": value}}).json()
        assert "victim.gender" not in taken["errors"], value
    refused = _create(api, {**COMPLETE, "victim": {**VICTIM, "gender": "woman"}}).json()

    assert refused["errors"]["victim.gender"] == ["Select gender"]  # kept as typed in the draft, and said
    response = _submit(api, refused["id"])
    assert response.status_code == 422
    assert response.json()["problems"]["victim"] == ["Correct the errors in: the victim"]
    assert Referral.objects.get(pk=refused["id"]).status == ReferralStatus.DRAFT


def test_a_text_over_the_schema_s_max_length_is_an_error_and_one_at_it_is_not(api, draft, served):
    limit = _sections(served)["about"]["properties"]["background"]["maxLength"]

    at_limit = _put(api, draft["id"], "about", {**ABOUT, "background": "x" * limit}).json()
    over = _put(api, draft["id"], "about", {**ABOUT, "background": "x" * (limit + 1)}).json()

    assert "about.background" not in at_limit["errors"]
    assert over["errors"]["about.background"] == [f"This must be {limit:,} characters or fewer"]


def test_the_schema_says_what_is_needed_to_submit_with_the_error_that_says_it_is_missing(api, draft, served):
    document = _document_schema(served)
    victim = _sections(served)["victim"]
    assert document["x-required-to-submit"] == ["victim", "perpetrators", "risk", "consent", "about"]
    assert {"given_name", "address_line_1", "postcode"} <= set(victim["x-required-to-submit"])  # clean()'s too
    assert "other_names" not in victim["x-required-to-submit"]
    assert "required" not in victim  # a draft may leave anything out
    assert "null" in victim["properties"]["other_names"]["type"]

    without_address = {name: value for name, value in VICTIM.items() if name != "address_line_1"}
    errors = _put(api, draft["id"], "victim", without_address).json()["errors"]

    assert errors == {"victim.address_line_1": ["Enter the first line of the victim's address"]}
    assert "Enter the first line of the victim's address" in victim["properties"]["address_line_1"]["description"]


def test_a_complete_referral_sent_as_the_schema_describes_it_is_valid_and_submits(api, served):
    document = {
        **COMPLETE,
        "history": [{"happened_on": "2026-01-02", "kind": "incident", "is_crime": "yes", "note": None}],
        "criteria": {"automatic": ["fgm"], "professional_judgement": False, "representative_consulted": None},
    }
    checking = _validator(served, _body_schema(served, "/api/v1/referrals", "post"))
    assert list(checking.iter_errors(document)) == []
    section_body = _validator(served, _body_schema(served, "/api/v1/referrals/{referral_id}/sections/{slug}", "put"))
    for slug, section in document.items():
        assert section_body.is_valid(section), slug
    assert not checking.is_valid({**document, "victim": {**VICTIM, "gender": "woman"}})

    created = _create(api, document).json()

    assert created["errors"] == {} and created["problems"] == {}
    assert _submit(api, created["id"]).json()["status"] == ReferralStatus.SUBMITTED


# --- Bodies of the wrong shape: invalid input, 422, said where ------------------------------------------------------


def _refused(response):
    assert response.status_code == 422
    assert response.json()["error"] == "Nothing was saved: see errors"
    return response.json()["errors"]


def test_a_section_of_the_wrong_shape_is_refused_with_422_saying_where(api, draft):
    assert _refused(_put(api, draft["id"], "victim", ["a list"])) == {
        "body": ["Must be a JSON object: the section's fields by name"]
    }
    assert _refused(_put(api, draft["id"], "children", {"given_name": "Tiny"})) == {
        "body": ["Must be a JSON array, one object for each child"]
    }
    assert _refused(_put(api, draft["id"], "children", [{"given_name": "Tiny"}, "Tiny"])) == {
        "body[1]": ["Must be a JSON object: the child's fields by name"]
    }
    assert _refused(_put(api, draft["id"], "victim", {**VICTIM, "town": {"name": "Nowhereton"}})) == {
        "body.town": [VALUE_MESSAGE]
    }
    assert _refused(_put(api, draft["id"], "criteria", {"automatic": [["fgm"]]})) == {
        "body.automatic[0]": [VALUE_MESSAGE]
    }
    assert Referral.objects.get(pk=draft["id"]).content == {}


def test_an_empty_section_body_is_refused_with_422(api, draft):
    url = f"/api/v1/referrals/{draft['id']}/sections/victim"
    response = api.put(url, "", content_type="application/json", headers={"If-Match": f'"{draft["version"]}"'})

    assert _refused(response) == {"body": ["This is required: send the section as JSON"]}


def test_a_new_referral_of_the_wrong_shape_is_refused_naming_every_problem_and_not_started(api):
    assert _refused(_create(api, ["not", "an", "object"])) == {
        "body": [
            "Must be a JSON object: the referral's sections by name (victim, children, perpetrators, risk, history, "
            "criteria, consent, about)"
        ]
    }
    errors = _refused(_create(api, {"victimm": VICTIM, "victim": ["x"], "children": {}, "about": {**ABOUT, "x": 1}}))

    assert errors == {
        "body.victimm": [
            "There is no such section: the sections are victim, children, perpetrators, risk, history, criteria, "
            "consent, about"
        ],
        "body.victim": ["Must be a JSON object: the section's fields by name"],
        "body.children": ["Must be a JSON array, one object for each child"],
    }
    assert not Referral.objects.exists()


def test_every_misspelt_field_of_a_new_referral_is_named_in_one_answer(api):
    errors = _refused(_create(api, {"victim": {**VICTIM, "gendre": "female"}, "about": {**ABOUT, "backgrund": "x"}}))

    assert set(errors) == {"body.victim.gendre", "body.about.backgrund"}
    assert not Referral.objects.exists()


def test_the_schema_declares_each_body_by_name_and_422_for_one_of_the_wrong_shape(served):
    bodies = {
        ("/api/v1/referrals", "post"): "ReferralDocument",
        ("/api/v1/referrals/{referral_id}/sections/{slug}", "put"): "ReferralSection",
    }
    for (path, method), component in bodies.items():
        assert _body_schema(served, path, method) == {"$ref": f"#/components/schemas/{component}"}
        refused = served["paths"][path][method]["responses"]["422"]
        assert refused["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
