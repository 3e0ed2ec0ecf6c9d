from typing import Any

from django import forms

from marac.models import Marac
from meetings import emergency_rules
from web.forms import DateInput


class ReturnForm(forms.Form):
    reasons = forms.CharField(
        label="What is missing or needs correcting",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The referrer sees this. Do not repeat personal details here that are not in the referral.",
        error_messages={"required": "Say what is missing or needs correcting"},
    )


class TransferForm(forms.Form):
    """The receiving MARAC: one of this installation's, or, when it does not use OpenMARAC here, its name. With no
    other MARAC in the installation there is nothing to choose from, so only the name is asked for."""

    to_marac = forms.ModelChoiceField(
        queryset=Marac.objects.none(),
        required=False,
        empty_label="Choose a MARAC",
        label="The MARAC where the victim now normally lives",
    )
    to_marac_name = forms.CharField(
        label="If it is not in the list, the name of the MARAC",
        max_length=120,
        required=False,
        help_text="For a MARAC that does not use OpenMARAC here. For example: Eastvale MARAC. "
        "Record its name, then send the referral to it by its usual secure route.",
        error_messages={"max_length": "The name must be 120 characters or fewer"},
    )
    reason = forms.CharField(
        label="Why this MARAC should lead",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Both MARACs' coordinators see this. Do not write the victim's new address or contact details "
        "here: for example, write 'moved permanently to the area', not where to.",
        error_messages={"required": "Say why the other MARAC should lead, for example a permanent move"},
    )

    def __init__(self, *args: Any, from_marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.from_marac = from_marac
        others = Marac.objects.exclude(pk=from_marac.pk)
        if others.exists():
            self.fields["to_marac"].queryset = others  # type: ignore[attr-defined]
        else:
            del self.fields["to_marac"]
            self.fields["to_marac_name"].label = "The name of the MARAC where the victim now normally lives"
            self.fields["to_marac_name"].help_text = (
                "No other MARAC uses OpenMARAC here. For example: Eastvale MARAC. "
                "Record its name, then send the referral to it by its usual secure route."
            )

    def clean_to_marac_name(self) -> str:
        name = " ".join(self.cleaned_data["to_marac_name"].split())
        if not name:
            return name
        if name.casefold() == self.from_marac.name.casefold():
            raise forms.ValidationError("That is this MARAC: enter the MARAC the victim has moved to")
        here = Marac.objects.filter(name__iexact=name).first() if "to_marac" in self.fields else None
        if here is not None:
            raise forms.ValidationError(f"{here.name} uses OpenMARAC here: choose it from the list instead")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen, named = cleaned.get("to_marac"), cleaned.get("to_marac_name")
        if "to_marac_name" in self.errors:
            return cleaned
        if chosen and named:
            self.add_error("to_marac_name", "Choose a MARAC from the list or enter the name of one, not both")
        elif not chosen and not named:
            if "to_marac" in self.fields:
                self.add_error(
                    "to_marac", "Choose the MARAC to transfer to, or enter its name if it is not in the list"
                )
            else:
                self.add_error("to_marac_name", "Enter the name of the MARAC to transfer to")
        return cleaned


class EmergencyMeetingForm(forms.Form):
    day = forms.DateField(
        label="Date of the emergency MARAC",
        widget=DateInput,
        error_messages={"required": "Enter the date of the emergency MARAC", "invalid": "Enter a real date"},
    )
    at = forms.TimeField(
        label="Start time",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": "Enter the start time", "invalid": "Enter a real time, for example 14:00"},
    )

    def confirmed_day(self) -> str:
        """The day and time as the warning page's hidden confirmed_day carries them (once valid): 2026-11-28T10:00."""
        return f"{self.cleaned_data['day'].isoformat()}T{self.cleaned_data['at']:%H:%M}"

    def confirms_its_day(self) -> bool:
        """Whether the post confirmed this very day and time: one changed on the warning page is checked afresh. A
        day alone (pages from before times were asked about) confirms a time within working hours only."""
        sent = self.data.get("confirmed_day")
        if sent == self.confirmed_day():
            return True
        in_hours = emergency_rules.emergency_time_warning(self.cleaned_data["at"]) is None
        return in_hours and sent == self.cleaned_data["day"].isoformat()

    def clean(self) -> dict[str, Any]:
        from datetime import datetime

        from django.utils import timezone

        cleaned = super().clean() or {}
        if cleaned.get("day") and cleaned.get("at"):
            starts_at = datetime.combine(cleaned["day"], cleaned["at"], tzinfo=timezone.get_current_timezone())
            if starts_at <= timezone.now():
                self.add_error("day", "The emergency MARAC must be in the future")
            elif error := emergency_rules.emergency_date_error(cleaned["day"], today=timezone.localdate()):
                self.add_error("day", error)  # an emergency is not a year away: 2099 for 2026 is a slip
            cleaned["starts_at"] = starts_at
        return cleaned
