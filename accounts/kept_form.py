"""What someone had typed when their session ended, kept so that it is not lost ("drafts are never lost").

A form posted from a browser whose session has just ended through the idle timeout is refused (the page asks to
sign in). Before that answer goes out, IdleTimeoutMiddleware calls `keep_if_timed_out`: the session's row is
still in the database after it expired, so the cookie the browser sent names the user it belonged to. The posted
fields (not the CSRF token, passwords or files; at most MAX_KEPT_BYTES) are kept in the browser's new session,
encrypted like a referral's content (people.encryption), together with the path posted to, the page the form was
on (`_form_page`: the Referer's path when it is this site's, else the path posted to) and that user's id. The two
differ for a form that posts to a POST-only URL (the live meeting's minute, actions, outcome...): signing in leads
back to the page the form was on, never to a URL that only answers a POST.

After the same user signs in again (password and authenticator code) they are sent back to that page
(`redirect_path_for`), and the page's view calls `take` on its GET: it gets the kept fields once, as the form's
data, and shows them filled in but not saved, with the banner KEPT_MESSAGE; saving goes through the page's normal
handling (permission checks, the version check).

Re-displaying, rather than replaying the POST, is deliberate: the user checks what is on the page before anything
is saved. A page whose view does not call `take` (only the referral sections do so far) still loses nothing:
`show_if_not_taken` answers its first GET with a page listing what was typed, to copy from, and a link on to the
page itself.

Anyone else who signs in from that browser never sees it: it is discarded when they sign in
(`discard_for_other_users`, on user_logged_in), and `take` checks the user as well. It lasts KEPT_FOR_SECONDS at
most, and no longer than the anonymous session holding it (the idle timeout, while the sign-in page sits open).
A form posted up to KEPT_AFTER_TIMEOUT_SECONDS (a working day) after its session timed out is kept.

The same keeping serves a form refused by the CSRF check after its user signed out and in again in another tab
(`keep_after_csrf_failure`, web/csrf.py), when the refused token proves the page was that same user's.

When the user cannot be told (no cookie, or the expired row is gone: `manage.py clearsessions`), nothing is kept:
the text could otherwise be shown to whoever signed in next. The sign-in page then says that what was typed was not
saved (NOT_KEPT_MESSAGE), as it does when the form was too large to keep. Nothing here is ever logged.
"""

