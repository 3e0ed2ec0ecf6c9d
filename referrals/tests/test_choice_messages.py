"""Error messages made from labels read as GOV.UK sentences: "Select if they have a disability", never "Select do
they have a disability?"; "Select MARACs from the list", never "Select mARACs"; "Enter the date the audit was carried
out", never "Enter carried out on". Checked on every field of every form of the project, as the referral's browser
pages and its API (which runs the same forms) give them."""

import re
from typing import Any

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from referrals.forms import VictimForm, risk_form_class
from web.forms import if_clause, lower_first, select_message, specific_message
from web.tests.project_forms import build, buildable_form_classes, form_arguments

FORM_CLASSES = buildable_form_classes()

# Sentences a label turned into a message must never make.
WRONG = {
    "a question after Select or Enter": re.compile(
        r"^(Select|Enter) (do|does|did|is|are|was|were|can|could|will|would|has|have|had|should) ", re.IGNORECASE
    ),
    # "Select how did the referral arise", "Select what was it": the question's order kept after "how" or "what".
    "a question's order after how or what": re.compile(
        r"^(Select|Enter) (how|what|who|why|when|where) (do|does|did|is|are|was|were) (it|they|she|he|you|the)\b",
        re.IGNORECASE,
    ),
    "a question mark inside a message": re.compile(r"\?."),
    "a question mark ending Select or Enter": re.compile(r"^(Select|Enter) .*\?$"),
    "a date label as it stands": re.compile(r"^Enter (?!the |a |an )[a-z][a-z ]* (on|by|from|to)$"),
    "a lower-cased acronym": re.compile(r"\b[a-z][A-Z]{2,}"),
    "a label's aside": re.compile(r"^(Select|Enter) .*\((for |if |optional|1 strongly)"),
    "the same word twice": re.compile(r"\b(\w{3,})\W+\1\b", re.IGNORECASE),
}


def _wrong(message: str) -> list[str]:
    return [name for name, pattern in WRONG.items() if pattern.search(message)]


@pytest.fixture
def arguments(marac, coordinator, idva) -> dict[str, Any]:
    return form_arguments(marac, coordinator, idva)


def _bad_value(field: forms.Field) -> Any:
    if isinstance(field, forms.FileField):
        return None
    if isinstance(field, forms.MultipleChoiceField):
        return ["not-a-choice"]
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "not-a-choice"
    if isinstance(field, forms.DateField):
        return "2026-02-31"
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return str(10**30)
    return "x" * ((getattr(field, "max_length", None) or 20_000) + 1)


def _messages_of(cls: type[forms.BaseForm], arguments: dict[str, Any]) -> set[str]:
    """Every message the form shows: submitted empty, with a wrong value in every field, and every message its
    fields carry for a missing or wrong answer."""
    unbound = build(cls, arguments)
    found: set[str] = set()
    for field in unbound.fields.values():
        for code in ("required", "invalid_choice", "invalid"):
            message = field.error_messages.get(code)
            if message and "%(" not in str(message):
                found.add(str(message))
    bad = {unbound.add_prefix(name): value for name, field in unbound.fields.items() if (value := _bad_value(field))}
    for data in ({}, bad):
        form = build(cls, arguments, data=data, files={})
        form.is_valid()
        found.update(str(message) for messages in form.errors.values() for message in messages)
    return found


@pytest.mark.django_db
def test_no_message_on_any_form_is_a_label_read_out_wrongly(arguments):
    from web.forms import _django_messages

    wrong: list[str] = []
    checked = 0
    for cls in FORM_CLASSES:
        for message in _messages_of(cls, arguments):
            if message in _django_messages():
                continue  # Django's own, replaced when shown (web/tests/test_text_hygiene.py holds that)
            checked += 1
            wrong += [f"{cls.__module__}.{cls.__qualname__}: {message!r} ({why})" for why in _wrong(message)]
    assert not wrong, "\n".join(sorted(wrong))
    assert checked > 300


@pytest.mark.django_db
def test_the_risk_checklist_says_which_question_needs_an_answer():
    form_class = risk_form_class([{"number": 3, "text": "Is the victim very frightened?"}])
    assert form_class({}).errors["q3"] == ["Answer question 3: yes, no or not known"]
    assert form_class({"q3": "perhaps"}).errors["q3"] == ["Answer question 3: yes, no or not known"]


