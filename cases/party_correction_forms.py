from typing import Any

from django import forms

NEW, CHOSEN = "new", "chosen"


class PartyCorrectionForm(forms.Form):
    """Where this person on the case belongs: a new record made from the referral, or a record held here, by the
    number in its page's address. `version` is the case's when the page was opened."""

    to = forms.ChoiceField(
        label="Which person record should this case be on for them?",
        choices=[
            (NEW, "A new person record, made from what the referral said about them"),
            (CHOSEN, "Another person record already held at this MARAC"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a new person record or another record held here"},
    )
    person_number = forms.IntegerField(
        label="Person record number (if another record)",
        help_text="The number in the address of that person's page: for /people/1234/, write 1234.",
        required=False,
        min_value=1,
        error_messages={"invalid": "Write the person record number in figures, like 1234"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("to") == CHOSEN and not cleaned.get("person_number"):
            self.add_error("person_number", "Write the number of the person record to move the case to")
        return cleaned

    def to_person_id(self) -> int | None:
        return self.cleaned_data["person_number"] if self.cleaned_data["to"] == CHOSEN else None