import json
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import DisallowedHost
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import (  # type: ignore[attr-defined]  # Django's own unmasking, not in the stubs
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.shortcuts import render, resolve_url
from django.template.defaultfilters import pluralize
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme

from people.encryption import UndecryptableValue, decrypt_text, encrypt_text

SESSION_KEY_KEPT = "openmarac_kept_form"
NOT_KEPT_KEY = "openmarac_form_not_kept"
NOT_KEPT_MESSAGE = (
    "What you had typed on the page you were on was not saved: your session had ended. "
    "Your browser's back button may still show it, to copy from."
)
KEPT_FOR_SECONDS = 60 * 60
# How long after a session timed out a form posted from it is still kept: a working day, for a form left open over
# lunch or a long meeting. The text is only ever shown to the same user, after their password and authenticator code.
KEPT_AFTER_TIMEOUT_SECONDS = 12 * 60 * 60
MAX_KEPT_BYTES = 200 * 1024
KEPT_MESSAGE = "We kept what you had typed. Check it and save."

# Never kept: the CSRF token (a new page has its own), and anything like a password or an authenticator code.
_DROPPED_FIELDS = {"csrfmiddlewaretoken", "code", "password", "password1", "password2", "oldpassword"}
# Sign-in, password and authenticator pages are never kept; nor the JSON API (it has no session to time out).
_NEVER_KEPT_PREFIXES = ("/accounts/", "/api/", "/static/", "/assets/")


def idle_minutes() -> int:
    return int(settings.SESSION_COOKIE_AGE) // 60


def _is_local_path(path: str) -> bool:
    return (
        path.startswith("/")
        and not path.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(path, allowed_hosts=None)
    )


def _form_page(request: HttpRequest) -> str:
    """The page the form was on: the Referer's path when it is this site's (same scheme and host; the site sends
    Referrer-Policy: same-origin), else the path the form was posted to. Never an outside URL, never a query."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer:
        try:
            parts = urlsplit(referer)
            host = request.get_host()
        except (ValueError, DisallowedHost):
            return request.path
        if parts.scheme == request.scheme and parts.netloc == host:
            path = parts.path
            if _is_local_path(path) and not path.startswith(_NEVER_KEPT_PREFIXES):
                return path
    return request.path


def _page(kept: dict[str, Any]) -> str:
    """Where the kept form is shown again (kept before this was recorded: the path posted to)."""
    return str(kept.get("page") or kept.get("path"))


def _user_of_expired_session(request: HttpRequest) -> int | None:
    """The id of the user whose session the browser's cookie named, if that session ended within
    KEPT_AFTER_TIMEOUT_SECONDS.

    Only for database-backed sessions, whose rows stay until `clearsessions`; the row is read, never revived."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    store = getattr(request, "session", None)
    if not session_key or store is None or not hasattr(store, "get_model_class"):
        return None
    from django.utils import timezone

    row = store.get_model_class().objects.filter(session_key=session_key).first()
    if row is None or row.expire_date > timezone.now():
        return None  # gone, or still live (then the request was refused for another reason)
    if (timezone.now() - row.expire_date).total_seconds() > KEPT_AFTER_TIMEOUT_SECONDS:
        return None
    try:
        data = store.decode(row.session_data)
    except Exception:  # a tampered or unreadable row is simply not used
        return None
    user_id = data.get(SESSION_KEY)
    try:
        return int(user_id) if user_id is not None else None
    except (TypeError, ValueError):
        return None


def _fields(request: HttpRequest) -> list[list[Any]] | None:
    fields = [
        [name, request.POST.getlist(name)]
        for name in request.POST
        if name not in _DROPPED_FIELDS and "password" not in name.lower()
    ]
    if len(json.dumps(fields).encode()) > MAX_KEPT_BYTES:
        return None
    return fields


def keep_if_timed_out(request: HttpRequest, response: HttpResponse) -> None:
    """After a form POST from a timed-out session was sent to sign in: keep what was typed for its user."""
    if request.method != "POST" or response.status_code != 302:
        return
    if not response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL)):
        return
    if request.path.startswith(_NEVER_KEPT_PREFIXES) or not _is_local_path(request.path):
        return
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return
    user_id = _user_of_expired_session(request)
    session = request.session
    if user_id is None:
        # Whose text it was cannot be told (the session ended too long ago, or its row was cleared): nothing is
        # kept, and the sign-in page says so rather than leave them to find the form empty. A browser that sent no
        # session at all gets no session made for it here.
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            session[NOT_KEPT_KEY] = True
        return
    session["openmarac_timed_out"] = idle_minutes()
    fields = _fields(request)
    if fields is not None:
        _store(request, user_id, fields)
    else:
        session[NOT_KEPT_KEY] = True


def _store(request: HttpRequest, user_id: int, fields: list[list[Any]]) -> None:
    request.session[SESSION_KEY_KEPT] = {
        "user": user_id,
        "path": request.path,
        "page": _form_page(request),
        "at": int(time.time()),
        "fields": encrypt_text(json.dumps(fields)),
    }


# Signing out and in again in another tab gives the browser a new CSRF secret, so a form left open in the first
# tab is refused. Whose page it was is proved by its token: on signing out, the session that follows keeps who
# signed out and a keyed hash of the CSRF secret their pages carried; kept through the next sign-in only if the
# same person signs in.
_SIGNED_OUT_KEY = "openmarac_signed_out"


def _secret_hash(secret: str) -> str:
    return salted_hmac("openmarac.kept_form.csrf", secret, algorithm="sha256").hexdigest()


