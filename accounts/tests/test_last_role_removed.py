"""Removing someone's last role at the MARAC leads back to the MARAC's users, with a message saying they no longer
have a role here: never to their roles page, which is no longer this MARAC's to show (a 404). Removing one of two
roles stays on their roles page."""

import pytest

from accounts.models import Role, RoleGrant
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db
USERS = "/you/users/"


@pytest.fixture
def ivy(marac):
    return UserFactory(full_name="Ivy Advocate", email="ivy@example.invalid")


def test_removing_the_last_role_goes_to_the_users_list_with_a_message(client_for, coordinator, ivy, marac):
    grant(ivy, marac, Role.IDVA)
    only = RoleGrant.objects.get(user=ivy, marac=marac)
    desk = client_for(coordinator)

    removed = desk.post(f"{USERS}{ivy.pk}/roles/{only.pk}/remove/", follow=True)

    assert removed.status_code == 200
    assert removed.redirect_chain == [(USERS, 302)]
    assert "Role removed: they no longer have a role at this MARAC" in removed.content.decode()
    assert not RoleGrant.objects.filter(user=ivy, marac=marac).exists()


def test_removing_one_of_two_roles_stays_on_their_roles_page(client_for, coordinator, ivy, marac):
    grant(ivy, marac, Role.IDVA, Role.AGENCY_REPRESENTATIVE)
    first = RoleGrant.objects.get(user=ivy, marac=marac, role=Role.IDVA)
    desk = client_for(coordinator)

    removed = desk.post(f"{USERS}{ivy.pk}/roles/{first.pk}/remove/", follow=True)

    assert removed.redirect_chain == [(f"{USERS}{ivy.pk}/roles/", 302)]
    text = removed.content.decode()
    assert "Role removed" in text and "no longer have a role" not in text
    assert "Agency representative" in text
