"""The one way a view says who may reach it. Anything without one of these is refused by the URL test."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.permissions import PERMISSIONS_BY_NAME, marac_ids_where, roles_at
from cases.restriction import RestrictedCaseNeedsReason, reasons_from

SESSION_MARAC_KEY = "openmarac_marac_id"


def require_permission[View: Callable[..., HttpResponse]](permission: str) -> Callable[[View], View]:
    """Signed in, and allowed `permission` at the MARAC being worked in; otherwise 404."""
    if permission not in PERMISSIONS_BY_NAME:
        raise ValueError(f"{permission} is not declared in accounts.permissions")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise Http404
            try:
                with reasons_from(request.session):
                    return view(request, *args, **kwargs)
            except RestrictedCaseNeedsReason as needed:
                return redirect_to_restricted_case_reason(request, needed.case_id)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def require_api_permission[View: Callable[..., HttpResponse]](permission: str) -> Callable[[View], View]:
    """require_permission for the JSON API: a JSON 401 rather than a redirect to sign in, and a JSON 404 both
    without the permission and wherever the view's gate raises Http404 (outside need-to-know)."""
    if permission not in PERMISSIONS_BY_NAME:
        raise ValueError(f"{permission} is not declared in accounts.permissions")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return JsonResponse({"error": "Sign in to use the API"}, status=401)
            if not request.user.has_perm(permission):
                return JsonResponse({"error": "Not found"}, status=404)
            try:
                with reasons_from(request.session):
                    return view(request, *args, **kwargs)
            except RestrictedCaseNeedsReason:
                return JsonResponse({"error": RESTRICTED_CASE_API_MESSAGE}, status=403)
            except Http404:
                return JsonResponse({"error": "Not found"}, status=404)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def require_sign_in[View: Callable[..., HttpResponse]](view: View) -> View:
    """For the few pages any signed-in person may see, which show nothing of a case."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.required_permission = "signed-in"  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def public[View: Callable[..., HttpResponse]](view: View) -> View:
    view.required_permission = "public"  # type: ignore[attr-defined]
    return view


def current_marac_id(request: HttpRequest) -> int | None:
    """The MARAC the user is working in: the one chosen this session, else the first where they hold a role."""
    held = marac_ids_where(request.user, roles_at(request.user, None))
    chosen = request.session.get(SESSION_MARAC_KEY)
    if chosen in held:
        return int(chosen)
    return min(held) if held else None


def current_marac_where(request: HttpRequest, permission: str) -> int:
    """The current MARAC, if the user holds `permission` there; otherwise 404."""
    marac_id = current_marac_id(request)
    roles = PERMISSIONS_BY_NAME[permission].roles
    if marac_id is None or not roles_at(request.user, marac_id) & roles:
        allowed = marac_ids_where(request.user, roles)
        if not allowed:
            raise Http404
        marac_id = min(allowed)
    return marac_id


RESTRICTED_CASE_API_MESSAGE = (
    "This case is restricted. Open it in OpenMARAC and say why you need it before using it through the API."
)


RESTRICTED_REASON_KEPT_MESSAGE = (
    "Nothing was saved: your reason for opening this restricted case had run out. We kept what you had typed. "
    "Say why you need the case, then check it and save."
)
RESTRICTED_REASON_NOT_KEPT_MESSAGE = (
    "Nothing was saved: your reason for opening this restricted case had run out, and what you had typed was too "
    "long to keep. Your browser's back button may still show it, to copy from."
)


def redirect_to_restricted_case_reason(request: HttpRequest, case_id: int) -> HttpResponse:
    """To "Why are you opening this restricted case?", coming back to this page once answered: for a form posted
    here, to the page the form was on, with what was typed kept (accounts.kept_form) and shown again there."""
    from accounts import kept_form

    url = reverse("cases:reason", args=[case_id])
    if request.method == "GET":
        return redirect(url + "?" + urlencode({"next": request.get_full_path()}))
    if request.method == "POST":
        page = kept_form.keep_for_signed_in_user(request)
        if page is None:
            messages.warning(request, RESTRICTED_REASON_NOT_KEPT_MESSAGE)
        else:
            messages.info(request, RESTRICTED_REASON_KEPT_MESSAGE)
            url += "?" + urlencode({"next": page})
    return redirect(url)
