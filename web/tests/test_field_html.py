"""The form groups made in Python (web/field_html.py) give exactly what templates/forms/govuk_field.html gives, for
every form of the project and for made-up fields of every kind."""

import datetime
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import TemplatesSetting
from django.test.signals import template_rendered
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from marac.models import AgencyType, MaracAgency
from meetings.models import Listing, Meeting
from referrals.models import IdvaAllocation
from testing.factories import AgencyFactory, CaseFactory, PersonFactory, UserFactory, grant
from web.field_html import field_html
from web.forms import DateInput, GovukFormRenderer

RENDERER = GovukFormRenderer()
FIELD_TEMPLATE = GovukFormRenderer.field_template_name

SPECIAL = 'Tom & "Jerry" <b>it\'s</b> &amp;'
SPECIAL_ERROR = 'Fix <this> & "that" first'


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
        if cls.__module__.split(".")[0] in app_names and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _is_model_form_without_model(cls: type[forms.BaseForm]) -> bool:
    # A base class such as web.forms.VersionedForm: only its subclasses name a model.
    return issubclass(cls, forms.BaseModelForm) and cls._meta.model is None  # type: ignore[attr-defined]


@pytest.fixture
def arguments(marac, coordinator, idva) -> dict[str, Any]:
    """A value for every keyword argument the project's forms take, with names that need escaping."""
    police = AgencyFactory(name='Testshire <Police> & "Partners"', agency_type=AgencyType.POLICE)
    MaracAgency.objects.create(marac=marac, agency=police, is_core=True)
    MaracAgency.objects.create(marac=marac, agency=coordinator.agency, is_core=False)
    grant(UserFactory(full_name="Fictional O'Brien <Testperson> & Co", agency=police), marac, "police")
    case = CaseFactory(marac=marac)
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + datetime.timedelta(days=3))
    return {
        "marac": marac,
        "from_marac": marac,
        "marac_id": marac.pk,
        "maracs": [(marac.pk, 'Testshire <MARAC> & "Co"'), (marac.pk + 1000, "Another")],
        "user": coordinator,
        "by": coordinator,
        "case": case,
        "meeting": meeting,
        "listing": Listing.objects.create(meeting=meeting, case=case),
        "allocation": IdvaAllocation.objects.create(case=case, due_by=timezone.now()),
        "child": PersonFactory(marac=marac),
        "saved": None,
        "research": None,
        "voice": None,
        "is_csc": True,
        "scores": {},
        "respondent": "agency_representative",
    }


def _build(cls: type[forms.BaseForm], arguments: dict[str, Any], **given: Any) -> forms.BaseForm:
    parameters = inspect.signature(cls.__init__).parameters
    takes_any = any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters.values())
    keywords = {
        name: arguments[name] for name, parameter in parameters.items() if parameter.kind is parameter.KEYWORD_ONLY
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


def _data_for(form: forms.BaseForm, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
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


def _bound(cls: type[forms.BaseForm], arguments: dict[str, Any], data: dict[str, Any], files: dict[str, Any]) -> Any:
    form = _build(cls, arguments, data=data, files=files)
    form.is_valid()
    return form


def _with_special_text(form: forms.BaseForm) -> forms.BaseForm:
    # Each form has its own copy of its fields, so this changes nothing outside the test.
    for field in form.fields.values():
        field.label = SPECIAL
        field.help_text = SPECIAL
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.choices = [("a<&>", SPECIAL), ('b"', "Plain"), ("c", gettext_lazy("Yes"))]
    return form


@pytest.mark.django_db
def test_every_form_of_the_project_renders_as_the_template_renders_it(arguments):
    classes = [cls for cls in project_form_classes() if not _is_model_form_without_model(cls)]
    names = {cls.__name__ for cls in classes}
    # The forms of a meeting day, and one of each app the issue names, are among those found.
    assert {"ResearchForm", "ActionForm", "ActionDoneForm", "VictimForm", "UserForm", "RoleGrantForm"} <= names
    valid = set()
    compared = 0
    for cls in classes:
        unbound = _build(cls, arguments)
        compared += assert_every_field_matches(unbound, "unbound")
        text_initial = {name: SPECIAL for name, field in unbound.fields.items() if type(field) is forms.CharField}
        compared += assert_every_field_matches(_build(cls, arguments, initial=text_initial), "initial")
        data, files = _data_for(unbound, "Fictional notes")
        form = _bound(cls, arguments, data, files)
        if form.is_valid():
            valid.add(cls.__name__)
        compared += assert_every_field_matches(form, "bound")
        compared += assert_every_field_matches(_bound(cls, arguments, {}, {}), "bound, empty")
        data, files = _data_for(unbound, SPECIAL)
        errors = _bound(cls, arguments, data, files)
        for field in errors.visible_fields():
            errors.add_error(field.name, SPECIAL_ERROR)
        compared += assert_every_field_matches(errors, "bound, with errors")
        compared += assert_every_field_matches(_with_special_text(_build(cls, arguments)), "special labels")
        special = _with_special_text(_build(cls, arguments, data=data, files=files))
        compared += assert_every_field_matches(special, "special labels, bound")
    # Valid data was really rendered for the forms of a meeting day.
    assert {"ResearchForm", "MinuteForm", "ObserverForm", "OutcomeForm", "RoleGrantForm"} <= valid
    assert compared > 500


def _kinds(forms_found: list[forms.BaseForm]) -> set[str]:
    return {type(field.field.widget).__name__ for form in forms_found for field in form.visible_fields()}


@pytest.mark.django_db
def test_the_project_forms_have_fields_of_every_kind(arguments):
    found = [_build(cls, arguments) for cls in project_form_classes() if not _is_model_form_without_model(cls)]
    kinds = _kinds(found)
    expected = {"TextInput", "Textarea", "Select", "RadioSelect", "CheckboxSelectMultiple", "CheckboxInput"}
    assert expected <= kinds, expected - kinds
    assert {"DateInput", "FileInput"} & kinds or {"ClearableFileInput"} & kinds


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


def _rendered_templates(render: Any) -> list[str]:
    names: list[str] = []

    def record(sender: Any, template: Any, **kwargs: Any) -> None:
        names.append(template.name)

    template_rendered.connect(record)
    try:
        render()
    finally:
        template_rendered.disconnect(record)
    return names


def test_the_renderer_makes_the_form_groups_without_the_template():
    form = EveryKind(EVERY_KIND_DATA)
    assert FIELD_TEMPLATE not in _rendered_templates(form.render)


def test_a_field_with_a_template_of_its_own_still_gets_its_template():
    class OwnTemplate(forms.Form):
        name = forms.CharField(label="Name", template_name="django/forms/field.html")

    html = OwnTemplate()["name"].as_field_group()
    assert "govuk-form-group" not in html
    assert '<label for="id_name">Name:</label>' in html
    assert FIELD_TEMPLATE not in _rendered_templates(OwnTemplate().render)
    assert "django/forms/field.html" in _rendered_templates(OwnTemplate().render)


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
