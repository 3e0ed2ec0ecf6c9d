"""permissions_anywhere: the header's links come from it, so it must answer exactly as user.has_perm(name) does."""

from itertools import combinations

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role, User
from accounts.permissions import PERMISSIONS, permissions_anywhere
from testing.factories import MaracFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

ROLE_SETS = [frozenset(chosen) for size in range(len(Role) + 1) for chosen in combinations(Role, size)]


def _as_django_answers(user: User | AnonymousUser) -> frozenset[str]:
    return frozenset(permission.name for permission in PERMISSIONS if user.has_perm(permission.name))


def _fresh(user: User) -> User:
    """The user as the next request loads it: nothing remembered from setting it up."""
    return User.objects.get(pk=user.pk)


def test_it_answers_as_has_perm_for_every_combination_of_roles_active_or_not_superuser_or_not():
    marac = MaracFactory()
    users = [(roles, grant(UserFactory(with_mfa=False), marac, *roles)) for roles in ROLE_SETS]
    for roles, user in users:
        for is_active in (True, False):
            for is_superuser in (False, True):
                asked, answered = _fresh(user), _fresh(user)
                for person in (asked, answered):
                    person.is_active, person.is_superuser = is_active, is_superuser
                assert permissions_anywhere(answered) == _as_django_answers(asked), (sorted(roles), is_active)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    here=st.sets(st.sampled_from(list(Role))),
    elsewhere=st.sets(st.sampled_from(list(Role))),
    is_active=st.booleans(),
    is_superuser=st.booleans(),
)
def test_roles_held_at_two_maracs_answer_as_has_perm(marac, other_marac, here, elsewhere, is_active, is_superuser):
    user = UserFactory(with_mfa=False, is_active=is_active, is_superuser=is_superuser)
    grant(user, marac, *here)
    grant(user, other_marac, *elsewhere)
    assert permissions_anywhere(_fresh(user)) == _as_django_answers(_fresh(user))


def test_a_worked_example():
    marac = MaracFactory()
    referrer = grant(UserFactory(with_mfa=False), marac, Role.REFERRER)
    assert permissions_anywhere(_fresh(referrer)) == {"cases.view_case", "referrals.make_referral"}
    superuser = UserFactory(with_mfa=False, is_superuser=True)
    assert permissions_anywhere(_fresh(superuser)) == {permission.name for permission in PERMISSIONS}
    superuser.is_active = False
    assert permissions_anywhere(superuser) == frozenset()


def test_a_role_removed_is_gone_on_the_next_request(client_for, coordinator, marac):
    assert "audit.view_audit" in permissions_anywhere(_fresh(coordinator))
    coordinator.role_grants.all().delete()
    assert permissions_anywhere(_fresh(coordinator)) == frozenset()


def test_no_one_signed_in_holds_nothing():
    assert permissions_anywhere(AnonymousUser()) == frozenset() == _as_django_answers(AnonymousUser())
