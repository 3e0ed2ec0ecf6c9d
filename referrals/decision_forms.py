from typing import Any

from django import forms

from marac.models import Marac


class ReturnForm(forms.Form):
    reasons = forms.CharField(
        label="What is missing or needs correcting",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The referrer sees this. Do not repeat personal details here that are not in the referral.",
        error_messages={"required": "Say what is missing or needs correcting"},
    )


class TransferForm(forms.Form):
    to_marac = forms.ModelChoiceField(
        queryset=Marac.objects.none(),
        label="The MARAC where the victim now normally lives",
        error_messages={"required": "Choose the MARAC to transfer to"},
    )
    reason = forms.CharField(
        label="Why this MARAC should lead",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the other MARAC should lead, for example a permanent move"},
    )

    def __init__(self, *args: Any, from_marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_marac"].queryset = Marac.objects.exclude(pk=from_marac.pk)  # type: ignore[attr-defined]


class EmergencyMeetingForm(forms.Form):
    day = forms.DateField(
        label="Date of the emergency MARAC",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date of the emergency MARAC", "invalid": "Enter a real date"},
    )
    at = forms.TimeField(
        label="Start time",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": "Enter the start time", "invalid": "Enter a real time, for example 14:00"},
    )

    def clean(self) -> dict[str, Any]:
        from datetime import datetime

        from django.utils import timezone

        cleaned = super().clean() or {}
        if cleaned.get("day") and cleaned.get("at"):
            starts_at = datetime.combine(cleaned["day"], cleaned["at"], tzinfo=timezone.get_current_timezone())
            if starts_at <= timezone.now():
                self.add_error("day", "The emergency MARAC must be in the future")
            cleaned["starts_at"] = starts_at
        return cleaned
