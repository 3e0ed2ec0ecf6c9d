import datetime
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Role
from api.services import MAX_LIFETIME_DAYS, REVOCATION_REASON_REQUIRED, credential_name_taken, name_taken_message
from marac.models import Agency, Marac
from web.forms import DateInput

# A credential may hold any role but administrator: a partner system never manages users or credentials.
CREDENTIAL_ROLES = [(role.value, role.label) for role in Role if role != Role.ADMINISTRATOR]


class CredentialIssueForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="What is it for?",
        help_text="For example: Northbrook Constabulary records system. Each credential at this MARAC has its own"
        " name.",
        error_messages={
            "required": "Enter what the credential is for",
            "max_length": "What the credential is for must be 120 characters or fewer",
        },
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency",
        help_text="The agency whose system will use it",
        error_messages={
            "required": "Choose the agency whose system will use it",
            "invalid_choice": "Choose an agency that is a member of this MARAC",
        },
    )
    roles = forms.MultipleChoiceField(
        choices=CREDENTIAL_ROLES,
        widget=forms.CheckboxSelectMultiple,
        label="Roles it holds at this MARAC",
        help_text="It may do exactly what a person of that agency with these roles may do, and no more. A credential"
        " with a case role (coordinator, chair, agency representative, IDVA) works only once a coordinator or"
        " another administrator approves it.",
        error_messages={"required": "Choose at least one role"},
    )
    expires_on = forms.DateField(
        widget=DateInput,
        label="Expires on",
        help_text=f"At most {MAX_LIFETIME_DAYS // 365} years from today",
        error_messages={"required": "Enter the expiry date", "invalid": "The expiry date must be a real date"},
    )

    def __init__(self, *args: Any, marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marac = marac
        agencies = Agency.objects.filter(memberships__marac=marac).distinct().order_by("name")
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["expires_on"] = timezone.localdate() + datetime.timedelta(days=365)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if credential_name_taken(marac=self.marac, name=name):
            raise forms.ValidationError(name_taken_message(name))
        return name

    def clean_expires_on(self) -> datetime.date:
        expires_on: datetime.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on <= today:
            raise forms.ValidationError("The expiry date must be in the future")
        if expires_on > today + datetime.timedelta(days=MAX_LIFETIME_DAYS):
            raise forms.ValidationError(f"The expiry date must be within {MAX_LIFETIME_DAYS // 365} years from today")
        return expires_on


class CredentialRevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are you revoking it?",
        help_text="For example: the agency reports that its system has been compromised. Do not name the people in"
        " any case.",
        error_messages={
            "required": REVOCATION_REASON_REQUIRED,
            "max_length": "Why you are revoking it must be 500 characters or fewer",
        },
    )
