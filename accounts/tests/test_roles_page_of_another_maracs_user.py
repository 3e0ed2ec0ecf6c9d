"""An administrator gives a first role only to someone who holds none anywhere and works for no other MARAC's agency:
another MARAC's new users and leavers are not theirs to look up by number (name, email, agency) nor to give a role."""

import pytest

from accounts.models import Role, RoleGrant
from marac.models import MaracAgency
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
USERS = "/you/users/"


@pytest.fixture
def southmere_agency(other_marac):
    agency = AgencyFactory(name="Southmere Women's Aid")
    MaracAgency.objects.create(marac=other_marac, agency=agency)
    return agency


@pytest.fixture
def gwen(southmere_agency):
    """Just added at Southmere MARAC, with no role yet."""
    return UserFactory(full_name="Gwen Grantless", email="gwen@example.invalid", agency=southmere_agency)


def test_it_hides_another_marac_s_new_user_from_an_administrator(client_for, administrator, gwen):
    client = client_for(administrator)
    response = client.get(f"{USERS}{gwen.pk}/roles/")
    assert response.status_code == 404
    page = response.content.decode()
    for detail in ("Gwen Grantless", "gwen@example.invalid", "Southmere Women's Aid"):
        assert detail not in page
    assert client.post(f"{USERS}{gwen.pk}/roles/", {"role": Role.COORDINATOR}).status_code == 404
    assert not RoleGrant.objects.filter(user=gwen).exists()


def test_it_hides_another_marac_s_leaver_from_an_administrator(
    client_for, administrator, other_marac, southmere_agency
):
    leaver = grant(UserFactory(full_name="Lew Leaver", agency=southmere_agency), other_marac, Role.IDVA)
    RoleGrant.objects.filter(user=leaver).delete()
    assert client_for(administrator).get(f"{USERS}{leaver.pk}/roles/").status_code == 404


def test_an_administrator_gives_a_first_role_to_someone_of_a_member_agency(client_for, administrator, marac):
    agency = AgencyFactory(name="Northbrook Homes")
    MaracAgency.objects.create(marac=marac, agency=agency)
    hana = UserFactory(full_name="Hana Housing", agency=agency)
    client = client_for(administrator)
    assert "Hana Housing" in client.get(f"{USERS}{hana.pk}/roles/").content.decode()
    assert client.post(f"{USERS}{hana.pk}/roles/", {"role": Role.AGENCY_REPRESENTATIVE}).status_code == 302
    assert hana.pending_role_grants.filter(marac=marac, role=Role.AGENCY_REPRESENTATIVE).exists()  # to be approved
    assert client.post(f"{USERS}{hana.pk}/roles/", {"role": Role.REFERRER}).status_code == 302
    assert RoleGrant.objects.filter(user=hana, marac=marac, role=Role.REFERRER).exists()


def test_an_agency_in_both_maracs_lets_either_give_its_user_a_first_role(
    client_for, administrator, marac, southmere_agency, gwen
):
    MaracAgency.objects.create(marac=marac, agency=southmere_agency)
    assert client_for(administrator).get(f"{USERS}{gwen.pk}/roles/").status_code == 200


def test_a_coordinator_still_does_not_see_a_new_user_of_a_member_agency(client_for, coordinator, marac):
    agency = AgencyFactory(name="Northbrook Homes")
    MaracAgency.objects.create(marac=marac, agency=agency)
    hana = UserFactory(full_name="Hana Housing", agency=agency)
    assert client_for(coordinator).get(f"{USERS}{hana.pk}/roles/").status_code == 404


def test_an_outsider_does_not_see_a_new_user_of_this_marac(client_for, outsider, marac):
    agency = AgencyFactory(name="Northbrook Homes")
    MaracAgency.objects.create(marac=marac, agency=agency)
    hana = UserFactory(full_name="Hana Housing", agency=agency)
    assert client_for(outsider).get(f"{USERS}{hana.pk}/roles/").status_code == 404
