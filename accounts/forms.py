from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import (
    ChangePasswordForm,
    LoginForm,
    ReauthenticateForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
)
from allauth.core import context as allauth_context
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as ReauthenticateCodeForm
from django import forms
from django.core.validators import validate_email

from accounts.adapters import WRONG_CODE_MESSAGE, WRONG_PASSWORD_MESSAGE
from accounts.emails import check_ascii, lookalike_refusal
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
        self.marac = marac
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
        # Said only of users this MARAC's administrators may see: of anyone else's, nothing (accounts/emails.py).
        if (refusal := lookalike_refusal(email, marac=self.marac, exclude_pk=self.instance.pk)) is not None:
            raise forms.ValidationError(refusal)
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


def _code_field(help_text: str) -> AuthenticatorCodeField:
    return AuthenticatorCodeField(
        label="Code",
        help_text=help_text,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


class _CodeCheckedInARequest:
    """allauth's check counts failures against the request (its rate limit). Outside a request (a script, the form
    tests) there is nothing to sign in to: refuse every code rather than check one without a limit."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)  # type: ignore[call-arg]

    def clean_code(self) -> str:
        if allauth_context.request is None:
            raise forms.ValidationError(WRONG_CODE_MESSAGE)
        code: str = super().clean_code()  # type: ignore[misc]
        return code


class AuthenticateCodeForm(_CodeCheckedInARequest, AuthenticateForm):
    """allauth's sign-in code form (settings.MFA_FORMS), in the service's words; the check is allauth's."""

    code = _code_field("The 6-digit code shown in your authenticator app now")


# --- allauth's account forms in the service's words (settings.ACCOUNT_FORMS) ------------------------------------------
# Labels in sentence case, each error saying what to do, and no placeholders: allauth's repeat the label, and a
# placeholder vanishes as soon as someone types (GOV.UK asks for none). allauth's checks are unchanged.

_WORDS = {  # field name: its label, and what to do when it is left empty
    "login": ("Email address", "Enter your email address"),
    "email": ("Email address", "Enter your email address"),
    "password": ("Password", "Enter your password"),
    "oldpassword": ("Current password", "Enter your current password"),
    "password1": ("New password", "Enter a new password"),
    "password2": ("Confirm your new password", "Enter your new password again"),
}
_EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def _in_service_words(form: forms.Form) -> None:
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if name in _WORDS:
            field.label, field.error_messages["required"] = _WORDS[name]
        if isinstance(field, forms.EmailField):
            field.error_messages["invalid"] = _EMAIL_FORMAT  # in place of the format check's own message


class SignInForm(LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _in_service_words(self)
        # The sign-in page has its own "Forgotten your password?" link, beside the button: not a second one here.
        self.fields["password"].help_text = ""

    def clean(self) -> Any:
        # allauth checks the password against the request (its sign-in limits); outside one, nothing is checked.
        if self.request is None:
            raise forms.ValidationError(WRONG_PASSWORD_MESSAGE)
        return super().clean()


class PasswordResetRequestForm(ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _in_service_words(self)


class PasswordResetKeyForm(ResetPasswordKeyForm):
    def __init__(self, *args: Any, user: Any = None, temp_key: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, temp_key=temp_key, **kwargs)
        _in_service_words(self)


class PasswordChangeForm(ChangePasswordForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _in_service_words(self)


class ReauthenticatePasswordForm(ReauthenticateForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _in_service_words(self)

    def clean_password(self) -> str:
        # allauth checks the password against the request (its rate limit); outside one, nothing is checked.
        if allauth_context.request is None:
            raise get_account_adapter().validation_error("incorrect_password")
        password: str = super().clean_password()
        return password


class ReauthenticateAuthenticatorForm(_CodeCheckedInARequest, ReauthenticateCodeForm):
    """The code asked for again before a sensitive change (settings.MFA_FORMS), worded as at sign-in."""

    code = _code_field("The 6-digit code shown in your authenticator app now, or a recovery code")
