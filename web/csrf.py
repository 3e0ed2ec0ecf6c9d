"""The page shown when a form's CSRF check fails (CSRF_FAILURE_VIEW): in the service's layout, in plain words.

Django's reason (which names cookies and tokens) is not shown: it helps nobody filling in a form. What was posted
is kept, to be shown filled in again, only when it is provably the signed-in user's own page: they signed out and
in again in another tab, and the refused form's token is the one their earlier session gave it
(accounts/kept_form.py). Otherwise the browser's session may now be someone else's, and nothing is kept."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.kept_form import keep_after_csrf_failure


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    kept_page = keep_after_csrf_failure(request, reason)  # the page the form was on, where it is shown again
    return render(request, "403_csrf.html", {"kept_path": kept_page}, status=403)
