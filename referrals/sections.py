"""The sections of a referral, in the order a referrer completes them, with the form that validates each."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms

from referrals import forms as referral_forms
from web.dates import spoken


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    form_class: type[forms.Form] | None  # None: the risk checklist, whose form is built from its instrument
    is_list: bool = False
    required: bool = True
    item_name: str = ""


SECTIONS = (
    Section("victim", "The victim", referral_forms.VictimForm),
    Section("children", "Children", referral_forms.ChildForm, is_list=True, required=False, item_name="child"),
    Section("perpetrators", "Perpetrators", referral_forms.PerpetratorForm, is_list=True, item_name="perpetrator"),
    Section("risk", "Risk checklist", None),
    Section(
        "history",
        "Incidents, call-outs and referrals in the last year",
        referral_forms.HistoryEventForm,
        is_list=True,
        required=False,
        item_name="event",
    ),
    Section("criteria", "Other reasons to refer", referral_forms.CriteriaForm, required=False),
    Section("consent", "Consent and telling the victim", referral_forms.ConsentForm),
    Section("about", "Background, risk and outcomes sought", referral_forms.AboutForm),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


def form_for(section: Section, *, data: dict[str, Any] | None, questions: list[dict[str, Any]]) -> forms.Form:
    form_class = section.form_class or referral_forms.risk_form_class(questions)
    return form_class(data=data, prefix=None)


def readable(section: Section, raw: dict[str, Any], *, questions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """What was typed, as the referrer saw it: each field's label and its answer tidied the way the form reads it
    (choices in words, "Yes" or "No" for a tick box, dates as GOV.UK writes them, a postcode in capitals with its
    space). Drafts keep what was typed, so an answer the form does not accept yet is shown as typed."""
    return [(label, words) for _name, label, words in _answers(section, raw, questions=questions)]


def readable_by_name(section: Section, raw: dict[str, Any]) -> dict[str, str]:
    """The answers given, in words as readable() shows them, by field name (for a section with fixed questions)."""
    return {name: words for name, _label, words in _answers(section, raw, questions=[])}


def _answers(section: Section, raw: dict[str, Any], *, questions: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    form = form_for(section, data=raw, questions=questions)
    form.is_valid()  # cleaned_data then holds every field that cleaned, even where others did not
    answers = []
    for name, field in form.fields.items():
        value = raw.get(name)
        if value in (None, "", []):
            continue
        words = _words(field, form.cleaned_data[name]) if name in form.cleaned_data else _as_typed(field, value)
        if words:
            answers.append((name, str(field.label), words))
    return answers


def _words(field: forms.Field, value: Any) -> str:
    """An answer as its form cleaned it, in words."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return spoken(value)
    return _choice_words(field, value if isinstance(value, list) else [value])


def _as_typed(field: forms.Field, value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    return _date_words(field, value) or _choice_words(field, values)


def _choice_words(field: forms.Field, values: list[Any]) -> str:
    choices = dict(getattr(field, "choices", []) or [])
    return ", ".join(str(choices.get(item, item)) for item in values)


def urgency_reason(criteria: dict[str, Any] | None) -> str:
    """Why the referrer said the referral cannot wait for the next meeting, as the criteria form reads the section;
    "" when they did not mark it urgent."""
    form = form_for(SECTIONS_BY_SLUG["criteria"], data=criteria or {}, questions=[])
    form.is_valid()
    if not form.cleaned_data.get("urgent"):
        return ""
    reason = form.cleaned_data.get("urgency_reason") or str((criteria or {}).get("urgency_reason", ""))
    return reason.strip() or "No reason given"


def _date_words(field: forms.Field, value: Any) -> str:
    """A date as GOV.UK writes it ("27 March 1990"), read the way its form reads it; "" when not a date field or
    not a real date, so what was typed is shown as typed."""
    if not isinstance(field, forms.DateField):
        return ""
    try:
        day = field.to_python(value)
    except forms.ValidationError:
        return ""
    return spoken(day) if day else ""