def test_the_victim_s_questions_read_as_gov_uk_messages():
    errors = VictimForm({}).errors
    assert errors["has_disability"] == ["Select if they have a disability"]
    assert errors["needs_interpreter"] == ["Select if they need an interpreter"]
    assert errors["safe_to_post"] == ["Select if it is safe to send letters to this address"]
    # A wrong answer (a tampered form, or the API) gets the same words.
    wrong = VictimForm({"has_disability": "maybe", "safe_to_post": "perhaps"}).errors
    assert wrong["has_disability"] == ["Select if they have a disability"]
    assert wrong["safe_to_post"] == ["Select if it is safe to send letters to this address"]


@pytest.mark.django_db
def test_the_reviewer_s_examples(arguments):
    from reports.forms import ReportForm
    from reports.quality_forms import QualityAuditForm

    audit = build(QualityAuditForm, arguments, data={"version": "1"})
    assert audit.errors["carried_out_on"] == ["Enter the date the audit was carried out"]
    report = ReportForm({"marac": ["999999"]}, maracs=[(1, "Northbrook MARAC")])
    assert report.errors["marac"] == ["Select MARACs from the list"]


# --- The rule ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Do they have a disability?", "Select if they have a disability"),
        ("Do they need an interpreter?", "Select if they need an interpreter"),
        ("Is it safe to send letters to this address?", "Select if it is safe to send letters to this address"),
        ("Is she pregnant?", "Select if she is pregnant"),
        ("Would it be a crime?", "Select if it would be a crime"),
        ("Are there children in the household?", "Select if there are children in the household"),
        ("Can I share this?", "Select if I can share this"),
        ("Is the family known?", "Select an answer"),  # where "the family" ends cannot be told
        ("What was it?", "Select an answer"),
        ("Gender", "Select gender"),
        ("MARACs", "Select MARACs"),
        ("IDVA service", "Select IDVA service"),
        ("Agency responsible (if known)", "Select agency responsible"),
        ("", "Select an answer"),
    ],
)
def test_worked_examples_of_select_messages(label, message):
    assert select_message(label) == message


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Carried out on", "Enter the date it was carried out"),
        ("Due on", "Enter the date it is due"),
        ("Date of referral", "Enter date of referral"),
        ("The date of the breach", "Enter the date of the breach"),
        ("Plans heard from", "Enter the first date for plans heard"),
    ],
)
def test_worked_examples_of_missing_dates(label, message):
    error = forms.ValidationError("This field is required.", code="required")
    assert specific_message(forms.DateField(), label, error) == message


def test_a_question_s_length_is_the_answer_s():
    error = forms.ValidationError("x", code="max_length", params={"limit_value": 500})
    label = "Why are you opening this restricted case?"
    assert specific_message(forms.CharField(), label, error) == "Your answer must be 500 characters or fewer"


def test_acronyms_keep_their_capitals():
    assert lower_first("MARACs") == "MARACs"
    assert lower_first("MARAC date") == "MARAC date"
    assert lower_first("I agree") == "I agree"
    assert lower_first("Reason") == "reason"
    assert lower_first("VAWG sub group") == "VAWG sub group"


WORD = st.from_regex(r"[A-Za-z][a-z]{0,8}|[A-Z]{2,5}s?", fullmatch=True)


@given(st.lists(WORD, min_size=1, max_size=8), st.booleans())
def test_no_label_makes_a_message_the_walk_rejects(words, question):
    label = " ".join(words) + ("?" if question else "")
    message = select_message(label)
    assert not _wrong(message) or _wrong(message) == ["the same word twice"], (label, message)
    assert not message.endswith("?")
    # Every word with two capitals at its start keeps them.
    for word in words:
        if word[:2].isupper() and word.lower() not in {"do", "is"}:
            assert word in message or message == "Select an answer", (label, message)


@given(st.sampled_from(["Do", "Does", "Did", "Is", "Are", "Can", "Would", "Has"]), st.lists(WORD, max_size=5))
def test_a_yes_or_no_question_never_follows_select_as_a_question(auxiliary, rest):
    for subject in ("they", "she", "it", "you", "the victim"):
        label = " ".join([auxiliary, subject, *rest]) + "?"
        message = select_message(label)
        assert not re.match(rf"Select {auxiliary} ", message, re.IGNORECASE), message
        clause = if_clause(label)
        assert clause is None or message == f"Select if {clause}"
