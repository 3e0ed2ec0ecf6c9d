"""Adding an agency to a MARAC offers only the agencies in no MARAC yet that no other MARAC created: another
MARAC's agencies are not shown (their names included) and cannot be added, so no administrator can then add
users or issue API credentials for them. A new agency is created here, then added."""

import pytest

from marac.models import Agency, MaracAgency
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
ADD = "/settings/memberships/new/"


@pytest.fixture
def southmere_agency(other_marac):
    agency = AgencyFactory(name="Southmere Only Agency")
    MaracAgency.objects.create(marac=other_marac, agency=agency)
    return agency


def test_it_does_not_offer_or_add_another_marac_s_agency(client_for, administrator, marac, southmere_agency):
    client = client_for(administrator)
    assert "Southmere Only Agency" not in client.get(ADD).content.decode()
    response = client.post(ADD, {"agency": southmere_agency.pk})
    assert response.status_code == 200
    assert "Choose one of the agencies listed" in response.content.decode()
    assert not MaracAgency.objects.filter(marac=marac).exists()


def test_it_does_not_offer_an_agency_another_marac_created_and_has_not_added_yet(
    client_for, administrator, marac, other_marac
):
    southmere_admin = grant(UserFactory(full_name="Sid Southmere"), other_marac, "administrator")
    client_for(southmere_admin).post("/settings/agencies/new/", {"name": "Southmere Refuge", "agency_type": "police"})
    refuge = Agency.objects.get(name="Southmere Refuge")
    client = client_for(administrator)
    assert "Southmere Refuge" not in client.get(ADD).content.decode()
    client.post(ADD, {"agency": refuge.pk})
    assert not MaracAgency.objects.filter(marac=marac).exists()


def test_an_administrator_creates_an_agency_then_adds_it(client_for, administrator, marac):
    client = client_for(administrator)
    assert 'href="/settings/agencies/new/"' in client.get(ADD).content.decode()
    created = client.post("/settings/agencies/new/", {"name": "Northbrook Refuge", "agency_type": "police"})
    assert created["Location"] == ADD
    refuge = Agency.objects.get(name="Northbrook Refuge")
    assert "Northbrook Refuge" in client.get(ADD).content.decode()
    assert client.post(ADD, {"agency": refuge.pk}).status_code == 302
    assert MaracAgency.objects.filter(marac=marac, agency=refuge).exists()


def test_an_agency_already_here_is_not_offered_again_but_stays_editable(client_for, administrator, marac):
    homes = AgencyFactory(name="Northbrook Homes")
    membership = MaracAgency.objects.create(marac=marac, agency=homes)
    client = client_for(administrator)
    assert "Northbrook Homes" not in client.get(ADD).content.decode()
    assert client.post(ADD, {"agency": homes.pk}).status_code == 200
    saved = client.post(f"/settings/memberships/{membership.pk}/", {"is_core": "on", "version": membership.version})
    assert saved.status_code == 302
    membership.refresh_from_db()
    assert membership.is_core and membership.agency == homes


def test_an_outsider_cannot_add_an_agency_here(client_for, outsider, marac):
    homes = AgencyFactory(name="Northbrook Homes")
    client_for(outsider).post(ADD, {"agency": homes.pk})
    assert not MaracAgency.objects.filter(marac=marac).exists()
