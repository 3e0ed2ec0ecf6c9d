import json

import pytest
from django.core.management import CommandError, call_command

from referrals.instrument_services import ensure_shipped_instruments
from referrals.models import RiskInstrument

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shipped():
    # A migration puts the shipped checklists in; a transactional test run earlier in the same process empties the
    # database when it ends, and the app puts them back when a referral first needs one, as this does.
    ensure_shipped_instruments()


def test_it_ships_its_own_paraphrase_of_both_checklists_clearly_labelled():
    for code in ("dash_ric", "young_peoples_dash"):
        instrument = RiskInstrument.objects.get(code=code, is_current=True)
        assert instrument.question_count == 24
        assert "paraphrase" in instrument.title.lower()
        assert "not the official wording" in instrument.wording_note


def test_an_administrator_loads_licensed_wording_as_a_new_version(tmp_path):
    path = tmp_path / "licensed.json"
    questions = [f"Licensed question {number}" for number in range(1, 25)]
    path.write_text(json.dumps({"code": "dash_ric", "title": "DASH RIC (licensed)", "questions": questions}))
    call_command("instrument_load", str(path))
    current = RiskInstrument.objects.get(code="dash_ric", is_current=True)
    assert current.version == 2
    assert current.questions[0] == {"number": 1, "text": "Licensed question 1"}
    assert RiskInstrument.objects.filter(code="dash_ric", version=1, is_current=False).exists()


def test_a_version_with_a_different_number_of_questions_is_refused(tmp_path):
    path = tmp_path / "short.json"
    path.write_text(json.dumps({"code": "dash_ric", "questions": ["Only one question"]}))
    with pytest.raises(CommandError, match="must keep the same questions"):
        call_command("instrument_load", str(path))
    assert RiskInstrument.objects.filter(code="dash_ric").count() == 1