def remember_signed_out(request: HttpRequest, *, user_id: int, csrf_secret: str | None) -> None:
    """Called just after signing out, with the id and CSRF secret the signed-out session had."""
    if csrf_secret and hasattr(request, "session"):
        request.session[_SIGNED_OUT_KEY] = {"user": user_id, "csrf": _secret_hash(csrf_secret), "at": int(time.time())}


def keep_after_csrf_failure(request: HttpRequest, reason: str) -> str | None:
    """A form refused because its page was from before signing in again: kept if it is provably the same user's.

    Proof: the posted token unmasks to the CSRF secret of the session that signed out, and the user who signed
    out is the one signed in now. Otherwise (another user, a missing or unknown token) nothing is kept.
    Returns the page to show it on (see `_form_page`), or None when nothing was kept."""
    user = getattr(request, "user", None)
    if request.method != "POST" or user is None or not user.is_authenticated or not reason.endswith("incorrect."):
        return None
    if request.path.startswith(_NEVER_KEPT_PREFIXES) or not _is_local_path(request.path):
        return None
    signed_out = request.session.get(_SIGNED_OUT_KEY)
    if not isinstance(signed_out, dict) or signed_out.get("user") != user.pk:
        return None
    if int(time.time()) - int(signed_out.get("at", 0)) > KEPT_FOR_SECONDS:
        return None
    token = str(request.POST.get("csrfmiddlewaretoken", ""))
    if len(token) == CSRF_TOKEN_LENGTH:
        try:
            token = _unmask_cipher_token(token)
        except ValueError:  # not a token of ours
            return None
    if not constant_time_compare(_secret_hash(token), str(signed_out.get("csrf"))):
        return None
    fields = _fields(request)
    if fields is None:
        return None
    _store(request, user.pk, fields)
    return _page(request.session[SESSION_KEY_KEPT])


def keep_for_signed_in_user(request: HttpRequest) -> str | None:
    """A form posted by someone signed in, refused before it could be saved for a reason they can put right on
    another page (a restricted case's 30-minute reason had run out): kept for them, to be shown again on the page
    the form was on once they come back to it. Returns that page, or None when nothing was kept (too large, not a
    POST, or a page whose forms are never kept)."""
    user = getattr(request, "user", None)
    if request.method != "POST" or user is None or not user.is_authenticated:
        return None
    if request.path.startswith(_NEVER_KEPT_PREFIXES) or not _is_local_path(request.path):
        return None
    fields = _fields(request)
    if fields is None:
        return None
    _store(request, user.pk, fields)
    return _page(request.session[SESSION_KEY_KEPT])


def _kept(request: HttpRequest) -> dict[str, Any] | None:
    kept = request.session.get(SESSION_KEY_KEPT)
    if not isinstance(kept, dict):
        return None
    expired = int(time.time()) - int(kept.get("at", 0)) > KEPT_FOR_SECONDS
    if expired or not _is_local_path(str(kept.get("path"))) or not _is_local_path(_page(kept)):
        request.session.pop(SESSION_KEY_KEPT, None)
        return None
    return kept


def sign_in_notice(request: HttpRequest) -> str:
    """What the sign-in page says about a session that ended through the idle timeout (empty if nothing)."""
    session = getattr(request, "session", None)
    if session is None or request.user.is_authenticated:
        return ""
    minutes = int(session.get("openmarac_timed_out") or 0)
    notice = (
        f"You were signed out because you were inactive for {minutes} minute{pluralize(minutes)}. " if minutes else ""
    )
    if _kept(request) is not None:
        return f"{notice}Sign in again: what you had typed has been kept."
    if session.get(NOT_KEPT_KEY):
        return f"{notice}{NOT_KEPT_MESSAGE}"
    return f"{notice}Sign in again." if notice else ""


def redirect_path_for(request: HttpRequest) -> str | None:
    """Where to go after signing in: the page whose form was kept, if it was kept for the user now signed in."""
    kept = _kept(request)
    if kept is None or kept.get("user") != request.user.pk:
        return None
    return _page(kept)


