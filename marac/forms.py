from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import User
from marac.models import (
    MEETING_WEEKDAYS,
    Agency,
    AutomaticCriterion,
    ClosureDay,
    EscalationEvent,
    Marac,
    MaracAgency,
    PopulationFigure,
)
from marac.population_csv import MAX_UPLOAD_BYTES
from marac.reference_prefixes import PREFIX_REQUIRED, PREFIX_TAKEN, PREFIX_TOO_LONG, prefix_problem
from marac.selectors import agencies_free_to_join
from marac.services import CLOSURE_DAY_TAKEN, agency_name_problem, closure_day_date_error
from web.forms import DateInput, VersionedForm


class LinesField(forms.CharField):
    """A list of names, one a line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def number_errors(model: type[models.Model], name: str, what: str, *, unit: str = "") -> dict[str, str]:
    """Django's generic number messages ("Ensure this value is less than or equal to 24."), replaced by ones naming
    the field and its range (GOV.UK pattern). The range is the model field's own (its validators), not a copy."""
    validators = cast("models.Field[Any, Any]", model._meta.get_field(name)).validators  # a column, not a relation
    low = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    range_ = f"between {low} and {high}{unit}"
    return {
        "required": f"Enter {what}",
        "invalid": f"{what[0].upper()}{what[1:]} must be a whole number",
        "min_value": f"{what[0].upper()}{what[1:]} must be {range_}",
        "max_value": f"{what[0].upper()}{what[1:]} must be {range_}",
    }


# The retention period the settings page allows. At least 2 years: the repeat rule (12 months), the longest
# escalation window (24 months) and the boards' year-on-year figures all look back at earlier cases. At most 25: a
# mistyped period (60 for 6) is caught; an information sharing agreement wanting longer is rare enough to ask for.
RETENTION_YEARS_MIN, RETENTION_YEARS_MAX = 2, 25
RETENTION_YEARS_RANGE = f"between {RETENTION_YEARS_MIN} and {RETENTION_YEARS_MAX} years"


