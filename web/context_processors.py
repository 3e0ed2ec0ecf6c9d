from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.models import Role
from accounts.permissions import marac_ids_where, marac_name, roles_at
from web.access import current_marac_id


@dataclass(frozen=True)
class NavMarac:
    """The MARAC being worked in, as the header shows it (its name comes with the user's roles: no query)."""

    pk: int
    name: str


# The header's links on every page: fixed paths, reversed once per URL configuration and script prefix.
_reversed: dict[tuple[str, str, Any], str] = {}


def _url(name: str) -> str:
    key = (name, get_script_prefix(), get_urlconf())
    url = _reversed.get(key)
    if url is None:
        url = _reversed[key] = reverse(name)
    return url


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header: who is signed in, their agency and MARAC, and the links their roles allow."""
    user = request.user
    if not user.is_authenticated:
        return {}
    marac_id = current_marac_id(request)
    roles = roles_at(user, marac_id)
    links: list[tuple[str, str]] = [("Home", _url("web:home"))]
    if user.has_perm("referrals.make_referral"):
        links.append(("Referrals", _url("referrals:list")))
    if user.has_perm("referrals.decide"):
        links.append(("Referral inbox", _url("referrals:inbox")))
    if user.has_perm("cases.list_cases"):
        links.append(("Cases", _url("cases:list")))
    if user.has_perm("meetings.view_agenda"):
        links.append(("Meetings", _url("meetings_agenda:list")))
    if user.has_perm("actions.track_actions"):
        links.append(("Actions", _url("actions:index")))
    elif user.has_perm("actions.update_agency_actions"):
        links.append(("Your agency's actions", _url("actions:mine")))
    if user.has_perm("reports.view_aggregates"):
        links.append(("Performance", _url("reports:dashboard")))
    if user.has_perm("governance.manage_records"):
        links.append(("Governance", _url("governance_records:index")))
    if user.has_perm("audit.view_audit"):
        links.append(("Audit", _url("audit:list")))
    if user.has_perm("marac.view_configuration"):
        links.append(("MARAC settings", _url("marac:detail")))
    if user.has_perm("accounts.manage_users"):
        links.append(("Users", _url("accounts:users")))
    links.append(("Your account", _url("accounts:security")))
    role_labels = [Role(role).label for role in sorted(roles)]
    return {
        "nav_links": links,
        "nav_marac": NavMarac(marac_id, marac_name(user, marac_id) or "") if marac_id else None,
        "nav_roles": role_labels,
        "nav_has_several_maracs": len(marac_ids_where(user, roles_at(user, None))) > 1,
    }
