"""The risk checklist through the API: a referral names the checklist (and version) its risk section is answered on,
and the checklist's questions come with the field and the answers the risk page takes for each."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from referrals.instrument_services import ensure_shipped_instruments, instrument_load
from referrals.models import RiskInstrument
from referrals.tests.test_api import COMPLETE, _create, _put, _submit
from referrals.tests.test_referral_pages import VICTIM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shipped():
    ensure_shipped_instruments()  # as test_instruments.py: an earlier transactional test may have emptied the table


@pytest.fixture
def api(client_for, referrer):
    return client_for(referrer)


def _aged(years: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=365 * years + 100)).isoformat()


def test_a_draft_names_the_checklist_its_risk_page_asks_and_its_questions_are_the_page_s(api):
    referral = _create(api, {"victim": VICTIM}).json()

    instrument = referral["instrument"]
    questions = api.get(instrument["url"]).json()["questions"]
    page = api.get(f"/referrals/{referral['id']}/risk/").content.decode()

    assert (instrument["code"], instrument["version"]) == ("dash_ric", 1)
    assert len(questions) == 24
    for question in questions:
        assert escape(question["text"]) in page, question["number"]
        assert f'name="{question["field"]}"' in page and f'name="{question["comment_field"]}"' in page
    assert questions[0]["field"] == "q1" and questions[0]["comment_field"] == "q1_comment"
    assert questions[0]["answers"] == [
        {"value": "yes", "words": "Yes"},
        {"value": "no", "words": "No"},
        {"value": "not_known", "words": "Not known"},
    ]
    assert questions[0]["required"] is True and questions[0]["comment_max_length"] == 1000


def test_answers_mapped_from_the_checklist_s_fields_and_values_are_taken(api):
    referral = _create(api, {"victim": VICTIM}).json()
    questions = api.get(referral["instrument"]["url"]).json()["questions"]
    answers = {question["field"]: question["answers"][0]["value"] for question in questions}
    comments = {questions[0]["comment_field"]: "Bruising to the arm, seen by the officer"}

    saved = _put(api, referral["id"], "risk", answers | comments).json()

    assert saved["errors"] == {} and "risk" not in saved["problems"]


def test_a_16_year_old_victim_s_referral_names_the_young_people_s_checklist(api):
    referral = _create(api, {"victim": {**VICTIM, "date_of_birth": _aged(16)}}).json()

    assert referral["instrument"]["code"] == "young_peoples_dash"
    young = api.get(referral["instrument"]["url"]).json()
    assert young["used_for"] == "Victims aged 16 and 17"
    assert young["questions"][0]["text"] == "Were you hurt in the latest incident?"


def test_the_list_gives_the_current_version_of_each_checklist(api):
    page = api.get("/api/v1/referrals/instruments").json()

    assert page["count"] == 2
    assert [(item["code"], item["used_for"]) for item in page["items"]] == [
        ("dash_ric", "Victims aged 18 and over"),
        ("young_peoples_dash", "Victims aged 16 and 17"),
    ]
    assert all(item["is_current"] and len(item["questions"]) == 24 for item in page["items"])
    assert "not the official wording" in page["items"][0]["wording_note"]


def test_a_submitted_referral_keeps_the_version_it_was_answered_on(api, administrator):
    submitted = _create(api, COMPLETE).json()
    _submit(api, submitted["id"])
    licensed = [f"Licensed question {number}" for number in range(1, 25)]
    instrument_load(document={"code": "dash_ric", "questions": licensed}, by=administrator)

    kept = api.get(f"/api/v1/referrals/{submitted['id']}").json()["instrument"]
    new = _create(api, {"victim": VICTIM}).json()["instrument"]

    assert (kept["version"], new["version"]) == (1, 2)
    old = api.get(kept["url"]).json()
    assert old["is_current"] is False and old["questions"][0]["text"] == "Was the victim hurt in the latest incident?"
    assert api.get(new["url"]).json()["questions"][0]["text"] == "Licensed question 1"
    current = api.get("/api/v1/referrals/instruments").json()["items"]
    assert [item["version"] for item in current if item["code"] == "dash_ric"] == [2]


def test_only_those_who_make_referrals_read_the_checklists(client, client_for, outsider, board_viewer, api):
    instrument = RiskInstrument.objects.filter(code="dash_ric").first()
    urls = ["/api/v1/referrals/instruments", f"/api/v1/referrals/instruments/{instrument.pk}"]

    for url in urls:
        assert api.get(url).status_code == 200
        assert client.get(url).status_code == 401
        assert client_for(board_viewer).get(url).status_code == 404
    assert client_for(outsider).get(urls[1]).status_code == 200  # another MARAC's: a checklist holds no case data
    assert api.get("/api/v1/referrals/instruments/999999").json() == {"error": "Not found"}


def test_the_schema_describes_the_referral_s_checklist_and_the_checklist_operations(client):
    served = client.get("/api/v1/openapi.json").json()
    schemas = served["components"]["schemas"]

    assert "instrument" in schemas["ReferralOut"]["required"]
    assert {"code", "version", "url"} <= set(schemas["ReferralInstrument"]["properties"])
    assert {"field", "answers", "comment_field"} <= set(schemas["InstrumentQuestion"]["properties"])
    assert "/api/v1/referrals/instruments" in served["paths"]
    assert "/api/v1/referrals/instruments/{instrument_id}" in served["paths"]
