from django import forms

from audit.models import AuditAction
from web.forms import DateInput


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    object_type = forms.CharField(required=False, label="Record type", help_text="For example cases.case")
    object_id = forms.CharField(required=False, label="Record id", max_length=40)
    # audit/selectors.py: a person is found by the address recorded at the time, an API credential by its name.
    actor = forms.CharField(
        required=False,
        label="Person's email address or API credential name contains",
        help_text="Part of an address or a name is enough, in capitals or not.",
        max_length=254,
    )
    date_from = forms.DateField(required=False, widget=DateInput, label="From")
    date_to = forms.DateField(required=False, widget=DateInput, label="To")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned
