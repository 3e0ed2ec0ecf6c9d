"""A new user works for one of this MARAC's member agencies: the Add user page offers only those, and both the page
and the service refuse any other agency (another MARAC's, or one in no MARAC), saving nothing and sending nothing."""

import re

import pytest
from django.core import mail

from accounts.models import User
from accounts.services import AGENCY_NOT_MEMBER, UserRefused, user_create
from audit.models import AuditEvent
from marac.models import MaracAgency
from testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(marac, other_marac):
    ours = AgencyFactory(name="Northbrook Probation")
    theirs = AgencyFactory(name="Southmere Housing")
    MaracAgency.objects.create(marac=marac, agency=ours)
    MaracAgency.objects.create(marac=other_marac, agency=theirs)
    return {"ours": ours, "theirs": theirs, "nowhere": AgencyFactory(name="Unaffiliated Agency")}


def _options(page: str) -> list[str]:
    select = page.split('name="agency"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return [label.strip() for value, label in options if value]


def _add_petra(client, agency):  # type: ignore[no-untyped-def]
    return client.post(
        "/you/users/new/", {"full_name": "Petra Probation", "email": "petra@example.invalid", "agency": agency.pk}
    )


def test_the_add_user_page_offers_only_this_maracs_member_agencies(client_for, administrator, agencies):
    page = client_for(administrator).get("/you/users/new/").content.decode()
    assert _options(page) == ["Northbrook Probation"]


@pytest.mark.parametrize("which", ["theirs", "nowhere"])
def test_the_page_refuses_an_agency_that_is_not_a_member(client_for, administrator, agencies, which):
    response = client_for(administrator).post(
        "/you/users/new/",
        {"full_name": "Petra Probation", "email": "petra@example.invalid", "agency": agencies[which].pk},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert AGENCY_NOT_MEMBER in page
    assert not User.objects.filter(email="petra@example.invalid").exists()
    assert not mail.outbox


def test_the_service_refuses_an_agency_that_is_not_a_member(administrator, marac, agencies):
    user = User(full_name="Petra Probation", email="petra@example.invalid", agency=agencies["theirs"])
    with pytest.raises(UserRefused, match=AGENCY_NOT_MEMBER):
        user_create(user=user, marac=marac, by=administrator)
    assert not User.objects.filter(email="petra@example.invalid").exists()
    assert not AuditEvent.objects.filter(object_type="accounts.user").exists()


def test_a_member_agency_is_accepted(client_for, administrator, agencies):
    response = client_for(administrator).post(
        "/you/users/new/",
        {"full_name": "Petra Probation", "email": "petra@example.invalid", "agency": agencies["ours"].pk},
    )
    assert response.status_code == 302
    assert User.objects.get(email="petra@example.invalid").agency == agencies["ours"]
