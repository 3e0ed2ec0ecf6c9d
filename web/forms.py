"""GOV.UK Design System markup for every Django form, so views and templates stay plain."""

import copy
import functools
import re
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.renderers import TemplatesSetting
from django.http import QueryDict
from django.utils.html import strip_tags

from web.text import clean_text
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


# The format an <input type="date"> holds its value in, whatever the site's locale (HTML's "valid date string"): a
# browser shows an en-GB "23/11/2026" in a date box as empty, and the form then saves the date as cleared.
ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The one date box of the project: a browser date picker, its value always written as 2026-11-23. The fields
    still read the formats they read before (DATE_INPUT_FORMATS: 23/11/2026, 23/11/26 and 2026-11-23)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs=attrs, format=format or ISO_DATE)


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


# --- After a conflict: the form again, on the version saved now ------------------------------------------------------

EDIT_CONFLICT = (
    "Someone else changed this record while you were editing it. Your changes have not been saved. What is saved "
    "now is shown on this page, and what you entered is still in the form: check the two, then save again."
)


def unsaved_copy[Record: models.Model](record: Record) -> Record:
    """The instance to bind a ModelForm to. Validating a ModelForm writes what was sent onto its instance, so a page
    that shows the record beside a form that failed must show it from another copy: what is saved, not what was
    refused (a refusal with no reasons is not the chair's decision)."""
    return copy.copy(record)


def version_is_stale(form: forms.BaseForm, record: models.Model) -> bool:
    """The form was refused because the record has moved on since its page was shown (VersionedForm.clean)."""
    version = form.cleaned_data.get("version")
    return version is not None and version != getattr(record, "version", None)


def onto_saved[Form: forms.BaseForm](form: Form, record: models.Model, **form_kwargs: Any) -> Form:
    """After a conflict, the form again with what the user entered, but now based on the version saved (as research
    and minutes are): the page shows what is saved now, so saving again is a deliberate choice, and it no longer
    fails every time on the version the page was first shown with. `record` is read again, for the page to show.
    `form_kwargs`: what else the form's class is made with (marac_id=..., scores=...)."""
    record.refresh_from_db()
    data = cast(QueryDict, form.data).copy()  # what was posted: request.POST
    data[form.add_prefix("version")] = str(getattr(record, "version"))  # noqa: B009 - every versioned record has one
    if isinstance(form, forms.BaseModelForm):
        form_kwargs["instance"] = unsaved_copy(record)
    again = type(form)(data, prefix=form.prefix, **form_kwargs)
    again.add_error(None, EDIT_CONFLICT)
    return again


def shows_conflict(form: forms.BaseForm | None) -> bool:
    """The form came back from onto_saved: its page should show what is saved now beside it."""
    return form is not None and EDIT_CONFLICT in form.non_field_errors()


# --- What every form does with what it is sent, and how it says what is wrong ---------------------------------------
#
# Django's forms share no base class of ours (each is a forms.Form or forms.ModelForm), so this is installed once on
# Django's own BaseForm when the web app is ready (web/apps.py): every form of the project, and every form yet to be
# written, gets it without asking.


def install_govuk_forms() -> None:
    """Make every form (1) clean the text it is sent (web/text.py: control characters go, Word's line breaks become
    line feeds) before any field sees it, and (2) replace Django's generic English messages ("This field is
    required.") with GOV.UK ones naming the field ("Enter reason", "Risks must be 20,000 characters or fewer").
    A message a form or field sets itself is kept: only Django's own wording is replaced."""
    if getattr(forms.BaseForm, "govuk_installed", False):
        return
    django_widget_data_value = getattr(forms.BaseForm, "_widget_data_value")  # noqa: B009 - private to Django
    django_full_clean = forms.BaseForm.full_clean

    def _widget_data_value(self: forms.BaseForm, widget: forms.Widget, html_name: str) -> Any:
        value = django_widget_data_value(self, widget, html_name)
        # A password is compared, not shown or stored as typed: it is taken exactly as sent.
        return value if isinstance(widget, forms.PasswordInput) else cleaned_value(value)

    def full_clean(self: forms.BaseForm) -> None:
        django_full_clean(self)
        specific_errors(self)

    setattr(forms.BaseForm, "_widget_data_value", _widget_data_value)  # noqa: B010 - mypy refuses a method assigned
    setattr(forms.BaseForm, "full_clean", full_clean)  # noqa: B010
    setattr(forms.BaseForm, "govuk_installed", True)  # noqa: B010


