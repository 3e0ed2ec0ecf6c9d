"""The whole form (templates/forms/govuk_form.html), written out in Python.

Every form on every page renders through that template: its hidden fields, the errors that belong to no one field,
then each visible field's form group (web/field_html.py). It is a small template, but the template engine walking
it is a cost on every form of a page, and the research form, the most requested page of a meeting day, shows one
form and one more for each child. `form_html` gives the same bytes as rendering the template (stripped, as the form
renderer does), escaping as the template engine does.

templates/forms/govuk_form.html stays the reference and must be kept in step with this module: a change to one is a
change to the other. web/tests/test_form_html.py renders every form of the project through both and fails on any
difference.
"""

from collections.abc import Mapping
from typing import Any

from django.forms import BaseForm, BoundField

from web.field_html import field_html, shown
from web.forms import GovukFormRenderer

# The names the template looks up on the form. The template engine tries `form[name]` before the attribute, so a
# field with one of these names would stand in for the method there: such a form is left to the template.
_LOOKED_UP = frozenset({"hidden_fields", "visible_fields", "non_field_errors"})


def _hidden_and_visible(form: BaseForm) -> tuple[list[BoundField], list[BoundField]]:
    # form.hidden_fields and form.visible_fields, as the template calls them; in one pass over the fields when the
    # form keeps Django's own (each goes through every field).
    if (
        type(form).hidden_fields is not BaseForm.hidden_fields
        or type(form).visible_fields is not BaseForm.visible_fields
    ):
        return form.hidden_fields(), form.visible_fields()
    hidden: list[BoundField] = []
    visible: list[BoundField] = []
    for field in form:
        (hidden if field.is_hidden else visible).append(field)
    return hidden, visible


def _non_field_errors(form: BaseForm) -> str:
    errors = form.non_field_errors()
    if not errors:
        return ""
    shown_errors = "".join(
        f'<p class="govuk-body govuk-!-margin-bottom-1"><span class="govuk-visually-hidden">Error:</span> '
        f"{shown(error)}</p>"
        for error in errors
    )
    return f'<div class="govuk-error-message" id="form-errors">{shown_errors}</div>'


def _group(field: BoundField) -> str:
    # {{ field.as_field_group }}. For a plain field of a form rendered by this renderer, what as_field_group would
    # come to (the renderer's render of the field template, which is field_html), without the calls on the way.
    own_template = field.field.template_name  # type: ignore[attr-defined]  # Django's, missing from its stubs
    if type(field) is BoundField and own_template is None and type(field.renderer) is GovukFormRenderer:
        html = field_html({"field": field})
        if html is not None:
            return html
    return shown(field.as_field_group())


def form_html(context: Mapping[str, Any]) -> str | None:
    """The form as templates/forms/govuk_form.html renders it for this context (what `Form.render` passes), or None
    when the context holds no form, or the form has a field named as one of the template's look-ups, and the
    template should render. The template reads nothing from the context but the form."""
    form = context.get("form")
    if not isinstance(form, BaseForm) or not _LOOKED_UP.isdisjoint(form.fields):
        return None
    hidden, visible = _hidden_and_visible(form)
    hidden_html = "".join(shown(field) for field in hidden)
    groups = "".join(_group(field) for field in visible)
    # Each line of the template ends with a newline; the renderer strips what is left at either end.
    return f"{hidden_html}\n{_non_field_errors(form)}\n{groups}\n".strip()
