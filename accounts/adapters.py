import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.stages import LoginStageController
from allauth.account.utils import get_next_redirect_url
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from accounts.emails import check_ascii
from accounts.kept_form import redirect_path_for, redirect_path_instead_of, remember_signed_out
from accounts.models import User
from accounts.services import reset_link_lifetime
from accounts.signals import LOCKED_OUT, record_code_locked_out, record_failed_sign_in

WRONG_PASSWORD_MESSAGE = "Enter a correct email address and password"  # noqa: S105 (a message, not a password)
WRONG_CODE_MESSAGE = "The code is not correct. Check your authenticator app and enter the 6-digit code shown now"
# Shown for the lock-out of an account (5 failures in 15 minutes: config/settings/base.py ACCOUNT_RATE_LIMITS), or of
# a network that sent very many. The same words either way, and whether or not the address is an account's.
LOCKED_OUT_MESSAGE = (
    "There have been too many failed attempts to sign in. Wait 15 minutes, then try again, or reset your password. "
    "If it keeps happening, ask an administrator of your MARAC"
)

# The only allauth emails the service sends, each with OpenMARAC's own wording and no personal data
# (templates/account/email/). Any other (allauth's address verification, which names the user, its "your account
# changed" notices, which give a network address and browser) is dropped: the pages that would send one are closed
# (config/urls.py), and this makes sure a page missed, or added by an allauth upgrade, sends nothing either.
# The pages that ask for an authenticator code: to sign in, and again (signed in) before a sensitive change.
CODE_PAGES = frozenset({"mfa_authenticate", "mfa_reauthenticate"})
ALLAUTH_EMAILS_SENT = frozenset({"account/email/password_reset_key", "account/email/unknown_account"})

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are made by administrators; nobody signs themselves up."""

    # In the service's words (GOV.UK style) rather than allauth's.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": WRONG_PASSWORD_MESSAGE,
        "incorrect_code": WRONG_CODE_MESSAGE,
        "too_many_login_attempts": LOCKED_OUT_MESSAGE,
    }

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        if template_prefix not in ALLAUTH_EMAILS_SENT:
            # The template's name only: never the address.
            logger.warning("allauth email %s not sent: it is not one OpenMARAC sends", template_prefix)
            return
        super().send_mail(template_prefix, email, context)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """A sign-in refused by the lock-out is audited, as a wrong password is (accounts/signals.py): allauth refuses
        it before Django's authenticate, so no signal tells of it."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            record_failed_sign_in(typed_address=credentials.get("email"), summary=LOCKED_OUT)
            raise

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        """A code refused by the lock-out is audited, as a wrong code is (accounts/signals.py): allauth's code forms
        refuse it with this error before checking it (allauth.mfa.base.internal.flows.check_rate_limit), so no signal
        tells of it. On the sign-in page the password's lock-out raises it too, and pre_authenticate records that."""
        if code == "too_many_login_attempts" and (user := entering_a_code(allauth_context.request)) is not None:
            record_code_locked_out(user=user)
        return super().validation_error(code, *args)

    def send_password_reset_mail(self, user: AbstractBaseUser, email: str, context: dict[str, Any]) -> None:
        """The email says how long its link works (templates/account/email/password_reset_key_message.txt)."""
        super().send_password_reset_mail(user, email, {**context, "lifetime": reset_link_lifetime()})

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def clean_email(self, email: str) -> str:
        """Every address allauth is given (one added to an account, or typed to reset a password) is plain ASCII,
        as accounts/emails.py requires. The look-alike check is not made here: the reset form asks too, and would
        be refused the very address it is for. (Nobody adds an address to their own account: /accounts/email/ is
        closed, config/urls.py.)"""
        email = super().clean_email(email)
        check_ascii(email)
        return email

    def logout(self, request: HttpRequest) -> None:
        """Remembers, for the session that follows, who signed out and their pages' CSRF secret: a form they left
        open in another tab can then be kept for them if they sign in again (accounts/kept_form.py)."""
        user_id = request.user.pk if request.user.is_authenticated else None
        csrf_secret = request.META.get("CSRF_COOKIE")
        super().logout(request)
        if user_id is not None:
            remember_signed_out(request, user_id=user_id, csrf_secret=csrf_secret)

    def post_login(
        self,
        request: HttpRequest,
        user: AbstractBaseUser,
        *,
        email_verification: str,
        signal_kwargs: dict[str, Any] | None,
        email: str | None,
        signup: bool,
        redirect_url: str | None,
    ) -> HttpResponse:
        """The idle timeout's sign-in link carries `next`: the path the timed-out form was posted to. When that is
        the kept form's, signing in goes to the page the form was on (kept_form.redirect_path_instead_of), never
        to a URL that only answers a POST."""
        instead = redirect_path_instead_of(request, redirect_url or get_next_redirect_url(request))
        return super().post_login(
            request,
            user,
            email_verification=email_verification,
            signal_kwargs=signal_kwargs,
            email=email,
            signup=signup,
            redirect_url=instead or redirect_url,
        )

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Back to the page whose form was kept when the session timed out (accounts/kept_form.py), when no
        `next` was given; a path kept from this site's own request, never a URL from elsewhere."""
        return redirect_path_for(request) or super().get_login_redirect_url(request)


def entering_a_code(request: HttpRequest | None) -> User | None:
    """Whose authenticator code the request is checking, on a page that asks for one: the person signing in (past
    the password, not yet signed in), or the one signed in asked for a code again. None on any other page."""
    match = getattr(request, "resolver_match", None)
    if request is None or match is None or match.url_name not in CODE_PAGES:
        return None
    if match.url_name == "mfa_reauthenticate":
        return request.user if isinstance(request.user, User) else None
    stage = LoginStageController.enter(request, AuthenticateStage.key)
    return stage.login.user if stage is not None else None


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {**DefaultMFAAdapter.error_messages, "incorrect_code": WRONG_CODE_MESSAGE}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """An organisation's identity provider signs in people who already have an account, never creates one."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False
