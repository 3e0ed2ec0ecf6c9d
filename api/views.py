"""Administrators' pages for API credentials: list, issue (the token shown once) and revoke."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import RoleGrant
from api import services
from api.forms import CredentialIssueForm
from api.models import ApiCredential
from marac.models import Marac
from web.access import current_marac_where, require_permission

PERMISSION = "api.manage_credentials"


def _admin_marac(request: HttpRequest) -> Marac:
    return Marac.objects.get(pk=current_marac_where(request, PERMISSION))


@require_permission(PERMISSION)
def credential_list(request: HttpRequest) -> HttpResponse:
    marac = _admin_marac(request)
    credentials = list(ApiCredential.objects.filter(marac=marac).select_related("agency", "created_by"))
    roles: dict[int, list[str]] = {}
    for grant in RoleGrant.objects.filter(user__api_credential__in=credentials, marac=marac):
        roles.setdefault(grant.user_id, []).append(grant.get_role_display())
    rows = [(credential, roles.get(credential.service_user_id, [])) for credential in credentials]
    return render(request, "api/credential_list.html", {"marac": marac, "rows": rows})


@require_permission(PERMISSION)
def credential_issue(request: HttpRequest) -> HttpResponse:
    marac = _admin_marac(request)
    form = CredentialIssueForm(request.POST or None, marac=marac)
    if request.method == "POST" and form.is_valid():
        credential, token = services.credential_issue(
            marac=marac,
            agency=form.cleaned_data["agency"],
            name=form.cleaned_data["name"],
            roles=form.cleaned_data["roles"],
            expires_on=form.cleaned_data["expires_on"],
            by=request.user,
        )
        # Rendered, not redirected: the token must not travel in a URL or rest in the session.
        return render(request, "api/credential_issued.html", {"credential": credential, "token": token})
    return render(request, "api/credential_issue.html", {"form": form, "marac": marac})


@require_permission(PERMISSION)
def credential_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    marac = _admin_marac(request)
    credential = get_object_or_404(ApiCredential, pk=pk, marac=marac)
    if request.method == "POST":
        services.credential_revoke(credential=credential, by=request.user)
        messages.success(request, f"Credential {credential.name} revoked: its token no longer works")
        return redirect("api_credentials:list")
    return render(request, "api/credential_revoke.html", {"credential": credential})
