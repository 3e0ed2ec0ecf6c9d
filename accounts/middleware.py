from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
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
        if user.is_authenticated and not request.path.startswith(_ALLOWED_PREFIXES) and not is_mfa_enabled(user):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
