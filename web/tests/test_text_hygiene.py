"""Free text is cleaned the same way everywhere (web/text.py): in every form, in every API text and in every Word
document. And every form of the project speaks GOV.UK, not Django's generic English, when input is wrong."""

import io
import json
import re
from typing import Any

import pytest
from django import forms
from docx import Document
from hypothesis import given
from hypothesis import strategies as st
from ninja import Schema

from api.core import LongText, Text
from web.forms import specific_message
from web.tests.project_forms import build, buildable_form_classes
from web.text import LONG_TEXT_MAX, clean_text, docx_text

# --- The cleaning rule ----------------------------------------------------------------------------------------------

EXAMPLES = [
    ("Threats at the gate\x0bSeen twice", "Threats at the gate\nSeen twice"),  # Word's line break
    ("Page one\x0cPage two", "Page one\nPage two"),  # Word's page break
    ("no\x00nul", "nonul"),
    ("bell\x07 escape\x1b delete\x7f", "bell escape delete"),
    ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
    ("not\ufffe a\uffff character", "not a character"),
    ("lone \ud800surrogate", "lone surrogate"),
    ("Zoë\u2019s café 🏠 ✔", "Zoë\u2019s café 🏠 ✔"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "cleaned"), EXAMPLES)
def test_worked_examples(text, cleaned):
    assert clean_text(text) == cleaned


def test_a_document_gets_one_line_break_for_a_windows_line_ending():
    assert docx_text("one\r\ntwo\x0bthree") == "one\ntwo\nthree"


def _xml_char(character: str) -> bool:
    code = ord(character)
    return character in "\t\n\r" or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


# Every code point, surrogates and non-characters included.
ANY_TEXT = st.text(st.characters(exclude_categories=()))
# What people type: letters, accents, emoji, punctuation, tabs and new lines, but no control characters.
ORDINARY_TEXT = st.text(
    st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff") | st.sampled_from("\t\n\r")
)


@given(ANY_TEXT)
def test_cleaned_text_never_holds_a_character_xml_cannot(text):
    cleaned = clean_text(text)
    assert all(_xml_char(character) and character != "\x7f" for character in cleaned)
    assert clean_text(cleaned) == cleaned
    # And python-docx takes it, as every builder writes it.
    document = Document()
    document.add_paragraph(docx_text(text))
    document.save(io.BytesIO())


@given(ORDINARY_TEXT)
def test_ordinary_text_is_unchanged(text):
    assert clean_text(text) == text


@given(ANY_TEXT)
def test_it_only_ever_removes_characters_or_turns_breaks_into_line_feeds(text):
    cleaned = clean_text(text)
    assert len(cleaned) == len(text) - sum(not _xml_char(c) or c == "\x7f" for c in text if c not in "\x0b\x0c")


# --- The API's text -------------------------------------------------------------------------------------------------


class Sent(Schema):
    note: Text = ""
    long: LongText = ""


def test_the_api_cleans_text_as_the_forms_do():
    # django-ninja reads a body with json.loads, which lets an unpaired surrogate through.
    sent = Sent.model_validate(json.loads('{"note": "a\\u000bb\\u0000c\\ud800", "long": "x\\u000cy\\u0001"}'))
    assert (sent.note, sent.long) == ("a\nbc", "x\ny")


def test_the_api_publishes_the_limit_on_long_text():
    assert Sent.model_json_schema()["properties"]["long"]["maxLength"] == LONG_TEXT_MAX


# --- Every form: cleaned input and specific messages ----------------------------------------------------------------

# Django's default English messages, whatever the values in them.
DJANGO_DEFAULTS = re.compile(
    r"Ensure this|This field|Select a valid choice|is not one of the available choices|Enter a valid|"
    r"Null characters|Enter a whole number|Enter a number|Enter a list of values|is not a valid|"
    r"No file was submitted|The submitted file is empty|cannot be blank|cannot be null|already exists"
)

FORM_CLASSES = buildable_form_classes()


