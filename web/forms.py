"""GOV.UK Design System markup for every Django form, so views and templates stay plain."""

import functools
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

from web.widget_html import widget_html


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        # The form, the field's form group, and text boxes, text areas and selects: the same HTML as the templates,
        # made in Python (web/form_html.py, web/field_html.py, web/widget_html.py). A form or field with a template
        # of its own still gets its template, and so does a context these do not expect.
        # Imported here: web.field_html uses the govuk template filters, which import this module.
        if template_name == self.form_template_name:
            from web.form_html import form_html

            html = form_html(context)
        elif template_name == self.field_template_name:
            from web.field_html import field_html

            html = field_html(context)
        else:
            html = widget_html(template_name, context)
        return html if html is not None else super().render(template_name, context, request=request)


_WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.FileInput, "govuk-file-upload"),
    (forms.widgets.Input, "govuk-input"),
]


def widget_kind(widget: forms.Widget) -> str:
    return _kind_of(type(widget))


def widget_class(widget: forms.Widget, *, has_error: bool) -> str:
    return _class_of(type(widget), has_error)


# By the widget's class, worked out once for each class: every field of every form asks, several times a render.
@functools.cache
def _kind_of(widget_type: type[forms.Widget]) -> str:
    if issubclass(widget_type, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if issubclass(widget_type, forms.RadioSelect):
        return "radios"
    if issubclass(widget_type, forms.CheckboxInput):
        return "checkbox"
    return "input"


@functools.cache
def _class_of(widget_type: type[forms.Widget], has_error: bool) -> str:
    for kind, css_class in _WIDGET_CLASSES:
        if issubclass(widget_type, kind):
            if has_error and css_class in {"govuk-input", "govuk-select", "govuk-textarea", "govuk-file-upload"}:
                return f"{css_class} {css_class}--error"
            return css_class
    return ""


class DateInput(forms.DateInput):
    input_type = "date"


class VersionedForm(forms.ModelForm):  # type: ignore[type-arg]
    """A form that carries the version of the record it was based on, so a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version = cleaned.get("version")
        if self.instance.pk and version != self.instance.version:
            # Shown at the top of the form: the hidden field has nowhere of its own to show an error.
            raise forms.ValidationError(
                "Someone else changed this record while you were editing it. "
                "Your changes have not been saved: reload the page to see theirs, then make yours again."
            )
        return cleaned