def cleaned_value(value: Any) -> Any:
    """A value as a widget read it from the request: text cleaned, a list's texts cleaned, files as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return type(value)(clean_text(item) if isinstance(item, str) else item for item in value)
    return value


def specific_errors(form: forms.BaseForm) -> None:
    """Replace each of Django's default messages among the form's field errors with a specific one."""
    found: Any = getattr(form, "_errors", None)  # after full_clean, before `errors` is asked for
    for name, errors in found.items() if found else ():
        if name not in form.fields:
            continue  # errors on the whole form are the form's own
        for index, error in enumerate(errors.data):
            if isinstance(error, ValidationError) and _is_djangos(error):
                errors.data[index] = ValidationError(
                    specific_message(form.fields[name], form[name].label, error), code=error.code
                )


def _is_djangos(error: ValidationError) -> bool:
    return str(error.message) in _django_messages()


@functools.cache
def _django_messages() -> frozenset[str]:
    """Every message Django's form fields, model fields and validators give by default (in English)."""
    found: set[str] = set()
    for base in (forms.Field, models.Field):
        for cls in _subclasses(base):
            if cls.__module__.startswith("django."):
                found.update(str(message) for message in getattr(cls, "default_error_messages", {}).values())
    for name in dir(validators):
        validator = getattr(validators, name)
        message = getattr(validator, "message", None)
        if message is not None and not callable(message):
            found.add(str(message))
        messages = getattr(validator, "messages", None)
        if isinstance(messages, dict):
            found.update(str(message) for message in messages.values())
    return frozenset(found)


def _subclasses(cls: type) -> Iterator[type]:
    yield cls
    sub: type
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


def _choosing(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.BooleanField | forms.FileField) or isinstance(
        field.widget, forms.Select | forms.RadioSelect | forms.CheckboxInput
    )


def _label(label: Any) -> str:
    # A closing aside is the label's, not the message's: "Agency responsible (if known)" is the agency responsible.
    text = strip_tags(str(label or "")).strip().rstrip(":").strip()
    return re.sub(r"\s*\([^()]*\)$", "", text).strip() or text


def _keeps_capitals(word: str) -> bool:
    """An acronym or a name's capitals: "MARAC", "MARACs", "IDVA", "I", "VAWG"."""
    letters = word.lstrip("'\"(")
    return letters[:1].isupper() and (len(letters) == 1 or letters[1:2].isupper())


def lower_first(label: str) -> str:
    """A label inside a sentence: "Reason" becomes "reason"; "MARAC date", "MARACs" and "I agree" stay as they are."""
    first = label.split(" ", 1)[0]
    return label if _keeps_capitals(first) else label[:1].lower() + label[1:]


# A yes-or-no question turned round to follow "Select if": "Do they have a disability?" -> "they have a disability",
# "Is it safe to send letters?" -> "it is safe to send letters". Only with a pronoun as its subject: with "the
# victim" or the like, where the subject ends cannot be told, and the message falls back to "Select an answer".
_AUXILIARIES = frozenset(
    [
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "will",
        "would",
        "has",
        "have",
        "had",
        "should",
        "must",
        "may",
        "might",
    ]
)
_PRONOUNS = frozenset(["they", "she", "he", "it", "you", "we", "i", "there"])  # not "this": "Is this family known?"


def if_clause(question: str) -> str | None:
    """The question as a clause after "Select if", or None when it is not a yes-or-no question of that shape."""
    words = question.strip().rstrip("?").split()
    if len(words) < 3 or not question.strip().endswith("?"):
        return None
    auxiliary, subject, rest = words[0].lower(), words[1], " ".join(words[2:])
    if auxiliary not in _AUXILIARIES or subject.lower() not in _PRONOUNS:
        return None
    subject = "I" if subject.lower() == "i" else subject.lower()
    if auxiliary == "do":
        return f"{subject} {rest}"
    return f"{subject} {auxiliary} {rest}"


def select_message(label: Any) -> str:
    """What to say when no answer is chosen for a question or choice labelled `label`: "Select gender", "Select if
    they have a disability", "Select MARACs"; "Select an answer" for a question that cannot be turned round."""
    name = _label(label)
    if not name:
        return "Select an answer"
    if name.endswith("?"):
        clause = if_clause(name)
        return f"Select if {clause}" if clause else "Select an answer"
    return f"Select {lower_first(name)}"


