"""Every form of the project, built in every state a page shows it in, for the tests that hold the forms, form
groups and widgets made in Python (web/form_html.py, web/field_html.py, web/widget_html.py) to their templates.

Not a test module: test_field_html.py and test_form_html.py import it.
"""

import datetime
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.signals import template_rendered
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from marac.models import AgencyType, MaracAgency
from meetings.models import Listing, Meeting
from referrals.models import IdvaAllocation
from testing.factories import AgencyFactory, CaseFactory, PersonFactory, UserFactory, grant
from web.forms import DateInput

SPECIAL = 'Tom & "Jerry" <b>it\'s</b> &amp;'
SPECIAL_ERROR = 'Fix <this> & "that" first'

# --- Every form of the project ---------------------------------------------------------------------------------

_FORM_CLASS = re.compile(r"^class \w+\(.*Form.*\):", re.MULTILINE)


def _project_apps() -> list[Any]:
    # The project's own apps: under the project folder, but not in its virtualenv (.venv).
    return [
        app
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR)
        and not Path(app.path).relative_to(settings.BASE_DIR).parts[0].startswith(".")
    ]


def _modules_defining_forms() -> Iterator[str]:
    for app in _project_apps():
        for path in sorted(Path(app.path).glob("*.py")):
            if _FORM_CLASS.search(path.read_text()):
                yield f"{app.name}.{path.stem}"


def project_form_classes() -> list[type[forms.BaseForm]]:
    for module in _modules_defining_forms():
        importlib.import_module(module)
    app_names = {app.name for app in _project_apps()}
    found: list[type[forms.BaseForm]] = []
    pending: list[type[Any]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        # Forms made up by tests (in a tests package) are not the project's.
        package = cls.__module__.split(".")
        if package[0] in app_names and "tests" not in package and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def is_model_form_without_model(cls: type[forms.BaseForm]) -> bool:
    # A base class such as web.forms.VersionedForm: only its subclasses name a model.
    return issubclass(cls, forms.BaseModelForm) and cls._meta.model is None  # type: ignore[attr-defined]


def buildable_form_classes() -> list[type[forms.BaseForm]]:
    return [cls for cls in project_form_classes() if not is_model_form_without_model(cls)]


def form_arguments(marac: Any, coordinator: Any, idva: Any) -> dict[str, Any]:
    """A value for every keyword argument the project's forms take, with names that need escaping (for a fixture:
    the database must be open)."""
    police = AgencyFactory(name='Testshire <Police> & "Partners"', agency_type=AgencyType.POLICE)
    MaracAgency.objects.create(marac=marac, agency=police, is_core=True)
    MaracAgency.objects.create(marac=marac, agency=coordinator.agency, is_core=False)
    grant(UserFactory(full_name="Fictional O'Brien <Testperson> & Co", agency=police), marac, "police")
    case = CaseFactory(marac=marac)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=3))
    listing = Listing.objects.create(meeting=meeting, case=case)
    return {
        "marac": marac,
        "from_marac": marac,
        "marac_id": marac.pk,
        "maracs": [(marac.pk, 'Testshire <MARAC> & "Co"'), (marac.pk + 1000, "Another")],
        "user": coordinator,
        "by": coordinator,
        "case": case,
        "meeting": meeting,
        "listing": listing,
        "listings": [listing],
        "referral_date": timezone.localdate() - datetime.timedelta(days=2),
        "allocation": IdvaAllocation.objects.create(case=case, due_by=timezone.now()),
        "child": PersonFactory(marac=marac),
        "saved": None,
        "research": None,
        "voice": None,
        "is_csc": True,
        "scores": {},
        "respondent": "agency_representative",
        "other_marac_name": 'Testshire <MARAC> & "Co"',
    }


def build(cls: type[forms.BaseForm], arguments: dict[str, Any], **given: Any) -> forms.BaseForm:
    parameters = inspect.signature(cls.__init__).parameters
    takes_any = any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters.values())
    keywords = {
        name: arguments[name]
        for name, parameter in parameters.items()
        if parameter.kind is parameter.KEYWORD_ONLY
        and (name in arguments or parameter.default is inspect.Parameter.empty)
    }
    keywords.update({name: value for name, value in given.items() if takes_any or name in parameters})
    if "data" in parameters and "data" not in keywords:
        keywords["data"] = None
    return cls(**keywords)


def _value_for(field: forms.Field, text: str) -> Any:
    """A value the field should accept, text fields filled with `text`."""
    if isinstance(field, forms.BooleanField):
        return "on"
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _label in field.choices if value not in ("", None)]
        return values[:2] if isinstance(field, forms.MultipleChoiceField) else (values[0] if values else "")
    if isinstance(field, forms.DateTimeField):
        return "2026-01-02T10:30"
    if isinstance(field, forms.DateField):
        return "2026-01-02"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return "1"
    if isinstance(field, forms.EmailField):
        return "fictional@example.invalid"
    if isinstance(field, forms.URLField):
        return "https://example.invalid/"
    return text


