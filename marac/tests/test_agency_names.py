"""Creating an agency: a name this MARAC already has, or may add, is refused with a clear message; a name only another
MARAC's agency has is not "taken" here, so an administrator learns nothing of another MARAC's agencies by trying
names. The new agency is this MARAC's own, and the other MARAC's agency stays out of its reach."""

import pytest

from marac.models import Agency, MaracAgency
from marac.services import AGENCY_HERE, AGENCY_TO_ADD, AgencyNameTaken, agency_create
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
CREATE = "/settings/agencies/new/"
ADD = "/settings/memberships/new/"


def test_it_does_not_tell_an_administrator_that_another_marac_has_the_name(
    client_for, administrator, marac, other_marac
):
    theirs = AgencyFactory(name="Southmere Refuge", agency_type="specialist")
    MaracAgency.objects.create(marac=other_marac, agency=theirs)
    client = client_for(administrator)
    response = client.post(CREATE, {"name": "Southmere Refuge", "agency_type": "specialist"})
    assert response.status_code == 302 and response["Location"] == ADD
    ours = Agency.objects.exclude(pk=theirs.pk).get(name="Southmere Refuge")
    assert client.post(ADD, {"agency": ours.pk}).status_code == 302
    assert MaracAgency.objects.filter(marac=marac, agency=ours).exists()
    assert not MaracAgency.objects.filter(marac=marac, agency=theirs).exists()  # theirs is still not ours to add


def test_it_says_nothing_of_an_agency_another_marac_created_and_has_not_added_yet(
    client_for, administrator, marac, other_marac
):
    southmere_admin = grant(UserFactory(full_name="Sid Southmere"), other_marac, "administrator")
    client_for(southmere_admin).post(CREATE, {"name": "Southmere Homes", "agency_type": "housing"})
    page = client_for(administrator).post(CREATE, {"name": "Southmere Homes", "agency_type": "housing"})
    assert page.status_code == 302
    assert Agency.objects.filter(name="Southmere Homes").count() == 2


def test_a_name_already_at_this_marac_is_refused_clearly(client_for, administrator, marac):
    MaracAgency.objects.create(marac=marac, agency=AgencyFactory(name="Northbrook Homes"))
    response = client_for(administrator).post(CREATE, {"name": "northbrook homes ", "agency_type": "housing"})
    assert response.status_code == 200
    assert AGENCY_HERE in response.content.decode()
    assert Agency.objects.filter(name__iexact="Northbrook Homes").count() == 1


def test_an_agency_this_marac_may_add_is_pointed_to_rather_than_made_twice(client_for, administrator, marac):
    probation = AgencyFactory(name="Region Probation Service", agency_type="probation")  # an operator's, in no MARAC
    client = client_for(administrator)
    page = client.post(CREATE, {"name": "Region Probation Service", "agency_type": "probation"}).content.decode()
    assert AGENCY_TO_ADD in page and f'href="{ADD}"' in page
    assert Agency.objects.filter(name="Region Probation Service").count() == 1
    assert client.post(ADD, {"agency": probation.pk}).status_code == 302
    assert MaracAgency.objects.filter(marac=marac, agency=probation).exists()


def test_the_service_refuses_a_name_taken_here_whoever_calls(administrator, marac):
    MaracAgency.objects.create(marac=marac, agency=AgencyFactory(name="Northbrook Homes"))
    with pytest.raises(AgencyNameTaken, match=AGENCY_HERE):
        agency_create(agency=Agency(name="Northbrook Homes", agency_type="housing"), marac=marac, by=administrator)
    assert Agency.objects.filter(name="Northbrook Homes").count() == 1
