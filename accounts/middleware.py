import time
from collections.abc import Callable
from typing import Any

from allauth.mfa.signals import authenticator_removed
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from accounts.kept_form import keep_if_timed_out, show_if_not_taken

# The idle timeout: a session ends SESSION_COOKIE_AGE seconds after it was last saved (its expire_date in the
# database). Saving it on every request (SESSION_SAVE_EVERY_REQUEST) costs an UPDATE on every page; instead it is
# saved when something in it changed or when it was last saved more than ACTIVITY_SAVE_SECONDS ago, so a session
# can end up to that many seconds before the full idle time has passed, never after.
ACTIVITY_SAVE_SECONDS = 60
_ACTIVITY_SESSION_KEY = "openmarac_active_at"


class IdleTimeoutMiddleware:
    """Keeps the session alive while its user is active; sits just inside SessionMiddleware, which saves it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None:
            return response
        warning = _is_timeout_warning(request)
        if not warning:  # its POST holds no typing, so a "Stay signed in" sent too late keeps nothing
            keep_if_timed_out(request, response)  # a form posted just after the timeout: what was typed is kept
            response = show_if_not_taken(request, response)  # and shown again, where the page did not show it
        saved_at = int(session.get(_ACTIVITY_SESSION_KEY, 0))
        if session.is_empty():  # none, expired, or just flushed (signing out): nothing to keep alive
            if warning:
                # SessionMiddleware deletes the cookie of a session that has ended. Asking whether it has must not:
                # the cookie still tells whose it was, so that a form posted from another tab is kept for them.
                request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
            return response
        now = int(time.time())
        # The warning asking how long is left is not activity: a tab left open must not keep the session alive.
        if session.modified or (not warning and now - saved_at >= ACTIVITY_SAVE_SECONDS):
            session[_ACTIVITY_SESSION_KEY] = now  # marks it modified: SessionMiddleware saves it, renewing its expiry
        return response


def _is_timeout_warning(request: HttpRequest) -> bool:
    """A request from the warning before the idle timeout (accounts.views.session), signed in or not."""
    match = getattr(request, "resolver_match", None)  # set once the URL is resolved, before the view runs
    return match is not None and match.view_name == "accounts:session"


def renew(session: SessionBase) -> None:
    """Saves the session at the end of this request, so that its idle time starts again ("Stay signed in")."""
    session[_ACTIVITY_SESSION_KEY] = int(time.time())


def seconds_left(session: SessionBase) -> int:
    """Seconds until the idle timeout ends the session: what its row's expiry says, for the database-backed
    sessions OpenMARAC uses, which is what decides; otherwise worked out from when it was last saved."""
    if hasattr(session, "get_model_class") and session.session_key:
        expiry = (
            session.get_model_class()
            .objects.filter(session_key=session.session_key)
            .values_list("expire_date", flat=True)
            .first()
        )
        if expiry is not None:
            return max(0, int((expiry - timezone.now()).total_seconds()))
    saved_at = int(session.get(_ACTIVITY_SESSION_KEY, 0))
    return max(0, saved_at + int(settings.SESSION_COOKIE_AGE) - int(time.time()))


# Pages a signed-in user without a second factor may still reach: setting one up, and signing out.
_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",  # allauth asks for the password again before an authenticator is added
    "/accounts/logout/",
    "/you/session/",  # the warning before the idle timeout: the setup page must not time out unannounced either
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