def _bad_value(field: forms.Field) -> Any:
    """A value the field refuses: too long, not a choice, not a real date, out of range."""
    if isinstance(field, forms.FileField):
        return None
    if isinstance(field, forms.MultipleChoiceField):
        return ["not-a-choice"]
    if isinstance(field, forms.ChoiceField):
        return "not-a-choice"
    if isinstance(field, forms.DateTimeField | forms.DateField):
        return "2026-02-31"
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return str(10**30)
    return "x" * ((getattr(field, "max_length", None) or LONG_TEXT_MAX) + 1)


def _messages(form: forms.BaseForm) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


def _submitted(cls: type[forms.BaseForm], arguments: dict[str, Any], data: dict[str, Any]) -> forms.BaseForm:
    form = build(cls, arguments, data=data, files={})
    form.is_valid()
    return form


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_no_form_shows_django_s_generic_messages(cls, arguments):
    unbound = build(cls, arguments)
    bad: dict[str, Any] = {}
    for name, field in unbound.fields.items():
        value = _bad_value(field)
        if value is not None:
            bad[unbound.add_prefix(name)] = value
    for data in ({}, bad, {key: "-1" for key in bad}, {key: "" for key in bad}):
        messages = _messages(_submitted(cls, arguments, data))
        generic = [message for message in messages if DJANGO_DEFAULTS.search(message)]
        assert not generic, f"{cls.__qualname__} with {sorted(data)[:3]}: {generic}"


def test_the_walk_covers_the_project_s_forms():
    names = {cls.__qualname__ for cls in FORM_CLASSES}
    assert {"MinuteForm", "ResearchForm", "VictimVoiceForm", "ActionDoneForm", "BoardReportForm"} <= names


@pytest.mark.django_db
def test_every_text_field_of_every_form_is_cleaned(arguments):
    checked = 0
    for cls in FORM_CLASSES:
        unbound = build(cls, arguments)
        for name, field in unbound.fields.items():
            if type(field) is forms.CharField and not isinstance(field.widget, forms.PasswordInput):
                form = _submitted(cls, arguments, {unbound.add_prefix(name): "one\x0btwo\x00\x01"})
                assert form[name].data == "one\ntwo", f"{cls.__qualname__}.{name}"
                checked += 1
    assert checked > 20


class Example(forms.Form):
    reason = forms.CharField(label="Reason", max_length=10)
    agency = forms.ChoiceField(label="Agency", choices=[("a", "A")])
    known = forms.ChoiceField(label="Is the family known?", choices=[("y", "Yes")], widget=forms.RadioSelect)
    marac = forms.ChoiceField(label="MARAC", choices=[("m", "M")])
    day = forms.DateField(label="Date of referral")
    count = forms.IntegerField(label="Number of children", min_value=0, max_value=20)
    rate = forms.DecimalField(label="Rate", required=False)
    own = forms.CharField(label="Own", error_messages={"required": "Say what you own"})


def test_messages_name_the_field_in_govuk_style():
    form = Example({"reason": "x" * 11, "agency": "z", "known": "z", "day": "2026-02-31", "count": "-1", "rate": "q"})
    assert form.errors == {
        "reason": ["Reason must be 10 characters or fewer"],
        "agency": ["Select agency from the list"],
        "known": ["Select an option from the list"],
        "marac": ["Select MARAC"],
        "day": ["Enter a real date"],
        "count": ["Number of children must be 0 or more"],
        "rate": ["Rate must be a number"],
        "own": ["Say what you own"],
    }
    form = Example({"reason": "", "count": "21"})
    assert form.errors["reason"] == ["Enter reason"]
    assert form.errors["known"] == ["Select an answer"]
    assert form.errors["day"] == ["Enter date of referral"]
    assert form.errors["count"] == ["Number of children must be 20 or less"]


def test_a_limit_reads_with_thousands_separated():
    error = forms.ValidationError("x", code="max_length", params={"limit_value": 20_000})
    assert specific_message(forms.CharField(), "Risks", error) == "Risks must be 20,000 characters or fewer"


def test_messages_a_form_sets_itself_are_kept():
    from meetings.research_forms import ResearchForm

    form = ResearchForm({"version": "0"}, research=None, is_csc=False)
    assert form.errors["known_to_agency"] == ["Say whether the family is known to your agency"]
