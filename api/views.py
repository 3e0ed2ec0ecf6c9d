"""API credentials' pages: administrators issue them (the token shown once); administrators and coordinators see
them all and revoke any at once, giving a reason; and a credential holding a case role is approved by a second
person (a coordinator, or another administrator)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import RoleGrant
from accounts.permissions import CASE_ROLES
from api import services
from api.forms import CredentialIssueForm, CredentialRevokeForm
from api.models import ApiCredential
from marac.models import Marac
from web.access import current_marac_where, require_permission

PERMISSION = "api.manage_credentials"
APPROVE = "api.approve_credentials"
REVOKE = "api.revoke_credentials"


def _admin_marac(request: HttpRequest, permission: str = PERMISSION) -> Marac:
    return Marac.objects.get(pk=current_marac_where(request, permission))


def _rows(marac: Marac, *, case_roles_only: bool = False) -> list[tuple[ApiCredential, list[str], str]]:
    """Each credential with its roles' labels and its state ("Awaiting approval", "Active", ...)."""
    credentials = list(
        ApiCredential.objects.filter(marac=marac).select_related("agency", "created_by", "revoked_by", "service_user")
    )
    grants: dict[int, list[RoleGrant]] = {}
    for grant in RoleGrant.objects.filter(user__api_credential__in=credentials, marac=marac):
        grants.setdefault(grant.user_id, []).append(grant)
    rows = []
    for credential in credentials:
        held = grants.get(credential.service_user_id, [])
        if case_roles_only and not {grant.role for grant in held} & CASE_ROLES:
            continue
        state = "Awaiting approval" if services.credential_awaits_approval(credential) else credential.state
        rows.append((credential, [grant.get_role_display() for grant in held], state))
    return rows


@require_permission(REVOKE)
def credential_list(request: HttpRequest) -> HttpResponse:
    """Every credential of the MARAC; administrators may issue one here, and everyone here may revoke one."""
    marac = _admin_marac(request, REVOKE)
    may_issue = request.user.has_perm(PERMISSION, marac)
    return render(request, "api/credential_list.html", {"marac": marac, "rows": _rows(marac), "may_issue": may_issue})


@require_permission(PERMISSION)
def credential_issue(request: HttpRequest) -> HttpResponse:
    marac = _admin_marac(request)
    form = CredentialIssueForm(request.POST or None, marac=marac)
    if request.method == "POST" and form.is_valid():
        try:
            credential, token = services.credential_issue(
                marac=marac,
                agency=form.cleaned_data["agency"],
                name=form.cleaned_data["name"],
                roles=form.cleaned_data["roles"],
                expires_on=form.cleaned_data["expires_on"],
                by=request.user,
                awaiting_approval=services.credential_needs_approval(form.cleaned_data["roles"]),
            )
        except services.CredentialNameTaken as taken:
            form.add_error("name", str(taken))
        else:
            # Rendered, not redirected: the token must not travel in a URL or rest in the session.
            awaiting = not credential.service_user.is_active
            context = {"credential": credential, "token": token, "awaiting_approval": awaiting}
            return render(request, "api/credential_issued.html", context)
    return render(request, "api/credential_issue.html", {"form": form, "marac": marac})


@require_permission(REVOKE)
def credential_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks for a reason, then revokes at once. Another MARAC's credential is a 404, as if it did not exist."""
    marac = _admin_marac(request, REVOKE)
    credential = get_object_or_404(ApiCredential.objects.select_related("agency"), pk=pk, marac=marac)
    if credential.revoked_at is not None:
        messages.info(request, f"Credential {credential.name} is already revoked")
        return redirect("api_credentials:list")
    form = CredentialRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.credential_revoke(credential=credential, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"Credential {credential.name} revoked: its token no longer works")
        return redirect("api_credentials:list")
    return render(request, "api/credential_revoke.html", {"credential": credential, "form": form, "marac": marac})


@require_permission(APPROVE)
def credential_approvals(request: HttpRequest) -> HttpResponse:
    """Every credential that holds a case role at the MARAC, for its coordinators to see and approve."""
    marac = _admin_marac(request, APPROVE)
    rows = _rows(marac, case_roles_only=True)
    return render(request, "api/credential_approvals.html", {"marac": marac, "rows": rows})


@require_permission(APPROVE)
@require_POST
def credential_approve(request: HttpRequest, pk: int) -> HttpResponse:
    marac = _admin_marac(request, APPROVE)
    credential = get_object_or_404(ApiCredential, pk=pk, marac=marac)
    try:
        services.credential_approve(credential=credential, by=request.user)
    except services.CredentialRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Credential {credential.name} approved: its token works from now on")
    return redirect("api_credentials:approvals")
