"""GOV.UK Design System markup for every Django form, so views and templates stay plain."""

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

from web.widget_html import widget_html


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        # The field's form group, and text boxes, text areas and selects: the same HTML as the templates, made in
        # Python (web/field_html.py, web/widget_html.py). A field with a template of its own still gets its template.
        if template_name == self.field_template_name:
            # Imported here: web.field_html uses the govuk template filters, which import this module.
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
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


def widget_class(widget: forms.Widget, *, has_error: bool) -> str:
    for widget_type, css_class in _WIDGET_CLASSES:
        if isinstance(widget, widget_type):
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