class MaracSettingsForm(VersionedForm):
    local_authorities = LinesField(
        label="Local authorities",
        help_text="One a line.",
        error_messages={"required": "Enter the local authorities the MARAC covers, one a line"},
    )
    escalation_events = forms.MultipleChoiceField(
        choices=EscalationEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="What counts towards escalation",
    )
    automatic_criteria = forms.MultipleChoiceField(
        choices=AutomaticCriterion.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Referred automatically, whatever the score",
    )
    retention_years = forms.IntegerField(
        min_value=RETENTION_YEARS_MIN,
        max_value=RETENTION_YEARS_MAX,
        label="Retention: keep a case for how many years",
        help_text="Your information sharing agreement sets this period: use the one it gives. Counted from a case's "
        f"last hearing (from its referral if it was never heard); {RETENTION_YEARS_RANGE}. A shorter period applies "
        "at the next retention run to every case it makes due, except those under a legal hold.",
        error_messages={
            "required": "Enter how many years a case is kept",
            "invalid": "The years a case is kept must be a whole number",
            "min_value": f"The years a case is kept must be {RETENTION_YEARS_RANGE}",
            "max_value": f"The years a case is kept must be {RETENTION_YEARS_RANGE}",
        },
    )

    class Meta:
        model = Marac
        fields = [
            "name",
            "local_authorities",
            "police_force",
            "region",
            "meeting_frequency",
            "meeting_weekday",
            "meeting_start_time",
            "bank_holiday_region",
            "dash_threshold",
            "idva_threshold",
            "escalation_count",
            "escalation_window_months",
            "escalation_events",
            "escalation_in_frequency_or_severity",
            "automatic_criteria",
            "minutes_per_case",
            "minutes_per_information_case",
            "repeat_definition",
            "reference_prefix",
            "retention_years",
            "retention_action",
        ]
        labels = {
            "retention_action": "Retention: what happens to a case after that",
            "reference_prefix": "Case reference prefix",
            "dash_threshold": "Risk checklist score for visible high risk",
            "idva_threshold": "Risk checklist score for a referral to the IDVA service",
            "escalation_count": "Escalation: how many events",
            "escalation_window_months": "Escalation: within how many months",
            "minutes_per_case": "Minutes per case at the meeting",
            "minutes_per_information_case": "Minutes per information-only case",
            "meeting_weekday": "Meeting day",
            "region": "Region (MARACs of one region are told when a possible match is held at another)",
            "escalation_in_frequency_or_severity": "Escalation in frequency or severity, described by the referrer, "
            "meets the criteria on its own",
        }
        help_texts = {
            "escalation_in_frequency_or_severity": "Barking and Dagenham and Bedfordshire take it on its own; Camden "
            "counts incidents, police call-outs or social care referrals only. Where it is off, a referrer who "
            "describes escalation refers on professional judgement instead.",
            "reference_prefix": "The start of every new case reference, like NB in NB-2026-0042: capital letters "
            "and numbers, starting with a letter. A change applies to new cases only; their numbers start again "
            "at 1, or carry on from the highest reference already using the prefix.",
            "retention_action": "As your information sharing agreement says. Anonymising removes names, dates of "
            "birth (the year is kept), addresses, minutes and research, and keeps what the boards count; deleting "
            "removes the case. A case a disclosure request refers to is anonymised, never deleted.",
        }
        widgets = {
            "retention_action": forms.RadioSelect,
            "reference_prefix": forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
            "meeting_weekday": forms.Select(choices=MEETING_WEEKDAYS),
            "meeting_start_time": forms.TimeInput(attrs={"type": "time"}),
        }
        error_messages = {
            "name": {"required": "Enter the MARAC's name", "unique": "There is already a MARAC with this name"},
            "police_force": {"required": "Enter the police force"},
            "meeting_frequency": {"required": "Choose how often the MARAC meets"},
            "meeting_weekday": {
                "required": "Choose the day the MARAC meets",
                "invalid": "Choose the day the MARAC meets",
                "max_value": "Choose a day from Monday to Friday",
            },
            "meeting_start_time": {
                "required": "Enter the time meetings start",
                "invalid": "Enter the time meetings start, like 09:30",
            },
            "bank_holiday_region": {"required": "Choose whose bank holidays apply"},
            "dash_threshold": number_errors(Marac, "dash_threshold", "the risk checklist score for visible high risk"),
            "idva_threshold": number_errors(Marac, "idva_threshold", "the risk checklist score for an IDVA referral"),
            "escalation_count": number_errors(Marac, "escalation_count", "the number of events for escalation"),
            "escalation_window_months": number_errors(
                Marac, "escalation_window_months", "the number of months for escalation", unit=" months"
            ),
            "minutes_per_case": number_errors(Marac, "minutes_per_case", "the minutes per case", unit=" minutes"),
            "minutes_per_information_case": number_errors(
                Marac, "minutes_per_information_case", "the minutes per information-only case", unit=" minutes"
            ),
            "repeat_definition": {"required": "Choose the definition of a repeat"},
            "retention_action": {
                "required": "Choose what happens to a case at the end of its retention period",
                "invalid_choice": "Choose what happens to a case at the end of its retention period",
            },
            "reference_prefix": {"required": PREFIX_REQUIRED, "max_length": PREFIX_TOO_LONG, "unique": PREFIX_TAKEN},
        }

    def clean_reference_prefix(self) -> str:
        # Typed in lower case, it is plainly meant in capitals: accept it rather than send the user back.
        prefix = str(self.cleaned_data["reference_prefix"] or "").upper()
        problem = prefix_problem(prefix)
        if problem:
            raise forms.ValidationError(problem)
        return prefix

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        dash, idva = cleaned.get("dash_threshold"), cleaned.get("idva_threshold")
        if dash is not None and idva is not None and idva > dash:
            self.add_error("idva_threshold", "The IDVA score must not be higher than the MARAC score")
        return cleaned


