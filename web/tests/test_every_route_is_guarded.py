"""Deny by default: every route in the project is walked, so a new page without a rule fails here.

The open API's routes are django-ninja operations, several to a URL (GET and POST of /api/v1/referrals): each
operation is walked on its own, and must declare its permission with api.core.api_permission."""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import PERMISSIONS_BY_NAME
from api.core import SIGNED_IN, BearerToken, SessionCookie, api
from api.services import credential_issue
from testing.factories import AgencyFactory, UserFactory, grant

# allauth's own pages: signing in, resetting a password, setting up MFA. They show no case data.
THIRD_PARTY_PREFIXES = ("accounts/",)
API_PREFIX = "api/v1"


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, object]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _example_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)


def _is_api_operation(view: object) -> bool:
    return getattr(view, "__module__", "") == "ninja.operation"  # ninja's view for a URL's operations


ALL_ROUTES = list(_walk(get_resolver().url_patterns))
OWN_ROUTES = [
    (route, view)
    for route, view in ALL_ROUTES
    if not route.startswith(THIRD_PARTY_PREFIXES) and not _is_api_operation(view)
]


def _api_operations() -> Iterator[tuple[str, str, Any]]:
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield API_PREFIX + path, method, operation


API_OPERATIONS = sorted(_api_operations(), key=lambda entry: (entry[0], entry[1]))
API_IDS = [f"{method} {route}" for route, method, _ in API_OPERATIONS]


def test_it_finds_the_routes():
    assert len(OWN_ROUTES) >= 15
    assert len(API_OPERATIONS) >= 5


def test_every_api_url_is_walked_as_operations():
    api_urls = {route for route, view in ALL_ROUTES if _is_api_operation(view)}
    walked = {re.sub(r"\{(?:\w+:)?(\w+)\}", r"<\1>", route) for route, _, _ in API_OPERATIONS}
    assert {re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", url) for url in api_urls} <= walked


@pytest.mark.parametrize(("route", "view"), OWN_ROUTES, ids=[route or "/" for route, _ in OWN_ROUTES])
def test_it_declares_who_may_reach_every_route(route, view):
    required = getattr(view, "required_permission", None)
    assert required is not None, f"/{route} has no access rule: decorate its view with require_permission"
    assert required in {"public", "signed-in"} or required in PERMISSIONS_BY_NAME


def _declared(operation: Any) -> str | None:
    return getattr(operation.view_func, "required_permission", None)


@pytest.mark.parametrize(("route", "method", "operation"), API_OPERATIONS, ids=API_IDS)
def test_it_declares_who_may_call_every_api_operation(route, method, operation):
    required = _declared(operation)
    assert required is not None, f"{method} /{route} has no access rule: decorate it with api.core.api_permission"
    assert required == SIGNED_IN or required in PERMISSIONS_BY_NAME
    # ...and that permission is what the operation's sign-in enforces, whatever the router says.
    assert [type(auth) for auth in operation.auth_callbacks] == [BearerToken, SessionCookie]
    assert {auth.permission for auth in operation.auth_callbacks} == {required}


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


def _api_call(client: Any, method: str, route: str) -> Any:
    path = "/" + re.sub(r"\{(?:\w+:)?\w+\}", "1", route)
    return client.generic(method, path, "{}", content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method", "operation"), API_OPERATIONS, ids=API_IDS)
def test_the_api_answers_401_without_credentials(client, route, method, operation):
    response = _api_call(client, method, route)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"error"}


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


API_PERMISSION_OPERATIONS = [entry for entry in API_OPERATIONS if _declared(entry[2]) != SIGNED_IN]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "method", "operation"),
    API_PERMISSION_OPERATIONS,
    ids=[f"{m} {r}" for r, m, _ in API_PERMISSION_OPERATIONS],
)
def test_the_api_refuses_a_user_or_credential_without_the_role(client_for, marac, route, method, operation):
    permission = PERMISSIONS_BY_NAME[_declared(operation)]
    # A referrer passes an "own referrals" permission, and then the object's gate answers 404.
    lacking = [role for role in Role if role not in permission.roles]
    clients = [client_for(UserFactory())] + [client_for(grant(UserFactory(), marac, role)) for role in lacking]
    for role in lacking:
        _, token = credential_issue(
            marac=marac,
            agency=AgencyFactory(),
            name=f"Testshire records system {role}",  # names are unique per MARAC
            roles=[role],
            expires_on=timezone.localdate() + timedelta(days=1),
            by=UserFactory(),
        )
        clients.append(Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}"))
    for client in clients:
        response = _api_call(client, method, route)
        assert response.status_code == 404, (route, method, response.content)
        assert response.json() == {"error": "Not found"}
