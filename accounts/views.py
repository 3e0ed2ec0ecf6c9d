"""Users and their roles at a MARAC. Administrators add users and grant roles; a case role granted by an
administrator waits for a coordinator or another administrator to approve it; administrators and coordinators see
every role held or waiting there, who granted it and when; a coordinator may remove a case role (accounts.services)."""

from allauth.account.adapter import get_adapter
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import middleware, selectors, services
from accounts.forms import RoleGrantForm, UserForm
from accounts.kept_form import idle_minutes
from accounts.models import PendingRoleGrant, RoleGrant, User
from marac.models import Marac
from web.access import current_marac_where, require_permission, require_sign_in

MANAGE = "accounts.manage_users"
VIEW = "accounts.view_role_grants"
APPROVE = services.APPROVE_CASE_ROLES
GRANT_REFUSED = "Only an administrator of this MARAC can grant roles"
AWAITING_APPROVAL = (
    "Role granted, awaiting approval: it gives no access until a coordinator or another administrator approves it"
)


def _marac_where(request: HttpRequest, permission: str) -> Marac:
    return Marac.objects.get(pk=current_marac_where(request, permission))


LAST_ROLE_REMOVED = "Role removed: they no longer have a role at this MARAC"
OWN_ROLE_REMOVAL_REFUSED = "You cannot remove your own role: another administrator must do it"


def _user_at(marac: Marac, pk: int, *, request: HttpRequest) -> User:
    """A user who holds a role at the MARAC, or waits for one to be approved there; and, for its administrators
    only, a user who holds no role anywhere and
    works for no other MARAC's agency (a new user's first role, or someone who left coming back). Another MARAC's
    new users and leavers are not this one's to see. Nor is an API credential's service account: its roles are the
    credential's, seen and revoked on the credential pages. Anyone else is a 404."""
    user = get_object_or_404(User, pk=pk)
    if not selectors.administrators_may_see(user=user, marac=marac):
        raise Http404
    if request.user.has_perm(MANAGE, marac) or selectors.holds_or_waits_at(user=user, marac=marac):
        return user
    raise Http404


@require_sign_in
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/security.html", {"mfa_enabled": is_mfa_enabled(request.user)})


@require_sign_in
@require_http_methods(["GET", "POST"])
def session(request: HttpRequest) -> JsonResponse:
    """For the warning before the idle timeout (static/js/session-timeout.mjs): the seconds left before it signs
    the user out, and nothing else. Asking is not activity (accounts.middleware.IdleTimeoutMiddleware), so a tab
    left open never keeps the session alive. A POST is "Stay signed in": the session is saved, its idle time starts
    again. A POST with action=sign-out, sent by the page when the time has run out, signs the user out; the sign-in
    page then says why, as it does after a form posted too late (accounts.kept_form.sign_in_notice)."""
    if request.method == "POST":
        if request.POST.get("action") == "sign-out":
            get_adapter(request).logout(request)
            request.session["openmarac_timed_out"] = idle_minutes()  # what accounts.kept_form keeps for the notice
            return JsonResponse({"seconds_left": 0})
        middleware.renew(request.session)
        return JsonResponse({"seconds_left": request.session.get_expiry_age()})  # as it will be once saved
    return JsonResponse({"seconds_left": middleware.seconds_left(request.session)})


@require_permission(VIEW)
def user_list(request: HttpRequest) -> HttpResponse:
    marac = _marac_where(request, VIEW)
    context = {
        "marac": marac,
        "rows": selectors.users_with_grants_at(marac=marac),
        # Listed for who holds what, but not linked to a roles page: a credential's roles are its own (_user_at).
        "credential_rows": selectors.credentials_with_grants_at(marac=marac),
        "pending": selectors.pending_role_grants_at(marac=marac),
        "may_add": request.user.has_perm(MANAGE, marac),
    }
    return render(request, "accounts/user_list.html", context)


@require_permission(MANAGE)
def user_add(request: HttpRequest) -> HttpResponse:
    marac = _marac_where(request, MANAGE)
    form = UserForm(request.POST or None, marac=marac)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(user=form.save(commit=False), marac=marac, by=request.user)
        except services.UserRefused as refused:  # the agency left the MARAC since the form was checked
            form.add_error("agency", str(refused))
        else:
            services.user_invite(user=user, marac=marac)
            messages.success(request, "User added and sent an email to set their password: now give them a role")
            return redirect("accounts:user_roles", pk=user.pk)
    return render(request, "accounts/user_add.html", {"form": form, "marac": marac})