class AgencyMembershipForm(VersionedForm):
    """An agency's part in the MARAC. Editing one carries the version it was based on (VersionedForm), and
    marac.services.agency_membership_save checks it again under the row lock: two edits never overwrite each other."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency",
        error_messages={"required": "Choose the agency", "invalid_choice": "Choose one of the agencies listed"},
    )

    class Meta:
        model = MaracAgency
        fields = ["agency", "is_core", "representative", "deputies"]
        labels = {"is_core": "Core agency (expected at every meeting)", "representative": "Named representative"}
        widgets = {"deputies": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.marac = marac
        people = User.objects.filter(is_active=True, role_grants__marac=marac).distinct()
        self.fields["representative"].queryset = people  # type: ignore[attr-defined]
        self.fields["deputies"].queryset = people  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["agency"].queryset = Agency.objects.filter(pk=self.instance.agency_id)  # type: ignore[attr-defined]
            self.fields["agency"].disabled = True
        else:  # adding: there is no earlier version to be based on
            self.fields["agency"].queryset = agencies_free_to_join(marac)  # type: ignore[attr-defined]
            self.fields["version"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        agency = cleaned.get("agency")
        for field in ("representative", "deputies"):
            chosen = cleaned.get(field)
            people = [chosen] if isinstance(chosen, User) else list(chosen or [])
            if agency and any(person.agency_id != agency.pk for person in people):
                self.add_error(field, f"Choose people who work for {agency}")
        return cleaned


class AgencyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Agency
        fields = ["name", "agency_type"]
        labels = {"name": "Agency name", "agency_type": "Type of agency"}
        error_messages = {
            "name": {"required": "Enter the agency's name"},
            "agency_type": {"required": "Choose the type of agency"},
        }

    def __init__(self, *args: Any, marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marac = marac

    def clean_name(self) -> str:
        # The rule marac.services.agency_create holds too; only this MARAC's agencies, and those it may add, count.
        name = str(self.cleaned_data["name"]).strip()
        problem = agency_name_problem(marac=self.marac, name=name)
        if problem:
            raise forms.ValidationError(problem)
        return name


class PopulationFigureForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PopulationFigure
        fields = ["local_authority", "year", "adult_female_population"]
        labels = {"adult_female_population": "Women aged 16 and over"}
        error_messages = {
            "year": number_errors(PopulationFigure, "year", "the year"),
            "adult_female_population": {
                "required": "Enter the number of women aged 16 and over",
                "invalid": "The number of women aged 16 and over must be a whole number",
                "min_value": "The number of women aged 16 and over must be 0 or more",
            },
        }

    def __init__(self, *args: Any, marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.marac = marac
        self.fields["local_authority"] = forms.ChoiceField(
            choices=[(name, name) for name in marac.local_authorities],
            label="Local authority",
            error_messages={"required": "Choose the local authority"},
        )


class ClosureDayForm(forms.ModelForm):  # type: ignore[type-arg]
    """A local closure day (for example a council's extra day at Christmas): deadlines do not run on it."""

    class Meta:
        model = ClosureDay
        fields = ["day", "reason"]
        labels = {"day": "Date", "reason": "Why the MARAC is closed"}
        widgets = {"day": DateInput}
        error_messages = {
            "day": {"required": "Enter the date of the closure day", "invalid": "The date must be a real date"},
            "reason": {"required": "Enter why the MARAC is closed"},
        }

    def __init__(self, *args: Any, marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.marac = marac

    def clean_day(self) -> Any:
        day = self.cleaned_data["day"]
        # The rule marac.services.closure_day_add holds too, so no other caller gets round it.
        error = closure_day_date_error(day, today=timezone.localdate())
        if error:
            raise forms.ValidationError(error)
        if ClosureDay.objects.filter(marac=self.instance.marac, day=day).exists():
            raise forms.ValidationError(CLOSURE_DAY_TAKEN)
        return day


class PopulationImportForm(forms.Form):
    file = forms.FileField(
        label="Population CSV file",
        help_text="A .csv file of 1 MB or less.",
        error_messages={"required": "Choose a CSV file", "empty": "The selected file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a CSV file (ending .csv)")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be 1 MB or smaller")
        return upload
