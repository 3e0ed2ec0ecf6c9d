from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from marac.models import Agency
from reports import quality_rules as rules
from reports.models import BoardReport, FeedbackResponse, ImprovementAction, ImprovementPlan, QualityAudit, Rating
from reports.periods import PeriodKind
from web.choices import without_blank_choice
from web.dates import happened_error, too_early_error
from web.forms import DateInput, VersionedForm
from web.text import LONG_TEXT_MAX


def happened_on(day: date | None, subject: str) -> date | None:
    """A quality record's date (feedback received, an audit done): from 1 January 2003 to today (web/dates.py)."""
    if day is not None and (error := happened_error(day, today=timezone.localdate(), subject=subject)):
        raise forms.ValidationError(error)
    return day


class ReviewForm(forms.Form):
    period_start = forms.DateField(
        label="Plans heard from", widget=DateInput, error_messages={"required": "Enter the first day of the period"}
    )
    period_end = forms.DateField(
        label="Plans heard to", widget=DateInput, error_messages={"required": "Enter the last day of the period"}
    )
    sample_size = forms.IntegerField(label="How many plans to sample", min_value=1, max_value=100, initial=10)
    seed = forms.IntegerField(
        label="Seed",
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text="Leave blank for a new sample. The same seed and period draw the same plans again.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        for name, day, subject in (("period_start", start, "The first"), ("period_end", end, "The last")):
            # Plans heard before the first MARAC (1800 for 2018) are a slip; a period may run on past today.
            if day and (error := too_early_error(day, subject=f"{subject} day of the period")):
                self.add_error(name, error)
        if start and end and end < start:
            self.add_error("period_end", "The end must be on or after the start")
        return cleaned


class PlanScoreForm(forms.Form):
    """One rating and comment for each of WM's statements on action planning."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, scores: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, text in rules.ACTION_PLAN_STATEMENTS:
            rating, comment = scores.get(key, ("", ""))
            self.fields[f"rating_{key}"] = forms.ChoiceField(
                label=text, choices=Rating.choices, widget=forms.RadioSelect, initial=rating or None
            )
            self.fields[f"comment_{key}"] = forms.CharField(
                label="Comment",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=comment,
            )

    def ratings(self) -> dict[str, tuple[str, str]]:
        return {
            key: (self.cleaned_data[f"rating_{key}"], self.cleaned_data[f"comment_{key}"])
            for key, _ in rules.ACTION_PLAN_STATEMENTS
        }


_SCORE_CHOICES = [("", "No answer"), *((str(score), str(score)) for score in rules.SCORE_RANGE)]


class FeedbackForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = FeedbackResponse
        fields = ["received_on", "score_1", "score_2", "score_3", "comment"]
        widgets = {"received_on": DateInput}
        error_messages = {"received_on": {"required": "Enter the date the feedback was received"}}
        labels = {"comment": "Comment (do not write anything that identifies anyone)"}

    def __init__(self, *args: Any, respondent: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, question in enumerate(rules.FEEDBACK_QUESTIONS[respondent], start=1):
            self.fields[f"score_{index}"] = forms.TypedChoiceField(
                label=f"{question} (1 strongly disagree, 5 strongly agree)",
                choices=_SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def clean_received_on(self) -> date | None:
        return happened_on(self.cleaned_data.get("received_on"), "The date the feedback was received")

    def scores(self) -> list[int | None]:
        return [self.cleaned_data[f"score_{index}"] for index in (1, 2, 3)]


class QualityAuditForm(VersionedForm):
    class Meta:
        model = QualityAudit
        fields = ["kind", "carried_out_on", "agencies", "scope", "findings", "recommendations"]
        widgets = {"carried_out_on": DateInput, "kind": forms.RadioSelect, "agencies": forms.CheckboxSelectMultiple}
        error_messages = {"carried_out_on": {"required": "Enter the date the audit was carried out"}}

    def __init__(self, *args: Any, marac_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(memberships__marac_id=marac_id)  # type: ignore[attr-defined]
        without_blank_choice(self.fields["kind"])  # radios: no "- Select an option -" ticked before anyone chose
        self.initial.setdefault("version", 1)

    def clean_carried_out_on(self) -> date | None:
        return happened_on(self.cleaned_data.get("carried_out_on"), "The date the audit was carried out")


class ImprovementPlanForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ImprovementPlan
        fields = ["title", "agreed_on"]
        widgets = {"agreed_on": DateInput}
        error_messages = {"agreed_on": {"required": "Enter the date the plan was agreed"}}

    def clean_agreed_on(self) -> date | None:
        return happened_on(self.cleaned_data.get("agreed_on"), "The date the plan was agreed")


class ImprovementActionForm(VersionedForm):
    class Meta:
        model = ImprovementAction
        fields = ["action", "owner", "due_on", "status"]
        widgets = {"due_on": DateInput}
        error_messages = {"due_on": {"required": "Enter the date the action is due"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", 1)


class BoardReportNewForm(forms.Form):
    """Starting a board report: the period it covers, its date's errors naming the board report. (The quality
    assurance summary chooses its period with reports.forms.PeriodForm, as the dashboard does.)"""

    period = forms.ChoiceField(label="Period", choices=[(kind.value, kind.label) for kind in PeriodKind])
    on = forms.DateField(
        label="Containing the day (for rolling 12 months: ending on the day)",
        widget=DateInput,
        initial=timezone.localdate,
        error_messages={
            "required": "Enter the day the board report covers",
            "invalid": "Enter a real date for the board report",
        },
    )

    def clean_on(self) -> date | None:
        # A report's day (as reports/forms.py: report_day), from 1 January 2003 to today, naming the board report.
        return happened_on(self.cleaned_data.get("on"), "The date of the board report")


class BoardReportForm(VersionedForm):
    class Meta:
        model = BoardReport
        fields = ["overview", "indicators_commentary", "quality_commentary"]
        labels = {
            "overview": "Overview",
            "indicators_commentary": "Commentary on the indicators",
            "quality_commentary": "Commentary on quality assurance",
        }
        help_texts = {"overview": "Write nothing that could identify a victim, a child or anyone else in a case."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:  # the model's TextFields have no limit: the form keeps them to a long text's
            field = self.fields[name]
            assert isinstance(field, forms.CharField)
            field.max_length = LONG_TEXT_MAX
            field.validators.append(MaxLengthValidator(LONG_TEXT_MAX))
            field.widget.attrs.update(field.widget_attrs(field.widget))  # maxlength, as the other long texts have
