"""Every role against every page that opens a case or a person by id, the expected answer derived from
accounts/permissions.py (never written out per route): a case at another MARAC, or a restricted case the user
is not named on, is 404 for everyone; a case at the user's own MARAC is open only where the route's permission
allows the role; a named user is asked for a reason first.

Routes are found by walking the URL patterns as web/tests/test_every_route_is_guarded.py does. Only routes whose
first id is a case or a person are in the matrix: referrals/<pk>/ and api/v1/referrals/<pk> take referral ids,
meetings/ and actions/<pk>/ take meeting, listing and action ids, you/ and settings/ ids are users and
memberships; those reach a case only through the case gate, which this matrix covers on its own routes.
A route that answers GET with 405 (a form that only posts) is asked with an empty POST instead.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import PERMISSIONS_BY_NAME, roles_at
from cases.models import Case, CaseRestriction
from marac.models import AgencyType
from referrals.models import ChildrenNotification, IdvaAllocation
from testing.factories import CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

PERSONAS = ["coordinator", "chair", "police_rep", "idva", "referrer", "board_viewer", "administrator", "outsider"]
PERSONAS_WITHOUT_A_MARAC = ["no_role_user"]

# The first <converter> in a route, and the ids it takes when it is a case's or a person's.
_FIRST_ID = re.compile(r"<(?:\w+:)?(\w+)>")
_CASE_ID = re.compile(r"(?:^|/)cases/<int:pk>|<int:case_pk>")
_PERSON_ID = re.compile(r"(?:^|/)people/<int:pk>")


def _walk(patterns: list, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _kind(route: str) -> str | None:
    """ "case" or "person" if the route's first id is one, else None (not in the matrix)."""
    first = _FIRST_ID.search(route)
    if first is None:
        return None
    if _PERSON_ID.search(route) and _PERSON_ID.search(route).end() >= first.end():  # type: ignore[union-attr]
        return "person"
    if _CASE_ID.search(route) and _CASE_ID.search(route).end() >= first.end():  # type: ignore[union-attr]
        return "case"
    return None


def _record_routes() -> list[tuple[str, str, str]]:
    routes = []
    for route, view in _walk(get_resolver().url_patterns):
        permission = getattr(view, "required_permission", None)
        kind = _kind(route)
        # A second id (a legal hold's, say) would need a record of its own for each case: left out.
        single_id = len(_FIRST_ID.findall(route)) == 1
        if kind and single_id and permission in PERMISSIONS_BY_NAME and not route.startswith("api/"):
            routes.append((route, kind, permission))
    return routes


RECORD_ROUTES = _record_routes()

# Narrower than the role: confirming a children's services notification is for the coordinator or a representative
# whose agency is children's social care (referrals/followup.py may_confirm_children_notification). The matrix's
# representative works for the police, so there it is refused; every other route is decided by the role alone.
_NARROWED_BY_AGENCY = {"referrals.confirm_children_notification": {Role.AGENCY_REPRESENTATIVE}}


def _path(route: str, record_id: int) -> str:
    return "/" + _FIRST_ID.sub(str(record_id), route, count=1)


@dataclass
class Records:
    own: Case
    elsewhere: Case
    restricted_not_named: Case
    restricted_named: Case | None


def _case(marac) -> Case:
    case = CaseFactory(marac=marac)
    # What the case-page writes need to find: an IDVA allocation and a children's services notification.
    IdvaAllocation.objects.create(case=case, due_by=timezone.now() + timedelta(days=2))
    ChildrenNotification.objects.create(case=case, sent_at=timezone.now(), chase_due_on=timezone.localdate())
    return case


def _restricted(case: Case, *named: User, by: User) -> Case:
    Case.objects.filter(pk=case.pk).update(restricted=True)
    for user in {by, *named}:
        CaseRestriction.objects.create(case=case, user=user, added_by=by)
    case.refresh_from_db()
    return case


def _records(user: User, home, away) -> Records:
    restricter = grant(UserFactory(), home, Role.COORDINATOR)
    return Records(
        own=_case(home),
        elsewhere=_case(away),
        restricted_not_named=_restricted(_case(home), by=restricter),
        restricted_named=_restricted(_case(home), user, by=restricter),
    )


def _id(case: Case, kind: str) -> int:
    return case.victim_id if kind == "person" else case.pk


def _allowed_at_home(user: User, marac_id: int, permission: str) -> tuple[bool, bool]:
    """Whether the user's roles at their MARAC allow the permission, and whether only by a role it narrows."""
    held = roles_at(user, marac_id)
    allowing = held & PERMISSIONS_BY_NAME[permission].roles
    narrowed = _NARROWED_BY_AGENCY.get(permission, set())
    return bool(allowing), bool(allowing) and allowing <= narrowed


def _asks_why(response, case: Case) -> bool:
    """Sent to the reason page, or (on the reason page's own route) shown it."""
    reason_page = f"/cases/{case.pk}/reason/"
    if response.status_code == 302:
        return response["Location"].startswith(reason_page)
    return response.status_code == 200 and response.request["PATH_INFO"] == reason_page


@pytest.fixture
def persona_at(request, marac, other_marac):
    def make(name: str):
        user = request.getfixturevalue(name)
        user.agency.agency_type = AgencyType.POLICE
        user.agency.save()
        return (user, other_marac, marac) if name == "outsider" else (user, marac, other_marac)

    return make


def test_it_finds_the_case_and_person_routes():
    kinds = {kind for _, kind, _ in RECORD_ROUTES}
    assert kinds == {"case", "person"}
    assert ("cases/<int:pk>/", "case", "cases.view_case") in RECORD_ROUTES


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("route", "kind", "permission"), RECORD_ROUTES, ids=[r for r, _, _ in RECORD_ROUTES])
def test_every_role_reaches_a_record_only_where_its_permission_allows(
    client_for, persona_at, persona, route, kind, permission
):
    user, home, away = persona_at(persona)
    records = _records(user, home, away)
    client = client_for(user)

    def answer(case: Case):
        path = _path(route, _id(case, kind))
        response = client.get(path)
        return client.post(path) if response.status_code == 405 else response

    def status(case: Case) -> int:
        return answer(case).status_code

    assert status(records.elsewhere) == 404, "a case at another MARAC"
    assert status(records.restricted_not_named) == 404, "a restricted case the user is not named on"
    role_allows, narrowed = _allowed_at_home(user, home.pk, permission)
    if role_allows and not narrowed:
        assert status(records.own) != 404, "a case at the user's own MARAC, which the role may reach"
        assert _asks_why(answer(records.restricted_named), records.restricted_named), "a named user is asked why"
    elif not role_allows:
        assert status(records.own) == 404, "a role the permission does not allow"
        assert status(records.restricted_named) == 404, "being named does not widen a role"
    else:
        assert status(records.own) == 404, "a role allowed, but not for the user's agency"


@pytest.mark.parametrize("persona", PERSONAS_WITHOUT_A_MARAC)
def test_a_user_without_a_role_reaches_no_record(client_for, request, marac, other_marac, persona):
    user = request.getfixturevalue(persona)
    records = _records(user, marac, other_marac)
    client = client_for(user)
    for route, kind, _ in RECORD_ROUTES:
        for case in (records.own, records.elsewhere, records.restricted_not_named, records.restricted_named):
            assert client.get(_path(route, _id(case, kind))).status_code == 404, route
