"""The GOV.UK form group of one field (templates/forms/govuk_field.html), written out in Python.

Every visible field of every form renders through that template, once per field: on the research form, the most
requested page of a meeting day, the template engine walking it was most of the page's CPU. `field_html` gives the
same bytes as rendering the template (stripped, as the form renderer does), escaping as the template engine does and
using the template's own filters (web/templatetags/govuk.py) for the widget and the kind of field.

templates/forms/govuk_field.html stays the reference and must be kept in step with this module: a change to one
is a change to the other. web/tests/test_field_html.py renders every form of the project through both and fails on
any difference.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.forms import BoundField
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeString

from web.templatetags.govuk import govuk_kind, widget_with_errors
from web.widget_html import escaped_text

# What the form renderer's template engine renders in: autoescaping on, localisation and time zone from settings.
_TEMPLATE_CONTEXT = Context(autoescape=True)


def shown(value: Any) -> str:
    """{{ value }}: plain text escaped, safe text as it is, anything else (a lazy translation, a number, None)
    converted exactly as the template engine converts it."""
    if type(value) is str:
        return escaped_text(value)
    if type(value) is SafeString:
        return value
    return str(render_value_in_context(value, _TEMPLATE_CONTEXT))


def _errors(errors: Iterable[Any], auto_id: str) -> str:
    return "".join(
        f'<p id="{auto_id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
        f"{shown(error)}</p>"
        for error in errors
    )


def _hint(help_text: Any, auto_id: str, css_class: str = "govuk-hint") -> str:
    return f'<div id="{auto_id}-hint" class="{css_class}">{shown(help_text)}</div>' if help_text else ""


def _choices(field: BoundField, kind: str, auto_id: str, errors: Any) -> str:
    # The {% if kind == "checkboxes" or kind == "radios" %} branch: a fieldset with one input per choice.
    help_text = field.help_text
    described_by = ""
    if help_text or errors:
        hint_id = f"{auto_id}-hint " if help_text else ""
        error_id = f"{auto_id}-error" if errors else ""
        described_by = f' aria-describedby="{hint_id}{error_id}"'
    input_type = "radio" if kind == "radios" else "checkbox"
    options = []
    for option in field:
        data = option.data
        option_id = shown(option.id_for_label)
        checked = " checked" if data["selected"] else ""
        options.append(
            f'\n      <div class="govuk-{kind}__item">\n'
            f'        <input class="govuk-{kind}__input" type="{input_type}" name="{shown(data["name"])}" '
            f'value="{shown(data["value"])}" id="{option_id}"{checked}>\n'
            f'        <label class="govuk-label govuk-{kind}__label" for="{option_id}">'
            f"{shown(option.choice_label)}</label>\n"
            f"      </div>\n      "
        )
    return (
        f'\n  <fieldset class="govuk-fieldset"{described_by}>\n'
        f'    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{shown(field.label)}</legend>\n'
        f"    {_hint(help_text, auto_id)}\n"
        f"    {_errors(errors, auto_id)}\n"
        f'    <div class="govuk-{kind} govuk-{kind}--small" data-module="govuk-{kind}">\n'
        f"      {''.join(options)}\n"
        f"    </div>\n"
        f"  </fieldset>\n"
    )


def _single_checkbox(field: BoundField, auto_id: str, errors: Any) -> str:
    # The {% elif kind == "checkbox" %} branch: one checkbox with its label beside it.
    return (
        f"\n  {_errors(errors, auto_id)}\n"
        f'  <div class="govuk-checkboxes govuk-checkboxes--small">\n'
        f'    <div class="govuk-checkboxes__item">\n'
        f"      {shown(widget_with_errors(field, errors))}\n"
        f'      <label class="govuk-label govuk-checkboxes__label" for="{shown(field.id_for_label)}">'
        f"{shown(field.label)}</label>\n"
        f"      {_hint(field.help_text, auto_id, 'govuk-hint govuk-checkboxes__hint')}\n"
        f"    </div>\n"
        f"  </div>\n"
    )


def _other(field: BoundField, auto_id: str, errors: Any) -> str:
    # The {% else %} branch: label, hint, errors, then the widget.
    return (
        f'\n  <label class="govuk-label govuk-label--s" for="{shown(field.id_for_label)}">'
        f"{shown(field.label)}</label>\n"
        f"  {_hint(field.help_text, auto_id)}\n"
        f"  {_errors(errors, auto_id)}\n"
        f"  {shown(widget_with_errors(field, errors))}\n"
    )


def field_html(context: Mapping[str, Any]) -> str | None:
    """The field's form group as templates/forms/govuk_field.html renders it for this context (what
    `BoundField.as_field_group` passes), or None when the context is not one field and the template should render."""
    field = context.get("field")
    if not isinstance(field, BoundField) or len(context) != 1:
        return None
    kind = govuk_kind(field)
    # A property that looks the errors up (and makes a new empty list) on every read: read once, passed on.
    errors = field.errors
    auto_id = shown(field.auto_id)
    if kind in {"checkboxes", "radios"}:
        inner = _choices(field, kind, auto_id, errors)
    elif kind == "checkbox":
        inner = _single_checkbox(field, auto_id, errors)
    else:
        inner = _other(field, auto_id, errors)
    error_class = " govuk-form-group--error" if errors else ""
    # The template starts with a newline and ends without one; the renderer strips what is left at either end.
    return f'<div class="govuk-form-group{error_class}">\n{inner}\n</div>'
