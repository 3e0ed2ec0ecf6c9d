"""Someone whose last role at the MARAC was removed stays findable by its administrators: listed under "No current
role" with a link to give them a role, and offered again when an administrator tries to add their address. An address
that is only another MARAC's user's is refused without saying it is anyone's."""

import pytest
from django.core import mail

from accounts.models import Role, RoleGrant, User
from marac.models import MaracAgency
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
USERS = "/you/users/"
NO_CURRENT_ROLE = "No current role"


def _remove_every_role(client, person, marac) -> None:
    for held in RoleGrant.objects.filter(user=person, marac=marac):
        client.post(f"{USERS}{person.pk}/roles/{held.pk}/remove/")


@pytest.fixture
def returner(marac):
    """Rhys, whose agency is a member of Northbrook, once an IDVA there."""
    agency = AgencyFactory(name="Northbrook Refuge")
    MaracAgency.objects.create(marac=marac, agency=agency)
    return grant(UserFactory(full_name="Rhys Returner", email="rhys@example.invalid", agency=agency), marac, Role.IDVA)


def test_someone_whose_last_role_was_removed_is_listed_with_a_link_to_give_a_role(
    client_for, administrator, returner, marac
):
    desk = client_for(administrator)
    _remove_every_role(desk, returner, marac)

    page = desk.get(USERS).content.decode()

    assert NO_CURRENT_ROLE in page
    section = page.split(NO_CURRENT_ROLE, 1)[1]
    assert "Rhys Returner" in section
    assert f'href="{USERS}{returner.pk}/roles/"' in section
    assert desk.get(f"{USERS}{returner.pk}/roles/").status_code == 200


def test_a_coordinator_does_not_get_the_section(client_for, administrator, coordinator, returner, marac):
    _remove_every_role(client_for(administrator), returner, marac)
    assert "Rhys Returner" not in client_for(coordinator).get(USERS).content.decode()


def test_another_marac_s_leaver_is_not_listed(client_for, administrator, outsider, other_marac):
    southmere = AgencyFactory(name="Southmere Housing")
    MaracAgency.objects.create(marac=other_marac, agency=southmere)
    leaver = grant(UserFactory(full_name="Lew Leaver", agency=southmere), other_marac, Role.IDVA)
    southmere_admin = grant(UserFactory(full_name="Sam Southmere"), other_marac, Role.ADMINISTRATOR)
    _remove_every_role(client_for(southmere_admin), leaver, other_marac)

    assert "Lew Leaver" not in client_for(administrator).get(USERS).content.decode()


def test_someone_who_now_holds_a_role_at_another_marac_is_that_marac_s(
    client_for, administrator, returner, marac, other_marac
):
    desk = client_for(administrator)
    _remove_every_role(desk, returner, marac)
    grant(returner, other_marac, Role.IDVA)

    assert "Rhys Returner" not in desk.get(USERS).content.decode()


def test_adding_someone_already_known_here_offers_their_roles_page(client_for, administrator, returner, marac):
    desk = client_for(administrator)
    _remove_every_role(desk, returner, marac)
    mail.outbox.clear()

    response = desk.post(
        f"{USERS}new/",
        {"full_name": "Rhys Returner", "email": "Rhys@Example.invalid", "agency": returner.agency_id},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is already a user with this email address" in page
    assert f'href="{USERS}{returner.pk}/roles/"' in page
    assert User.objects.filter(email__iexact="rhys@example.invalid").count() == 1
    assert mail.outbox == []


def test_adding_an_address_known_only_at_another_marac_does_not_say_it_is_anyone_s(
    client_for, administrator, outsider, marac
):
    agency = AgencyFactory(name="Northbrook Probation")
    MaracAgency.objects.create(marac=marac, agency=agency)

    response = client_for(administrator).post(
        f"{USERS}new/", {"full_name": "Someone New", "email": outsider.email, "agency": agency.pk}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "You cannot add a user with this email address" in page
    assert "already" not in page
    for detail in ("Otto Outsider", "Southmere", f"{USERS}{outsider.pk}/"):
        assert detail not in page
    assert not User.objects.filter(full_name="Someone New").exists()


def test_adding_a_new_address_still_adds_the_user(client_for, administrator, marac):
    agency = AgencyFactory(name="Northbrook Probation")
    MaracAgency.objects.create(marac=marac, agency=agency)
    response = client_for(administrator).post(
        f"{USERS}new/", {"full_name": "Petra Probation", "email": "petra@example.invalid", "agency": agency.pk}
    )
    petra = User.objects.get(email="petra@example.invalid")
    assert response["Location"] == f"{USERS}{petra.pk}/roles/"
