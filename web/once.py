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
"""

import secrets
from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

FIELD = "once"
SESSION_KEY = "openmarac_once"
KEEP = 50  # the most recent tokens used, per session: plenty for going back a few pages and sending again
ALREADY_SAVED = "This was already saved"
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


def already_done(request: HttpRequest) -> HttpResponseRedirect | None:
    """If this POST's token was used already: back to where its first use went, saying so. Otherwise None."""
    token = _posted(request)
    if not token:
        return None
    for used, target in _used(request):
        if secrets.compare_digest(used, token):
            messages.info(request, ALREADY_SAVED)
            safe = target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
            return redirect(target if safe else "/")
    return None


def done(request: HttpRequest, target: str) -> HttpResponseRedirect:
    """Record that this POST's token created something and went on to `target` (a path), and go there."""
    token = _posted(request)
    if token:
        kept = [entry for entry in _used(request) if entry[0] != token][-(KEEP - 1) :]
        request.session[SESSION_KEY] = [*kept, [token, target]]
    return redirect(target)
