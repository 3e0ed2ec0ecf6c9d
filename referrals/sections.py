"""The sections of a referral, in the order a referrer completes them, with the form that validates each."""

from dataclasses import dataclass
from typing import Any

from django import forms

from referrals import forms as referral_forms


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
    """What was typed, as the referrer saw it: each field's label and, for choices, the words chosen."""
    form = form_for(section, data=None, questions=questions)
    rows = []
    for name, field in form.fields.items():
        value = raw.get(name)
        if value in (None, "", []):
            continue
        choices = dict(getattr(field, "choices", []) or [])
        values = value if isinstance(value, list) else [value]
        words = ", ".join(_date_words(field, item) or str(choices.get(item, item)) for item in values)
        rows.append((str(field.label), words))
    return rows


def _date_words(field: forms.Field, value: Any) -> str:
    """A date as GOV.UK writes it ("27 March 1990"), read the way its form reads it; "" when not a date field or
    not a real date, so what was typed is shown as typed."""
    if not isinstance(field, forms.DateField):
        return ""
    try:
        day = field.to_python(value)
    except forms.ValidationError:
        return ""
    return f"{day.day} {day:%B %Y}" if day else ""