def redirect_path_instead_of(request: HttpRequest, next_path: str | None) -> str | None:
    """Where to go after signing in when `next` was given: the page the kept form was on, in place of a `next` that
    is the path the form was posted to (the idle timeout's own `next`: a POST-only URL for the live meeting's
    minute); None for any other `next`, which is followed as given."""
    kept = _kept(request)
    if not next_path or kept is None or kept.get("user") != request.user.pk:
        return None
    try:
        path = urlsplit(next_path).path
    except ValueError:
        return None
    return _page(kept) if path == kept.get("path") else None


def take(request: HttpRequest) -> QueryDict | None:
    """On the GET of the page it came from, by the user it was kept for: the kept form's data, once.

    The view passes it as its form's data and shows it, not saved, with the banner; anything else gets None."""
    if request.method != "GET" or not request.user.is_authenticated:
        return None
    kept = _kept(request)
    if kept is None or kept.get("user") != request.user.pk or _page(kept) != request.path:
        return None
    request.session.pop(SESSION_KEY_KEPT, None)
    try:
        fields = json.loads(decrypt_text(str(kept["fields"])))
    except (UndecryptableValue, ValueError, KeyError):
        return None
    data = QueryDict(mutable=True)
    for name, values in fields:
        data.setlist(str(name), [str(value) for value in values])
    data._mutable = False
    messages.info(request, KEPT_MESSAGE)
    return data


# The page's own hidden fields (the version, the minute's fingerprint, a create form's one-time token) and the button.
# Hidden fields a page sends with what was typed (versions, what the page showed, which item, one-time tokens).
_NOT_TYPED = {
    "version",
    "minute_seen",
    "risks_seen",
    "decisions_seen",
    "based_on",
    "item_key",
    "replacing",
    "once",
    "action",
}


def show_if_not_taken(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """For a page whose view does not call `take`: what was typed, shown once on a page of its own to copy from.

    Only in place of that page's ordinary answer to the user it was kept for (a 200 HTML page: the view's own
    permission checks passed), so nobody sees it who could not open the page itself. Also in place of a 405, when
    the page the form was on is not known and the path it was posted to only answers a POST: the typed text is
    then shown to its own author rather than lost."""
    if request.method != "GET" or response.status_code not in (200, 405) or not request.user.is_authenticated:
        return response
    post_only = response.status_code == 405
    if not post_only and not response.get("Content-Type", "").startswith("text/html"):
        return response
    kept = _kept(request)
    if kept is None or kept.get("user") != request.user.pk:
        return response
    if request.path != _page(kept) and not (post_only and request.path == kept.get("path")):
        return response
    request.session.pop(SESSION_KEY_KEPT, None)
    try:
        fields = json.loads(decrypt_text(str(kept["fields"])))
    except (UndecryptableValue, ValueError, KeyError):
        return response
    typed = [
        (str(name).replace("_", " ").capitalize(), "; ".join(str(value) for value in values))
        for name, values in fields
        if name not in _NOT_TYPED and any(str(value).strip() for value in values)
    ]
    return render(request, "account/kept_form.html", {"typed": typed, "path": None if post_only else request.path})


@receiver(user_logged_in)
def discard_for_other_users(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    """Signing in ends the notice; a form kept for someone else is thrown away, never shown."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop("openmarac_timed_out", None)
    request.session.pop(NOT_KEPT_KEY, None)
    signed_out = request.session.get(_SIGNED_OUT_KEY)
    if isinstance(signed_out, dict) and (user is None or signed_out.get("user") != user.pk):
        request.session.pop(_SIGNED_OUT_KEY, None)
    kept = request.session.get(SESSION_KEY_KEPT)
    if isinstance(kept, dict) and (user is None or kept.get("user") != user.pk):
        request.session.pop(SESSION_KEY_KEPT, None)
