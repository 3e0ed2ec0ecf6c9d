"""No form of the project offers a blank choice ("- Select an option -") as a radio button: a radio button
for "no answer" is ticked before anyone chooses, and reads as an answer. A select may have one; radios may not."""

import pytest
from django import forms

from web.tests.project_forms import build, buildable_form_classes


def _blank_radios(form: forms.BaseForm) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.RadioSelect)
        and not isinstance(field.widget, forms.CheckboxSelectMultiple)
        and any(value in ("", None) for value, _label in getattr(field, "choices", []))
    ]


@pytest.mark.django_db
def test_it_offers_no_blank_radio_button_on_any_form_of_the_project(arguments):
    found = {
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in buildable_form_classes()
        for name in _blank_radios(build(cls, arguments))
    }
    assert not found, sorted(found)
