"""Deny by default: every route in the project is walked, so a new page without a rule fails here."""

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role
from accounts.permissions import PERMISSIONS_BY_NAME
from testing.factories import UserFactory, grant

# allauth's own pages: signing in, resetting a password, setting up MFA. They show no case data.
THIRD_PARTY_PREFIXES = ("accounts/",)


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, object]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _example_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)


OWN_ROUTES = [
    (route, view) for route, view in _walk(get_resolver().url_patterns) if not route.startswith(THIRD_PARTY_PREFIXES)
]


def test_it_finds_the_routes():
    assert len(OWN_ROUTES) >= 15


@pytest.mark.parametrize(("route", "view"), OWN_ROUTES, ids=[route or "/" for route, _ in OWN_ROUTES])
def test_it_declares_who_may_reach_every_route(route, view):
    required = getattr(view, "required_permission", None)
    assert required is not None, f"/{route} has no access rule: decorate its view with require_permission"
    assert required in {"public", "signed-in"} or required in PERMISSIONS_BY_NAME


GUARDED = [(route, view) for route, view in OWN_ROUTES if getattr(view, "required_permission", "public") != "public"]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "view"), GUARDED, ids=[route or "/" for route, _ in GUARDED])
def test_it_sends_anonymous_visitors_to_sign_in(client, route, view):
    for method in (client.get, client.post):
        response = method(_example_path(route))
        if route.startswith("api/"):  # the JSON API answers 401 rather than redirecting
            assert response.status_code == 401
            continue
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


PERMISSION_ROUTES = [(route, view) for route, view in GUARDED if view.required_permission != "signed-in"]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "view"), PERMISSION_ROUTES, ids=[route for route, _ in PERMISSION_ROUTES])
def test_it_refuses_a_signed_in_user_without_the_role(client_for, marac, route, view):
    permission = PERMISSIONS_BY_NAME[view.required_permission]
    no_role = UserFactory()
    lacking = [role for role in Role if role not in permission.roles]
    users = [no_role] + [grant(UserFactory(), marac, role) for role in lacking]
    for user in users:
        client = client_for(user)
        for method in (client.get, client.post):
            assert method(_example_path(route)).status_code == 404, (user.role_grants.all(), route)
