from allauth.account.forms import ResetPasswordForm
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts import services
from accounts.forms import RoleGrantForm, UserForm
from accounts.models import RoleGrant, User
from marac.models import Marac
from web.access import current_marac_where, require_permission, require_sign_in


def _admin_marac(request: HttpRequest) -> Marac:
    return Marac.objects.get(pk=current_marac_where(request, "accounts.manage_users"))


def _user_at(marac: Marac, pk: int) -> User:
    """Administrators manage the users who hold a role at their MARAC (or who hold none yet)."""
    user = get_object_or_404(User, pk=pk)
    grants = set(user.role_grants.values_list("marac_id", flat=True))
    if grants and marac.pk not in grants:
        raise Http404
    return user


@require_sign_in
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/security.html", {"mfa_enabled": is_mfa_enabled(request.user)})


@require_permission("accounts.manage_users")
def user_list(request: HttpRequest) -> HttpResponse:
    marac = _admin_marac(request)
    users = User.objects.filter(role_grants__marac=marac).distinct().select_related("agency")
    grants = RoleGrant.objects.filter(marac=marac).select_related("user")
    roles_by_user: dict[int, list[RoleGrant]] = {}
    for grant in grants:
        roles_by_user.setdefault(grant.user_id, []).append(grant)
    rows = [(user, roles_by_user.get(user.pk, [])) for user in users]
    return render(request, "accounts/user_list.html", {"marac": marac, "rows": rows})


@require_permission("accounts.manage_users")
def user_add(request: HttpRequest) -> HttpResponse:
    marac = _admin_marac(request)
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(user=form.save(commit=False), marac=marac, by=request.user)
        reset = ResetPasswordForm({"email": user.email})
        if reset.is_valid():
            reset.save(request)  # the email says there is an account and links to setting a password
        messages.success(request, "User added and sent an email to set their password: now give them a role")
        return redirect("accounts:user_roles", pk=user.pk)
    return render(request, "accounts/user_add.html", {"form": form, "marac": marac})


@require_permission("accounts.manage_users")
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    marac = _admin_marac(request)
    person = _user_at(marac, pk)
    may_change = services.may_change_roles_of(user=person, by=request.user)
    if request.method == "POST" and not may_change:
        raise PermissionDenied(services.OWN_ROLES_REFUSED)
    form = RoleGrantForm(request.POST or None, marac=marac) if may_change else None
    if form is not None and request.method == "POST" and form.is_valid():
        services.role_grant(user=person, marac=marac, role=form.cleaned_data["role"], by=request.user)
        messages.success(request, "Role granted")
        return redirect("accounts:user_roles", pk=person.pk)
    grants = person.role_grants.filter(marac=marac)
    context = {"form": form, "person": person, "grants": grants, "marac": marac, "may_change": may_change}
    return render(request, "accounts/user_roles.html", context)


@require_permission("accounts.manage_users")
def role_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    marac = _admin_marac(request)
    person = _user_at(marac, pk)
    grant = get_object_or_404(RoleGrant, pk=grant_pk, user=person, marac=marac)
    if not services.may_change_roles_of(user=person, by=request.user):
        raise PermissionDenied(services.OWN_ROLES_REFUSED)
    if request.method == "POST":
        services.role_revoke(grant=grant, by=request.user)
        messages.success(request, "Role removed")
        return redirect("accounts:user_roles", pk=person.pk)
    return render(request, "accounts/role_revoke.html", {"person": person, "grant": grant})