def data_for(form: forms.BaseForm, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field, forms.FileField):
            files[key] = SimpleUploadedFile("notes <1>.csv", b"a,b\n1,2\n", content_type="text/csv")
        elif name == "version":
            data[key] = str(form[name].initial or 0)
        else:
            data[key] = _value_for(field, text)
    return data, files


def bound(cls: type[forms.BaseForm], arguments: dict[str, Any], data: dict[str, Any], files: dict[str, Any]) -> Any:
    form = build(cls, arguments, data=data, files=files)
    form.is_valid()
    return form


def with_special_text(form: forms.BaseForm) -> forms.BaseForm:
    # Each form has its own copy of its fields, so this changes nothing outside the test.
    for field in form.fields.values():
        field.label = SPECIAL
        field.help_text = SPECIAL
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.choices = [("a<&>", SPECIAL), ('b"', "Plain"), ("c", gettext_lazy("Yes"))]
    return form


def form_states(cls: type[forms.BaseForm], arguments: dict[str, Any]) -> Iterator[tuple[str, forms.BaseForm]]:
    """The form as a page shows it: new, with initial text, filled in (valid data), submitted empty, with errors on
    every field, with errors on the hidden fields and the whole form, and with labels and choices to escape."""
    unbound = build(cls, arguments)
    yield "unbound", unbound
    text_initial = {name: SPECIAL for name, field in unbound.fields.items() if type(field) is forms.CharField}
    yield "initial", build(cls, arguments, initial=text_initial)
    data, files = data_for(unbound, "Fictional notes")
    yield "bound", bound(cls, arguments, data, files)
    yield "bound, empty", bound(cls, arguments, {}, {})
    data, files = data_for(unbound, SPECIAL)
    errors = bound(cls, arguments, data, files)
    for field in errors.visible_fields():
        errors.add_error(field.name, SPECIAL_ERROR)
    yield "bound, with errors", errors
    whole = bound(cls, arguments, data, files)
    for field in whole.hidden_fields():
        whole.add_error(field.name, SPECIAL_ERROR)
    whole.add_error(None, SPECIAL_ERROR)
    whole.add_error(None, forms.ValidationError(mark_safe("<em>safe</em> error")))
    yield "bound, with errors on the form", whole
    yield "special labels", with_special_text(build(cls, arguments))
    yield "special labels, bound", with_special_text(build(cls, arguments, data=data, files=files))


# --- Fields of every kind, made up ---------------------------------------------------------------------------------

CHOICES: list[Any] = [("a", "A & B"), ("<x>", 'Label "quoted"'), (3, "Three"), ("lazy", gettext_lazy("Yes"))]


class EveryKind(forms.Form):
    text = forms.CharField(label='Name <b>&</b> "quoted"', help_text="Help & <i>hints</i>")
    plain = forms.CharField(label="Plain", required=False, max_length=5)
    notes = forms.CharField(label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    choose = forms.ChoiceField(label="Choose", choices=[("", "Choose one"), *CHOICES], required=False)
    radios = forms.ChoiceField(label="Radios", choices=CHOICES, widget=forms.RadioSelect, help_text="Pick one")
    ticks = forms.MultipleChoiceField(
        label="Ticks", choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    agree = forms.BooleanField(
        label=mark_safe("I <strong>agree</strong>"), help_text=mark_safe("<a href='#'>Terms</a>")
    )
    optional_tick = forms.BooleanField(label="Optional", required=False)
    day = forms.DateField(label="Day", widget=DateInput, required=False)
    upload = forms.FileField(label="Upload", required=False, help_text="A spreadsheet")
    number = forms.IntegerField(label="Number", required=False)
    # A lazily translated label marked safe, and choice labels the template engine localises.
    when = forms.ChoiceField(
        label=mark_safe(gettext_lazy("<i>When</i>")),  # noqa: S308 - a fixed test string
        help_text=gettext_lazy("Lazy & <plain>"),
        choices=[("d", datetime.date(2026, 11, 24)), (1000, 12345.5)],
        widget=forms.RadioSelect,
        required=False,
    )
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


EVERY_KIND_DATA = {
    "text": SPECIAL,
    "plain": "too long by far",
    "notes": "line one\nline <two>",
    "choose": "<x>",
    "radios": "3",
    "ticks": ["a", "lazy"],
    "agree": "on",
    "day": "2026-11-24",
    "number": "not a number",
    "when": "1000",
    "hidden": SPECIAL,
}


def rendered_templates(render: Any) -> list[str]:
    """The names of the templates the template engine rendered while `render()` ran."""
    names: list[str] = []

    def record(sender: Any, template: Any, **kwargs: Any) -> None:
        names.append(template.name)

    template_rendered.connect(record)
    try:
        render()
    finally:
        template_rendered.disconnect(record)
    return names
