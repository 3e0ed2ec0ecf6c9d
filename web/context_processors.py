from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.models import Role
from accounts.permissions import marac_ids_where, marac_name, permissions_anywhere, roles_at
from web.access import current_marac_id


@dataclass(frozen=True)
class NavMarac:
    """The MARAC being worked in, as the header shows it (its name comes with the user's roles: no query)."""

    pk: int
    name: str


# The header's links, in order: each a choice of (permission, label, URL name), the first allowed shown, if any.
_LINKS: tuple[tuple[tuple[str, str, str], ...], ...] = (
    (("referrals.make_referral", "Referrals", "referrals:list"),),
    (("referrals.decide", "Referral inbox", "referrals:inbox"),),
    (("cases.list_cases", "Cases", "cases:list"),),
    (("meetings.view_agenda", "Meetings", "meetings_agenda:list"),),
    (
        ("actions.track_actions", "Actions", "actions:index"),
        ("actions.update_agency_actions", "Your agency's actions", "actions:mine"),
    ),
    (("reports.view_aggregates", "Performance", "reports:dashboard"),),
    (("governance.manage_records", "Governance", "governance_records:index"),),
    (("audit.view_audit", "Audit", "audit:list"),),
    (("marac.view_configuration", "MARAC settings", "marac:detail"),),
    (("accounts.view_role_grants", "Users", "accounts:users"),),
)

# What is the same on every page for everyone: the layout's static files and fixed links, and the header's link
# targets, each worked out the first time a page needs it, then kept for its URL configuration and script prefix
# (and worked out again after a test changes the settings they come from).
_LAYOUT: dict[str, Callable[[], str]] = {
    "icon": lambda: static("images/openmarac.svg"),
    "stylesheet": lambda: static("css/openmarac.css"),
    "body_classes_script": lambda: static("js/body-classes.js"),
    "app_script": lambda: static("js/app.mjs"),
    "home": lambda: reverse("web:home"),
    "choose_marac": lambda: reverse("web:choose_marac"),
    "sign_out": lambda: reverse("account_logout"),
    "sign_in": lambda: reverse("account_login"),
    "session": lambda: reverse("accounts:session"),  # the warning before the idle sign-out asks it
}


class _Addresses(dict[str, str]):
    """A layout address by its name in _LAYOUT (`{{ layout.stylesheet }}`), or a page's by its namespaced URL name."""

    def __missing__(self, key: str) -> str:
        if key in _LAYOUT:
            address = _LAYOUT[key]()
        elif ":" in key:
            address = reverse(key)
        else:
            raise KeyError(key)
        self[key] = address
        return address


_addresses: dict[tuple[str, Any], _Addresses] = {}


@receiver(setting_changed)
def _forget_addresses(setting: str, **kwargs: Any) -> None:
    if setting in {"ROOT_URLCONF", "STATIC_URL", "STATIC_ROOT", "STORAGES", "FORCE_SCRIPT_NAME"}:
        _addresses.clear()


def _current_addresses() -> _Addresses:
    key = (get_script_prefix(), get_urlconf())
    addresses = _addresses.get(key)
    if addresses is None:
        addresses = _addresses[key] = _Addresses()
    return addresses


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header: who is signed in, their agency and MARAC, and the links their roles allow; and the layout's
    fixed addresses (its home link, its static files), for everyone."""
    user = request.user
    if not user.is_authenticated:
        return {"layout": _current_addresses()}
    marac_id = current_marac_id(request)
    roles = roles_at(user, marac_id)
    allowed = permissions_anywhere(user)  # what user.has_perm(name) answers, from the roles already read
    addresses = _current_addresses()
    links: list[tuple[str, str]] = [("Home", addresses["web:home"])]
    for choices in _LINKS:
        for permission, label, name in choices:
            if permission in allowed:
                links.append((label, addresses[name]))
                break
    links.append(("Your account", addresses["accounts:security"]))
    path = request.path
    return {
        "layout": addresses,
        "nav_links": links,
        # The same links, each with whether it is the page being shown (one comparison here, not two a link there).
        "nav_items": [(label, href, href == path) for label, href in links],
        "nav_marac": NavMarac(marac_id, marac_name(user, marac_id) or "") if marac_id else None,
        "nav_roles": [Role(role).label for role in sorted(roles)],
        "nav_has_several_maracs": len(marac_ids_where(user, roles_at(user, None))) > 1,
    }