@require_permission(VIEW)
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    marac = _marac_where(request, VIEW)
    person = _user_at(marac, pk, request=request)
    administrator = request.user.has_perm(MANAGE, marac)
    may_change = services.may_change_roles_of(user=person, by=request.user)
    if request.method == "POST" and not (administrator and may_change):
        raise PermissionDenied(services.OWN_ROLES_REFUSED if administrator else GRANT_REFUSED)
    form = RoleGrantForm(request.POST or None, marac=marac) if administrator and may_change else None
    if form is not None and request.method == "POST" and form.is_valid():
        granted = services.role_grant(user=person, marac=marac, role=form.cleaned_data["role"], by=request.user)
        messages.success(request, AWAITING_APPROVAL if isinstance(granted, PendingRoleGrant) else "Role granted")
        return redirect("accounts:user_roles", pk=person.pk)
    return _roles_page(request, marac, person, form=form)


def _roles_page(
    request: HttpRequest,
    marac: Marac,
    person: User,
    *,
    form: RoleGrantForm | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> HttpResponse:
    administrator = request.user.has_perm(MANAGE, marac)
    may_change = services.may_change_roles_of(user=person, by=request.user)
    if form is None and administrator and may_change:
        form = RoleGrantForm(marac=marac)
    rows = [
        (record, services.role_revoke_refusal(grant=record.grant, by=request.user) is None)
        for record in selectors.role_grants_at(marac=marac, user=person)
    ]
    # Each waiting grant with why this user may not approve it (None: they may), and whether they may refuse it.
    may_decide = request.user.has_perm(APPROVE, marac) and may_change
    pending = [
        (waiting, services.role_approval_refusal(pending=waiting, by=request.user), may_decide)
        for waiting in selectors.pending_role_grants_at(marac=marac, user=person)
    ]
    context = {
        "form": form,
        "person": person,
        "rows": rows,
        "pending": pending,
        "marac": marac,
        "administrator": administrator,
        "may_change": may_change,
        "refusal": refusal,
    }
    return render(request, "accounts/user_roles.html", context, status=status)


def _removal_refusal(refusal: str) -> str:
    """The refusal said once: "You cannot remove your own role: …", not "You cannot remove this role: You cannot
    change your own roles: …"."""
    if refusal == services.OWN_ROLES_REFUSED:
        return OWN_ROLE_REMOVAL_REFUSED
    return f"You cannot remove this role: {refusal}"


@require_permission(VIEW)
def role_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    marac = _marac_where(request, VIEW)
    person = _user_at(marac, pk, request=request)
    grant = get_object_or_404(RoleGrant, pk=grant_pk, user=person, marac=marac)
    refusal = services.role_revoke_refusal(grant=grant, by=request.user)
    if refusal is not None:
        # Whoever gets here sees this grant on the person's roles page already (the gates above are the page's own),
        # so the refusal says why there rather than on a page that looks like "not found". Nothing is removed.
        return _roles_page(request, marac, person, refusal=_removal_refusal(refusal), status=403)
    if request.method == "POST":
        services.role_revoke(grant=grant, by=request.user)
        if not person.role_grants.filter(marac=marac).exists():
            # Their roles page is no longer this MARAC's to show (_user_at): back to its users. No name in the
            # message, which travels in a cookie.
            messages.success(request, LAST_ROLE_REMOVED)
            return redirect("accounts:users")
        messages.success(request, "Role removed")
        return redirect("accounts:user_roles", pk=person.pk)
    return render(request, "accounts/role_revoke.html", {"person": person, "grant": grant, "marac": marac})


def _pending_at(request: HttpRequest, pk: int, pending_pk: int) -> tuple[Marac, User, PendingRoleGrant]:
    marac = _marac_where(request, APPROVE)
    person = _user_at(marac, pk, request=request)
    return marac, person, get_object_or_404(PendingRoleGrant, pk=pending_pk, user=person, marac=marac)


@require_permission(APPROVE)
@require_POST
def role_approve(request: HttpRequest, pk: int, pending_pk: int) -> HttpResponse:
    """The second person's approval of a case role an administrator granted. No name in the messages, which travel
    in a cookie."""
    _, person, pending = _pending_at(request, pk, pending_pk)
    try:
        services.role_grant_approve(pending=pending, by=request.user)
    except services.RoleChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Role approved: it gives access from now on")
    return redirect("accounts:user_roles", pk=person.pk)


@require_permission(APPROVE)
@require_POST
def role_refuse(request: HttpRequest, pk: int, pending_pk: int) -> HttpResponse:
    marac, person, pending = _pending_at(request, pk, pending_pk)
    try:
        services.role_grant_refuse(pending=pending, by=request.user)
    except services.RoleChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Role refused: it was not granted")
    try:
        _user_at(marac, person.pk, request=request)
    except Http404:  # nothing of theirs is left at this MARAC for this user to see
        return redirect("accounts:users")
    return redirect("accounts:user_roles", pk=person.pk)
