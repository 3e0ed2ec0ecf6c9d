"""Django's own widget templates for text boxes, text areas and selects, written out in Python.

Every form field on every page renders its widget through the form renderer, and Django's widget templates
(`input.html`, `textarea.html`, `select.html` and the `attrs.html` each includes) cost far more through the template
engine than the few strings they make: on the meeting-day pages they were a third of a form page's time
(docs/performance.md "Where the time goes"). These functions give the same bytes as those templates, escaping as
the template engine does; web/tests/test_widget_html.py holds them to Django's templates. A project template
overriding one of these names would not be used: take the name out of FAST_WIDGET_TEMPLATES.
"""

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData


def escaped_text(text: str) -> str:
    """Plain text escaped as Django's `escape` escapes it (`html.escape`, without the lazy-aware wrapper that costs
    more than the escaping), and returned as it is when there is nothing to escape, as in most names and ids."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text)
    return text


def escaped(value: Any) -> str:
    """conditional_escape(value) as text: plain text escaped (escaped_text), anything else (safe text, a lazy
    translation, a number) as Django's conditional_escape has it."""
    if type(value) is str:
        return escaped_text(value)
    return str(conditional_escape(value))


def _formatted(value: Any) -> str:
    # {{ value|stringformat:'s' }}: "%s" formatting, kept safe if the value was (stringformat is an is_safe filter),
    # otherwise escaped.
    if type(value) is str:
        return escaped_text(value)
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # always a plain str, whatever the value
    return text if isinstance(value, SafeData) else escaped_text(text)


def _attrs(attrs: Mapping[str, Any]) -> str:
    # django/forms/widgets/attrs.html
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {escaped(name)}")
        if value is not True:
            parts.append(f'="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    # django/forms/widgets/input.html
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _textarea(widget: Mapping[str, Any]) -> str:
    # django/forms/widgets/textarea.html
    value = widget["value"]
    return (
        f'<textarea name="{escaped(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{escaped(value) if value else ''}</textarea>"
    )


def _option(option: Mapping[str, Any]) -> str | None:
    # django/forms/widgets/select_option.html, with the newline that ends the file (an include keeps it)
    if not isinstance(option["label"], str | Promise):
        return None  # a date or number would be localised by the template engine: leave it to the template
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{escaped(str(option['label']))}</option>\n"
    )


_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _select(widget: Mapping[str, Any]) -> str | None:
    # django/forms/widgets/select.html
    parts = [f'<select name="{escaped(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escaped(group_name)}">')
        for option in group_choices:
            html = _option(option) if option.get("template_name") == _OPTION_TEMPLATE else None
            if html is None:
                return None  # an option with a template of its own, or a label to localise: the engine renders it
            parts.append(f"\n  {html}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "hidden",
        "date",
        "email",
        "number",
        "password",
        "url",
        "time",
        "datetime",
        "search",
        "checkbox",
    )
}

FAST_WIDGET_TEMPLATES: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **dict.fromkeys(_INPUT_TEMPLATES, _input),
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


def widget_html(template_name: str, context: Mapping[str, Any]) -> str | None:
    """The widget's HTML as its Django template would render it (stripped, as the form renderer does), or None
    when it is not one of these widgets and the template engine should render it."""
    render = FAST_WIDGET_TEMPLATES.get(template_name)
    widget = context.get("widget")
    if render is None or not isinstance(widget, Mapping) or widget.get("template_name") != template_name:
        return None
    html = render(widget)
    return html.strip() if html is not None else None
