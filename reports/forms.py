from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from reports.periods import PeriodKind
from web.dates import happened_error
from web.forms import DateInput


class PeriodForm(forms.Form):
    """A period to show figures for: left blank, the rolling 12 months to today, as the dashboard and the quality
    assurance summary both read it."""

    period = forms.ChoiceField(
        label="Period", choices=[(kind.value, kind.label) for kind in PeriodKind], required=False
    )
    on = forms.DateField(
        label="Containing the day (for rolling 12 months: ending on the day)",
        help_text="Leave blank for today.",
        required=False,
        widget=DateInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )

    def clean_on(self) -> date | None:
        return report_day(self.cleaned_data.get("on"))

    def period_kind(self) -> PeriodKind:
        return PeriodKind(self.cleaned_data.get("period") or PeriodKind.ROLLING_12_MONTHS)

    def day(self) -> date:
        chosen: date | None = self.cleaned_data.get("on")
        return chosen or timezone.localdate()


class ReportForm(PeriodForm):
    marac = forms.TypedMultipleChoiceField(
        label="MARACs", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, maracs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marac"].choices = maracs  # type: ignore[attr-defined]


def report_day(day: date | None) -> date | None:
    """A report's day: from the first MARAC (1 January 2003) to today. A report on a day to come would count a
    future that has not happened, and a day centuries away has no period around it (nor a year before it)."""
    if day is None:
        return None
    error = happened_error(day, today=timezone.localdate())
    if error:
        raise forms.ValidationError(error)
    return day
