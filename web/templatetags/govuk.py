from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from web.forms import widget_class, widget_kind

register = template.Library()


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    return widget_with_errors(field, field.errors)


def widget_with_errors(field: BoundField, errors: Any) -> SafeString:
    """The field's widget with the GOV.UK classes and descriptions, given its errors (`field.errors`, which
    `BoundField` looks up and wraps in a new empty list on every read, so callers that have it pass it in)."""
    widget = field.field.widget
    attrs: dict[str, Any] = {"class": widget_class(widget, has_error=bool(errors))}
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if errors:
        described_by.append(f"{field.auto_id}-error")
        if widget_kind(widget) == "input":
            attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def govuk_kind(field: BoundField) -> str:
    return widget_kind(field.field.widget)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def humanise(name: str) -> str:
    """A stored field name as words: "date_of_birth" becomes "Date of birth"."""
    return name.replace("_", " ").capitalize()


@register.filter
def join_if_list(value: Any) -> Any:
    return ", ".join(str(item) for item in value) if isinstance(value, list) else value
