from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Role
from accounts.permissions import marac_ids_where, roles_at
from web.access import current_marac_id


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header: who is signed in, their agency and MARAC, and the links their roles allow."""
    user = request.user
    if not user.is_authenticated:
        return {}
    from marac.models import Marac

    marac_id = current_marac_id(request)
    roles = roles_at(user, marac_id)
    links: list[tuple[str, str]] = [("Home", reverse("web:home"))]
    if user.has_perm("referrals.make_referral"):
        links.append(("Referrals", reverse("referrals:list")))
    if user.has_perm("referrals.decide"):
        links.append(("Referral inbox", reverse("referrals:inbox")))
    if user.has_perm("cases.list_cases"):
        links.append(("Cases", reverse("cases:list")))
    if user.has_perm("meetings.view_agenda"):
        links.append(("Meetings", reverse("meetings_agenda:list")))
    if user.has_perm("actions.track_actions"):
        links.append(("Actions", reverse("actions:index")))
    elif user.has_perm("actions.update_agency_actions"):
        links.append(("Your agency's actions", reverse("actions:mine")))
    if user.has_perm("reports.view_aggregates"):
        links.append(("Performance", reverse("reports:dashboard")))
    if user.has_perm("governance.manage_records"):
        links.append(("Governance", reverse("governance_records:index")))
    if user.has_perm("audit.view_audit"):
        links.append(("Audit", reverse("audit:list")))
    if user.has_perm("marac.view_configuration"):
        links.append(("MARAC settings", reverse("marac:detail")))
    if user.has_perm("accounts.manage_users"):
        links.append(("Users", reverse("accounts:users")))
    links.append(("Your account", reverse("accounts:security")))
    role_labels = [Role(role).label for role in sorted(roles)]
    return {
        "nav_links": links,
        "nav_marac": Marac.objects.filter(pk=marac_id).first() if marac_id else None,
        "nav_roles": role_labels,
        "nav_has_several_maracs": len(marac_ids_where(user, roles_at(user, None))) > 1,
    }
