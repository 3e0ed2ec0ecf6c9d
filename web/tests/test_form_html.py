"""The forms made in Python (web/form_html.py) give exactly what templates/forms/govuk_form.html gives, for every
form of the project in every state a page shows it in, and for made-up forms."""

from typing import Any

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from web.form_html import form_html
from web.forms import GovukFormRenderer
from web.tests.project_forms import (
    EVERY_KIND_DATA,
    SPECIAL,
    SPECIAL_ERROR,
    EveryKind,
    buildable_form_classes,
    form_states,
    rendered_templates,
)

RENDERER = GovukFormRenderer()
FORM_TEMPLATE = GovukFormRenderer.form_template_name


class TemplatesOnly(GovukFormRenderer):
    """The renderer without any of its short cuts: every form, form group and widget through its template."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        return TemplatesSetting.render(self, template_name, context, request=request)


def by_template(form: forms.BaseForm) -> str:
    # The form template through the template engine (its form groups and widgets still made in Python: the tests
    # of web/field_html.py and web/widget_html.py hold those to their templates).
    return TemplatesSetting.render(RENDERER, FORM_TEMPLATE, form.get_context())


def all_by_templates(form: forms.BaseForm) -> str:
    # The whole form through the templates alone. The bound fields keep the renderer they were made with.
    renderer = form.renderer
    form.renderer = TemplatesOnly()
    form._bound_fields_cache.clear()  # type: ignore[attr-defined]
    try:
        return str(form.render())
    finally:
        form.renderer = renderer
        form._bound_fields_cache.clear()  # type: ignore[attr-defined]


def assert_form_matches(form: forms.BaseForm, state: str) -> None:
    by_python = form_html(form.get_context())
    assert by_python is not None, (type(form).__name__, state)
    assert by_python == by_template(form), (type(form).__name__, state)
    assert form.render() == by_python, (type(form).__name__, state)
    assert all_by_templates(form) == by_python, (type(form).__name__, state)


# --- Every form of the project ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_form_of_the_project_renders_as_the_templates_render_it(arguments):
    classes = buildable_form_classes()
    assert {"ResearchForm", "MinuteForm", "ActionForm", "OutcomeForm", "VictimForm", "UserForm"} <= {
        cls.__name__ for cls in classes
    }
    seen = {"hidden fields": 0, "errors on the form": 0, "field errors": 0}
    for cls in classes:
        for state, form in form_states(cls, arguments):
            assert_form_matches(form, state)
            html = form.render()
            seen["hidden fields"] += 'type="hidden"' in html
            seen["errors on the form"] += 'id="form-errors"' in html
            seen["field errors"] += "govuk-form-group--error" in html
    # What the template does was really exercised: hidden fields, errors on the whole form, errors on fields.
    assert all(count >= 5 for count in seen.values()), seen


# --- Made-up forms ---------------------------------------------------------------------------------------------


def test_a_form_of_every_kind_of_field_matches_the_templates():
    bound = EveryKind(EVERY_KIND_DATA)
    bound.is_valid()
    bound.add_error(None, SPECIAL_ERROR)
    bound.add_error("hidden", SPECIAL_ERROR)  # not shown: the template shows the form's own errors only
    for prefix in (None, "child-3"):
        for form in (EveryKind(prefix=prefix), EveryKind({}, prefix=prefix), bound):
            assert_form_matches(form, str(prefix))
    assert 'id="form-errors"' in bound.render()
    assert bound.render().count('class="govuk-form-group') == 12


class Initials(forms.Form):
    # A field that also sends its initial value in a second hidden input, and hidden fields only.
    name = forms.CharField(widget=forms.HiddenInput, initial=SPECIAL, show_hidden_initial=True)
    other = forms.IntegerField(widget=forms.HiddenInput, initial=3)


def test_hidden_fields_alone_and_their_initial_values_match_the_templates():
    for form in (Initials(), Initials({"name": "changed", "other": "x"})):
        form.is_valid()
        assert_form_matches(form, "hidden")
    assert Initials().render().count('type="hidden"') == 3


class OwnOrder(forms.Form):
    first = forms.CharField(label="First")
    second = forms.CharField(label="Second")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def visible_fields(self) -> list[forms.BoundField]:
        return list(reversed(super().visible_fields()))

    def hidden_fields(self) -> list[forms.BoundField]:
        return []


def test_a_form_choosing_its_own_visible_and_hidden_fields_is_rendered_with_them():
    form = OwnOrder({"first": "a", "second": "b", "secret": "c"})
    assert_form_matches(form, "own order")
    html = form.render()
    assert html.index('for="id_second"') < html.index('for="id_first"')
    assert 'type="hidden"' not in html


def test_the_renderer_makes_the_form_without_the_template():
    form = EveryKind(EVERY_KIND_DATA)
    assert FORM_TEMPLATE not in rendered_templates(form.render)
    assert FORM_TEMPLATE in rendered_templates(lambda: all_by_templates(form))


class OwnGroup(forms.BoundField):
    def as_field_group(self) -> str:
        return mark_safe(f"<p>Own group for {self.name}</p>")  # noqa: S308 - a fixed test string


class OwnBoundFields(forms.Form):
    bound_field_class = OwnGroup
    name = forms.CharField(label="Name")
    other = forms.CharField(label="Other", template_name="django/forms/field.html")


def test_fields_with_their_own_form_group_or_template_keep_them():
    form = OwnBoundFields()
    assert_form_matches(form, "own groups")
    assert form.render() == "<p>Own group for name</p><p>Own group for other</p>"
    form = EveryKind()
    form.fields["text"].template_name = "django/forms/field.html"
    assert_form_matches(form, "own template")
    assert '<label for="id_text">' in form.render()
    assert form.render().count('class="govuk-form-group') == 11


class Shadowing(forms.Form):
    # The template looks up form.visible_fields: with a field of that name, the template engine finds the field.
    visible_fields = forms.CharField(label="Odd name", required=False)  # type: ignore[assignment]
    plain = forms.CharField(label="Plain", required=False)


def test_a_form_whose_field_names_hide_the_templates_look_ups_is_left_to_the_template():
    form = Shadowing()
    assert form_html(form.get_context()) is None
    assert FORM_TEMPLATE in rendered_templates(form.render)
    assert str(form.render()) == by_template(form)


def test_a_context_without_a_form_is_left_to_the_template():
    assert form_html({}) is None
    assert form_html({"form": "not a form"}) is None
    assert form_html({"form": EveryKind(), "extra": "not read by the template"}) is not None


def test_a_form_with_a_template_of_its_own_still_gets_its_template():
    class OwnTemplate(forms.Form):
        template_name = "django/forms/div.html"
        name = forms.CharField(label="Name")

    html = OwnTemplate().render()
    assert "<div>" in html
    assert "django/forms/div.html" in rendered_templates(OwnTemplate().render)
    assert FORM_TEMPLATE not in rendered_templates(OwnTemplate().render)


# --- Any text ------------------------------------------------------------------------------------------------------

texts = st.text(max_size=30)
markup = st.one_of(texts, texts.map(mark_safe), st.sampled_from(["", "<b>&amp;</b>", "\"'<>&"]))


class Small(forms.Form):
    note = forms.CharField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


@given(errors=st.lists(markup, max_size=3), hidden=texts, note=texts, field_errors=st.lists(markup, max_size=2))
def test_any_text_in_the_form_and_its_errors_is_escaped_as_the_template_escapes_it(errors, hidden, note, field_errors):
    form = Small({"note": note, "secret": hidden})
    form.is_valid()
    for error in errors:
        form.add_error(None, error)
    for error in field_errors:
        form.add_error("note", error)
        form.add_error("secret", error)
    assert_form_matches(form, "any text")
