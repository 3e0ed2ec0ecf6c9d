from typing import Any

from django import forms
from django.core.validators import validate_email

from accounts.emails import LOOKALIKE_MESSAGE, check_ascii, lookalike_taken
from accounts.models import Role, User
from marac.models import Agency, Marac


def _ascii_then_format(value: str) -> None:
    check_ascii(value)
    validate_email(value)


class UserForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ["full_name", "email", "agency"]
        labels = {"full_name": "Full name", "email": "Work email address"}
        error_messages = {
            "full_name": {
                "required": "Enter their full name",
                "max_length": "Their full name must be 150 characters or fewer",
            },
            "email": {
                "required": "Enter their work email address",
                "invalid": "Enter an email address in the correct format, like name@example.com",
                "unique": "There is already a user with this email address",
            },
            "agency": {
                "required": "Choose the agency they work for",
                "invalid_choice": "Choose the agency they work for from the list",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].required = True
        self.fields["agency"].label = "Agency they work for"
        self.fields["agency"].queryset = Agency.objects.all()  # type: ignore[attr-defined]
        # Plain ASCII first, with its own message; then the usual format check (its message from Meta).
        self.fields["email"].validators = [_ascii_then_format]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        check_ascii(email)  # no look-alike letters from other alphabets (accounts/emails.py)
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("There is already a user with this email address")
        if lookalike_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(LOOKALIKE_MESSAGE)
        return email


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(
        choices=Role.choices,
        widget=forms.RadioSelect,
        label="Role",
        error_messages={"required": "Choose the role to grant", "invalid_choice": "Choose one of the roles listed"},
    )

    def __init__(self, *args: Any, marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marac = marac
