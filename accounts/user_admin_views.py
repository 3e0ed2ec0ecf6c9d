"""An administrator's pages for a person's account, beside their roles: deactivate it when they leave, reactivate it,
reset their sign-in app when they lose it (accounts.user_admin_services); and adding a user whose address is already
an account's. Each person is found through the roles page's own gate (accounts.views._user_at), so these pages open
for exactly the people whose roles page does."""

from collections.abc import Mapping

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import selectors, views
from accounts.emails import ADDRESS_NOT_AVAILABLE
from accounts.forms import UserForm
from accounts.models import User
from accounts.user_admin_services import (
    OWN_ACCOUNT_REFUSED,
    AccountChangeRefused,
    account_deactivate,
    account_reactivate,
    reactivation_refusal,
    sign_in_app_reset,
    usable_credentials_issued_by,
)
from marac.models import Marac
from web.access import current_marac_where, require_permission

MANAGE = views.MANAGE
NEVER_HELD_A_ROLE = "You can deactivate only the account of someone who holds, or held, a role at this MARAC"


def _person(request: HttpRequest, pk: int) -> tuple[Marac, User]:
    marac = Marac.objects.get(pk=current_marac_where(request, MANAGE))
    return marac, views._user_at(marac, pk, request=request)


def _refused(request: HttpRequest, template: str, context: Mapping[str, object], refusal: str) -> HttpResponse:
    """The confirmation page, saying why not, with nothing to confirm; nothing is changed."""
    return render(request, template, {**context, "refusal": refusal}, status=403)


@require_permission(MANAGE)
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    marac, person = _person(request, pk)
    if not person.is_active:
        return redirect("accounts:user_roles", pk=person.pk)
    template = "accounts/account_deactivate.html"
    context = {
        "marac": marac,
        "person": person,
        "credentials": usable_credentials_issued_by(person).filter(marac=marac).order_by("name"),
    }
    if request.user.pk == person.pk:
        return _refused(request, template, context, OWN_ACCOUNT_REFUSED)
    if not selectors.held_a_role_at(user=person, marac=marac):
        return _refused(request, template, context, NEVER_HELD_A_ROLE)
    if request.method == "POST":
        try:
            account_deactivate(user=person, marac=marac, by=request.user)
        except AccountChangeRefused as refused:  # their own account was closed a moment ago
            return _refused(request, template, context, str(refused))
        # No name in the message, which travels in a cookie.
        messages.success(request, "Account deactivated: they are signed out and can no longer sign in")
        return redirect("accounts:user_roles", pk=person.pk)
    return render(request, template, context)


@require_permission(MANAGE)
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    marac, person = _person(request, pk)
    if person.is_active:
        return redirect("accounts:user_roles", pk=person.pk)
    template, context = "accounts/account_reactivate.html", {"marac": marac, "person": person}
    refusal = reactivation_refusal(user=person, by=request.user)
    if refusal is not None:
        return _refused(request, template, context, refusal)
    if request.method == "POST":
        try:
            account_reactivate(user=person, marac=marac, by=request.user)
        except AccountChangeRefused as refused:  # their roles changed since the page was shown
            return _refused(request, template, context, str(refused))
        messages.success(request, "Account reactivated: they can sign in again")
        return redirect("accounts:user_roles", pk=person.pk)
    return render(request, template, context)


@require_permission(MANAGE)
def reset_sign_in_app(request: HttpRequest, pk: int) -> HttpResponse:
    marac, person = _person(request, pk)
    template = "accounts/sign_in_app_reset.html"
    context = {"marac": marac, "person": person, "has_app": Authenticator.objects.filter(user=person).exists()}
    if request.user.pk == person.pk:
        return _refused(request, template, context, OWN_ACCOUNT_REFUSED)
    if request.method == "POST" and context["has_app"]:
        sign_in_app_reset(user=person, marac=marac, by=request.user)
        messages.success(
            request, "Sign-in app reset: they are signed out, and will set up a new one when they next sign in"
        )
        return redirect("accounts:user_roles", pk=person.pk)
    return render(request, template, context)


@require_permission(MANAGE)
def user_add(request: HttpRequest) -> HttpResponse:
    """accounts.views.user_add, but for an address that is already an account's: a person this MARAC may see is
    offered their roles page, to give them a role (someone who left and came back); anyone else is refused without
    saying that the address is an account's (ADDRESS_NOT_AVAILABLE)."""
    address = request.POST.get("email", "").strip() if request.method == "POST" else ""
    existing = User.objects.filter(email__iexact=address).first() if address else None
    if existing is None:
        return views.user_add(request)
    marac = Marac.objects.get(pk=current_marac_where(request, MANAGE))
    try:
        person = views._user_at(marac, existing.pk, request=request)
    except Http404:
        form = UserForm(request.POST, marac=marac)
        form.is_valid()
        form.errors["email"] = form.error_class([ADDRESS_NOT_AVAILABLE])
        return render(request, "accounts/user_add.html", {"form": form, "marac": marac})
    return render(request, "accounts/user_already_added.html", {"marac": marac, "person": person})
