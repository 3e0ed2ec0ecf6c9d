"""Saved once, however many times it is sent: a guard for the forms that create something.

A create form carries a one-time token in a hidden field (FIELD). The first POST that creates something with it
records the token, with the page it went on to, in the user's session (a bounded list of the most recent ones). The
same token posted again (a double click, the back button and send again, a page reloaded after sending) creates
nothing: it goes to where the first one went, saying "This was already saved". Plain HTML, so it works without
JavaScript; the token is random and tells nothing about what is being created.

    form = once.with_token(SomeForm(request.POST or None))
    if request.method == "POST":
        if (again := once.already_done(request)) is not None:
            return again
        if form.is_valid():
            thing = create(**once.without_token(form.cleaned_data))
            return once.done(request, reverse("thing", args=[thing.pk]))

A form that fails validation keeps its token (the hidden field shows what was posted), so correcting it and sending
it again still creates once.

Sent several times at the same moment (the session is only written after the first has saved), the token is also
claimed in the shared cache (the database cache every app server uses: `cache.add` inserts the key as the table's
primary key, so exactly one request gets it). The one that claims goes on; the others go back to the form's page
saying "This was already sent: it is being saved", or to where the first went once it has. A request that claimed
and did not reach `done` (the form had errors, the create refused or raised) releases its claim when it finishes
(Django's request_finished, in the thread that served it), so correcting the form and sending it again still works.
"""

import contextvars
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

FIELD = "once"
SESSION_KEY = "openmarac_once"
KEEP = 50  # the most recent tokens used, per session: plenty for going back a few pages and sending again
ALREADY_SAVED = "This was already saved"
BEING_SAVED = "This was already sent: it is being saved"
CLAIM_SECONDS = 10 * 60  # a claim whose request never finished (the server stopped) lapses after this
SAVED_SECONDS = 24 * 60 * 60  # where a token went, for a request whose session did not keep it
_CACHE_PREFIX = "openmarac-once"
_claimed: contextvars.ContextVar[str | None] = contextvars.ContextVar("openmarac_once_claimed", default=None)
_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def with_token[F: forms.BaseForm](form: F) -> F:
    """The form with the hidden one-time token: a new one on a fresh form, the one posted on a bound form."""
    form.fields[FIELD] = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=_TOKEN_LENGTH, initial=new_token()
    )
    return form


def without_token(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values for the service that creates: everything but the token."""
    return {name: value for name, value in cleaned.items() if name != FIELD}


def _posted(request: HttpRequest) -> str:
    token = request.POST.get(FIELD, "")
    return token if 0 < len(token) <= _TOKEN_LENGTH else ""


def _used(request: HttpRequest) -> list[list[str]]:
    stored = request.session.get(SESSION_KEY, [])
    return [entry for entry in stored if isinstance(entry, list) and len(entry) == 2]


def _local(target: str) -> bool:
    return target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)


def _cache_key(request: HttpRequest, token: str) -> str:
    """The token's key in the shared cache, for this person only: someone else's session never shares a token."""
    user = getattr(request, "user", None)
    owner = f"u{user.pk}" if user is not None and user.is_authenticated else f"s{request.session.session_key}"
    return f"{_CACHE_PREFIX}:{owner}:{token}"


def _back_to_the_form(request: HttpRequest) -> str:
    """The page the form was on: the Referer when it is this site's own page, else the home page."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if _local(path):
            return path
    return "/"


def already_done(request: HttpRequest) -> HttpResponseRedirect | None:
    """If this POST's token was used already, or is being used by another request at this moment: go back to where
    its first use went, or to the form's page, saying so. Otherwise None, with the token claimed for this request."""
    _claimed.set(None)
    token = _posted(request)
    if not token:
        return None
    for used, target in _used(request):
        if secrets.compare_digest(used, token):
            messages.info(request, ALREADY_SAVED)
            return redirect(target if _local(target) else "/")
    key = _cache_key(request, token)
    if cache.add(key, "", CLAIM_SECONDS):
        _claimed.set(key)
        return None
    target = cache.get(key)
    if isinstance(target, str) and target and _local(target):
        messages.info(request, ALREADY_SAVED)
        return redirect(target)
    messages.info(request, BEING_SAVED)
    return redirect(_back_to_the_form(request))


def done(request: HttpRequest, target: str) -> HttpResponseRedirect:
    """Record that this POST's token created something and went on to `target` (a path), and go there."""
    token = _posted(request)
    if token:
        kept = [entry for entry in _used(request) if entry[0] != token][-(KEEP - 1) :]
        request.session[SESSION_KEY] = [*kept, [token, target]]
        cache.set(_cache_key(request, token), target, SAVED_SECONDS)
        _claimed.set(None)
    return redirect(target)


def _release_unfinished_claim(**_: object) -> None:
    """At the end of a request that claimed a token and created nothing: let the token be sent again."""
    if (key := _claimed.get()) is not None:
        _claimed.set(None)
        cache.delete(key)


request_finished.connect(_release_unfinished_claim, dispatch_uid="openmarac_once_release")