def _date_message(name: str) -> str:
    """What to say when a date labelled `name` is left empty: "Enter the date it was carried out"."""
    lower = lower_first(name)
    words = name.lower().split()
    if "date" in words[:2] or "day" in words[:2]:
        return f"Enter {lower}"  # "Enter the date of the breach", "Enter date of referral"
    if words and words[-1] in {"on", "by"} and len(words) > 1:
        stem = " ".join(lower.split()[:-1])
        return "Enter the date it is due" if stem == "due" else f"Enter the date it was {stem}"
    if words and words[-1] in {"from", "to"} and len(words) > 1:
        stem = " ".join(lower.split()[:-1])
        return f"Enter the {'first' if words[-1] == 'from' else 'last'} date for {stem}"
    return f"Enter the date for {lower}"


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _is_date(field: forms.Field) -> bool:
    return isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField)


def specific_message(field: forms.Field, label: Any, error: ValidationError) -> str:
    """The GOV.UK message for one of Django's default errors on `field` labelled `label`."""
    code = error.code or ""
    params = error.params or {}
    name = _label(label)
    question = not name or name.endswith("?")
    lower = lower_first(name)
    if question:
        name = "Your answer" if name else ""  # "Why are you opening it? must be ..." reads as no sentence
    if code in {"required", "blank", "null", "missing", "invalid_list"}:
        if _choosing(field):
            return select_message(label)
        if question:
            return "Enter an answer"
        return _date_message(name) if _is_date(field) else f"Enter {lower}"
    if code in {"invalid_choice", "invalid_pk_value"}:
        if question:
            # A value not among the answers (a tampered form, or the API) is no answer: say what asking for one says,
            # the form's own words if it has them ("Select whether the referrer agrees").
            own = str(field.error_messages.get("required", ""))
            if own and own not in _django_messages():
                return own
            clause = if_clause(_label(label))
            return f"Select if {clause}" if clause else "Select an option from the list"
        # A message, not SQL, whatever the linter reads into "Select ... from".
        return f"Select {lower} from the list"  # noqa: S608
    if code == "max_length":
        if "limit_value" not in params:  # a file's name
            return f"The file name must be {_number(params.get('max', ''))} characters or fewer"
        return f"{name or 'This'} must be {_number(params['limit_value'])} characters or fewer"
    if code == "min_length":
        return f"{name or 'This'} must be {_number(params.get('limit_value', ''))} characters or more"
    if code == "max_value":
        return f"{name or 'This'} must be {_number(params.get('limit_value', ''))} or less"
    if code == "min_value":
        return f"{name or 'This'} must be {_number(params.get('limit_value', ''))} or more"
    if code == "step_size":
        return f"{name or 'This'} must be a multiple of {_number(params.get('limit_value', ''))}"
    if code in {"max_digits", "max_whole_digits", "max_decimal_places"}:
        kind = "decimal places" if code == "max_decimal_places" else "digits"
        return f"{name or 'This'} must have {_number(params.get('max', ''))} {kind} or fewer"
    if code == "empty":
        return "The selected file is empty"
    if code == "contradiction":
        return "Either choose a file or remove the existing one, not both"
    if code == "unique":
        return f"There is already a record with this {lower}" if name else "There is already a record like this"
    if code == "null_characters_not_allowed":
        return f"{name or 'This'} must not contain hidden characters"
    if isinstance(field, forms.DateTimeField):
        return "Enter a real date and time"
    if isinstance(field, forms.DateField):
        return "Enter a real date"
    if isinstance(field, forms.TimeField):
        return "Enter a real time"
    if isinstance(field, forms.FloatField | forms.DecimalField):  # before IntegerField: they are its subclasses
        return f"{name or 'This'} must be a number"
    if isinstance(field, forms.IntegerField):
        return f"{name or 'This'} must be a whole number"
    if isinstance(field, forms.EmailField):
        return "Enter an email address in the correct format, like name@example.com"
    if isinstance(field, forms.URLField):
        return "Enter a web address in the correct format, like https://www.example.com"
    if isinstance(field, forms.FileField):
        return f"Select {lower}" if name else "Select a file"
    return f"Enter {lower} in the correct format" if name and not question else "Enter an answer in the correct format"
