"""The widgets made in Python (web/widget_html.py) give exactly what Django's widget templates give."""

import datetime
from typing import Any

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from web.forms import DateInput, GovukFormRenderer
from web.widget_html import escaped_text, widget_html

RENDERER = GovukFormRenderer()


def _both(widget: forms.Widget, value: Any, attrs: dict[str, Any] | None = None) -> tuple[str, str | None]:
    context = widget.get_context("field_name", value, attrs)
    by_template = super(GovukFormRenderer, RENDERER).render(widget.template_name, context)
    return by_template, widget_html(widget.template_name, context)


ATTRS = [
    None,
    {"class": "govuk-input govuk-input--error", "aria-describedby": "id_x-hint id_x-error", "aria-invalid": "true"},
    {"required": True, "disabled": False, "maxlength": 10, "data-note": None, "title": 'a "quoted" <b>&'},
    {"title": mark_safe("<em>already safe</em>"), "rows": 4, "data-tuple": (1, 2)},
]

VALUES = [None, "", "plain", 'a "quote" & <tag>', mark_safe("<i>safe</i>"), 0, 12.5, "line one\nline two"]

WIDGETS = [
    forms.TextInput(),
    forms.Textarea(attrs={"rows": 4}),
    forms.HiddenInput(),
    forms.NumberInput(),
    forms.EmailInput(),
    forms.PasswordInput(render_value=True),
    forms.URLInput(),
    forms.CheckboxInput(),
    DateInput(),
]


def test_inputs_and_text_areas_match_the_templates_for_every_value_and_attribute():
    for widget in WIDGETS:
        for value in VALUES:
            for attrs in ATTRS:
                by_template, by_python = _both(widget, value, attrs)
                assert by_python == by_template, (type(widget).__name__, value, attrs)


def test_a_date_field_matches_the_template():
    for widget in (DateInput(), forms.DateInput(), forms.DateInput(format="%d/%m/%Y")):
        by_template, by_python = _both(widget, datetime.date(2026, 11, 24))
        assert by_python == by_template


CHOICES: list[Any] = [
    ("", "Choose one"),
    ("a", "A & B"),
    ("<x>", 'Label with "quotes"'),
    (3, "Three"),
    ("lazy", gettext_lazy("Yes")),
    ("Group <one>", [("g1", "First"), ("g2", "Second")]),
]


def test_selects_match_the_template_with_groups_choices_and_selected_values():
    cases = [
        (forms.Select(choices=CHOICES), (None, "", "a", "<x>", 3, "g2", "unknown")),
        (forms.SelectMultiple(choices=CHOICES), (None, ["a", "g1"], ["<x>"])),
        (forms.NullBooleanSelect(), (None, True, False, "unknown")),
    ]
    for widget, values in cases:
        for value in values:
            for attrs in ATTRS:
                by_template, by_python = _both(widget, value, attrs)
                assert by_python == by_template, (type(widget).__name__, value, attrs)


def test_labels_the_template_engine_would_localise_are_left_to_it():
    widget = forms.Select(choices=[("d", datetime.date(2026, 11, 24))])
    by_template, by_python = _both(widget, "d")
    assert by_python is None
    assert "<option" in by_template


def test_other_widgets_are_left_to_the_templates():
    widget = forms.RadioSelect(choices=[("a", "A")])
    assert widget_html(widget.template_name, widget.get_context("n", "a", None)) is None
    assert widget_html("django/forms/widgets/text.html", {"widget": "not a widget"}) is None


@given(st.text(), st.text(), st.text())
def test_any_text_is_escaped_as_the_template_escapes_it(value, label, title):
    for widget in (forms.TextInput(), forms.Textarea(), forms.Select(choices=[(value, label), ("other", title)])):
        by_template, by_python = _both(widget, value, {"title": title})
        assert by_python == by_template


def test_no_project_template_overrides_a_widget_made_in_python():
    # An override would be silently skipped by the renderer (web/widget_html.py): take its name out there first.
    from django.conf import settings

    from web.widget_html import FAST_WIDGET_TEMPLATES

    for folder in settings.TEMPLATES[0]["DIRS"]:
        for name in FAST_WIDGET_TEMPLATES:
            assert not (folder / name).exists(), name


@given(st.text() | st.text(alphabet="&<>\"'ab "))
def test_plain_text_is_escaped_as_django_escapes_it(text):
    assert escaped_text(text) == escape(text)
