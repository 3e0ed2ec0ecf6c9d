"""The form groups made in Python (web/field_html.py) give exactly what templates/forms/govuk_field.html gives, for
every form of the project and for made-up fields of every kind."""

import datetime
from typing import Any

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from web.field_html import field_html
from web.forms import DateInput, GovukFormRenderer
from web.tests.project_forms import (
    EVERY_KIND_DATA,
    SPECIAL,
    SPECIAL_ERROR,
    EveryKind,
    build,
    buildable_form_classes,
    form_states,
    rendered_templates,
)

RENDERER = GovukFormRenderer()
FIELD_TEMPLATE = GovukFormRenderer.field_template_name


def by_template(field: forms.BoundField) -> str:
    # The template engine, skipping the renderer's short cut: the reference the Python must match.
    return TemplatesSetting.render(RENDERER, FIELD_TEMPLATE, {"field": field})


def assert_every_field_matches(form: forms.BaseForm, state: str) -> int:
    compared = 0
    for field in form.visible_fields():
        by_python = field_html({"field": field})
        assert by_python is not None, (type(form).__name__, field.name, state)
        assert by_python == by_template(field), (type(form).__name__, field.name, state)
        compared += 1
    return compared


# --- Every form of the project ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_form_of_the_project_renders_as_the_template_renders_it(arguments):
    classes = buildable_form_classes()
    names = {cls.__name__ for cls in classes}
    # The forms of a meeting day, and one of each app the issue names, are among those found.
    assert {"ResearchForm", "ActionForm", "ActionDoneForm", "VictimForm", "UserForm", "RoleGrantForm"} <= names
    valid = set()
    compared = 0
    for cls in classes:
        for state, form in form_states(cls, arguments):
            if state == "bound" and form.is_valid():
                valid.add(cls.__name__)
            compared += assert_every_field_matches(form, state)
    # Valid data was really rendered for the forms of a meeting day.
    assert {"ResearchForm", "MinuteForm", "ObserverForm", "OutcomeForm", "RoleGrantForm"} <= valid
    assert compared > 500


def _kinds(forms_found: list[forms.BaseForm]) -> set[str]:
    return {type(field.field.widget).__name__ for form in forms_found for field in form.visible_fields()}


@pytest.mark.django_db
def test_the_project_forms_have_fields_of_every_kind(arguments):
    found = [build(cls, arguments) for cls in buildable_form_classes()]
    kinds = _kinds(found)
    expected = {"TextInput", "Textarea", "Select", "RadioSelect", "CheckboxSelectMultiple", "CheckboxInput"}
    assert expected <= kinds, expected - kinds
    assert {"DateInput", "FileInput"} & kinds or {"ClearableFileInput"} & kinds


# --- Fields of every kind, made up (web/tests/project_forms.py) -------------------------------------------------


@pytest.mark.parametrize("auto_id", ["id_%s", "field-%s-here", False])
@pytest.mark.parametrize("prefix", [None, "child-3"])
def test_fields_of_every_kind_match_the_template(auto_id, prefix):
    forms_to_check = [
        EveryKind(auto_id=auto_id, prefix=prefix),
        EveryKind(auto_id=auto_id, prefix=prefix, initial={"text": SPECIAL, "day": datetime.date(2026, 1, 2)}),
        EveryKind({}, auto_id=auto_id, prefix=prefix),
    ]

    def prefixed(data: dict[str, Any]) -> dict[str, Any]:
        return {(f"{prefix}-{key}" if prefix else key): value for key, value in data.items()}

    bound = EveryKind(prefixed(EVERY_KIND_DATA), auto_id=auto_id, prefix=prefix)
    bound.is_valid()
    bound.add_error("radios", forms.ValidationError(mark_safe("<em>safe</em> error")))
    bound.add_error("agree", SPECIAL_ERROR)
    forms_to_check.append(bound)
    valid = EveryKind(prefixed({**EVERY_KIND_DATA, "plain": "ok", "number": "7"}), auto_id=auto_id, prefix=prefix)
    assert valid.is_valid(), valid.errors
    forms_to_check.append(valid)
    for form in forms_to_check:
        assert assert_every_field_matches(form, f"{auto_id} {prefix}") == 12


def test_a_whole_form_renders_the_same_through_the_renderer_as_through_the_templates():
    class TemplatesOnly(GovukFormRenderer):
        def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
            return TemplatesSetting.render(self, template_name, context, request=request)

    form = EveryKind(EVERY_KIND_DATA)
    form.is_valid()
    fast = form.render()
    form.renderer = TemplatesOnly()
    form._bound_fields_cache.clear()
    assert fast == form.render()
    assert fast.count('class="govuk-form-group') == 12


def test_the_renderer_makes_the_form_groups_without_the_template():
    form = EveryKind(EVERY_KIND_DATA)
    assert FIELD_TEMPLATE not in rendered_templates(form.render)


def test_a_field_with_a_template_of_its_own_still_gets_its_template():
    class OwnTemplate(forms.Form):
        name = forms.CharField(label="Name", template_name="django/forms/field.html")

    html = OwnTemplate()["name"].as_field_group()
    assert "govuk-form-group" not in html
    assert '<label for="id_name">Name:</label>' in html
    assert FIELD_TEMPLATE not in rendered_templates(OwnTemplate().render)
    assert "django/forms/field.html" in rendered_templates(OwnTemplate().render)


def test_a_context_that_is_not_one_field_is_left_to_the_template():
    field = EveryKind()["text"]
    assert field_html({"field": "not a field"}) is None
    assert field_html({"field": field, "extra": 1}) is None
    assert field_html({}) is None


# --- Any text ------------------------------------------------------------------------------------------------------

KINDS = {
    "text": lambda choices: forms.CharField(required=False),
    "textarea": lambda choices: forms.CharField(required=False, widget=forms.Textarea),
    "select": lambda choices: forms.ChoiceField(required=False, choices=choices),
    "radios": lambda choices: forms.ChoiceField(required=False, choices=choices, widget=forms.RadioSelect),
    "checkboxes": lambda choices: forms.MultipleChoiceField(
        required=False, choices=choices, widget=forms.CheckboxSelectMultiple
    ),
    "checkbox": lambda choices: forms.BooleanField(required=False),
    "date": lambda choices: forms.DateField(required=False, widget=DateInput),
    "file": lambda choices: forms.FileField(required=False),
}

texts = st.text(max_size=30)
markup = st.one_of(texts, texts.map(mark_safe), st.sampled_from(["", "<b>&amp;</b>", "\"'<>&"]))


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(KINDS)),
    label=markup,
    help_text=markup,
    errors=st.lists(markup, max_size=2),
    value=texts,
    choices=st.lists(st.tuples(texts, texts), min_size=1, max_size=3, unique_by=lambda choice: choice[0]),
    bound=st.booleans(),
    auto_id=st.sampled_from(["id_%s", False, "x-%s"]),
    name=st.from_regex(r"[a-z][a-z_0-9]{0,10}", fullmatch=True),
)
def test_any_text_in_any_kind_of_field_is_escaped_as_the_template_escapes_it(
    kind, label, help_text, errors, value, choices, bound, auto_id, name
):
    field = KINDS[kind](choices)
    field.label = label
    field.help_text = help_text
    form_class = type("Made", (forms.Form,), {name: field})
    picked = [choices[0][0]] if kind == "checkboxes" else choices[0][0] if kind in {"select", "radios"} else value
    form = form_class({name: picked} if bound else None, auto_id=auto_id)
    if bound:
        form.is_valid()
        for error in errors:
            form.add_error(name, error)
    assert assert_every_field_matches(form, kind) == 1
