from collections.abc import Callable
from typing import Any

from allauth.mfa.signals import authenticator_removed
from allauth.mfa.utils import is_mfa_enabled
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Pages a signed-in user without a second factor may still reach: setting one up, and signing out.
_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",  # allauth asks for the password again before an authenticator is added
    "/accounts/logout/",
    "/static/",
    "/assets/",
    "/healthz",
)


class RequireMultiFactorMiddleware:
    """Every signed-in user must set up an authenticator app before seeing anything else.

    The issue asks for MFA on every role that can see case data; administrators manage who sees it and
    board viewers see figures drawn from it, so OpenMARAC asks it of everyone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_ALLOWED_PREFIXES) and not _has_mfa(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


# Whether the signed-in user has an authenticator, kept in the session once it is true (a query on every request
# otherwise), under the user's id so that it never carries over to another user; forgotten when one is removed.
_MFA_SESSION_KEY = "openmarac_mfa_enabled_for"


def _has_mfa(request: HttpRequest) -> bool:
    if request.session.get(_MFA_SESSION_KEY) == request.user.pk:
        return True
    if is_mfa_enabled(request.user):
        request.session[_MFA_SESSION_KEY] = request.user.pk
        return True
    return False


@receiver(authenticator_removed)
def _forget_mfa(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(_MFA_SESSION_KEY, None)
