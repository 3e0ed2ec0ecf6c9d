from typing import Any

from allauth.core import context as allauth_context
from allauth.mfa.base.forms import AuthenticateForm
from django import forms
from django.core.validators import validate_email

from accounts.adapters import WRONG_CODE_MESSAGE
from accounts.emails import LOOKALIKE_MESSAGE, check_ascii, lookalike_taken
from accounts.models import Role, User
from accounts.services import AGENCY_NOT_MEMBER
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
                "invalid_choice": AGENCY_NOT_MEMBER,
            },
        }

    def __init__(self, *args: Any, marac: Marac, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].required = True
        self.fields["agency"].label = "Agency they work for"
        # Only the agencies that take part in this MARAC: another MARAC's agencies are none of its users' business.
        agencies = Agency.objects.filter(memberships__marac=marac).distinct().order_by("name")
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
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


class AuthenticatorCodeField(forms.CharField):
    """The 6-digit code, as people type it: "123 456" is 123456."""

    def to_python(self, value: Any) -> str:
        return "".join(str(super().to_python(value)).split())


class AuthenticateCodeForm(AuthenticateForm):
    """allauth's sign-in code form (settings.MFA_FORMS), in the service's words; the check is allauth's."""

    code = AuthenticatorCodeField(
        label="Code",
        help_text="The 6-digit code shown in your authenticator app now",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)

    def clean_code(self) -> str:
        # allauth's check counts failures against the request (its rate limit). Outside a request (a script, the
        # form tests) there is nothing to sign in to: refuse every code rather than check one without a limit.
        if allauth_context.request is None:
            raise forms.ValidationError(WRONG_CODE_MESSAGE)
        code: str = super().clean_code()
        return code
