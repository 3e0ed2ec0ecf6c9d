"""The IDVA allocation list and the list of notifications to children's services keep to need-to-know as the case
page does: a restricted case is listed only for the users named on it; and a case transferred to another MARAC
leaves the IDVA allocation list (that MARAC leads and allocates its own IDVA)."""

import re

import pytest

from accounts.models import Role
from cases.models import Case, CaseStatus
from referrals.models import Referral
from referrals.tests.test_referral_pages import _complete
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client_for, referrer, coordinator):
    """A case accepted through the pages, with a child: it has an IDVA clock and a children's notification."""
    client = client_for(referrer)
    client.post("/referrals/start/")
    referral = Referral.objects.get(referrer=referrer)
    _complete(client, referral)
    referral.refresh_from_db()
    client.post(f"/referrals/{referral.pk}/submit/", {"version": referral.version})
    client_for(coordinator).post(f"/referrals/{referral.pk}/decision/accept/")
    referral.refresh_from_db()
    return referral.case


def _restrict(client, case, *, named=()):
    """The coordinator restricts the case through its restriction page, naming themselves and `named`."""
    page = client.get(f"/cases/{case.pk}/restriction/").content.decode()
    hidden = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1).replace("&quot;", '"')
        for name in ("version", "based_on")
    }
    data = {**hidden, "restricted": "yes", "named_users": [user.pk for user in named]}
    assert client.post(f"/cases/{case.pk}/restriction/", data).status_code == 302
    case.refresh_from_db()
    assert case.restricted


def test_a_restricted_case_leaves_the_idva_list_of_an_idva_not_named_on_it(client_for, coordinator, idva, case):
    assert case.reference in client_for(idva).get("/referrals/idva/").content.decode()

    _restrict(client_for(coordinator), case)

    client = client_for(idva)
    listing = client.get("/referrals/idva/").content.decode()
    assert case.reference not in listing
    assert "Not yet allocated" not in listing
    # As everywhere else for this IDVA: not found.
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/referrals/idva/{case.pk}/allocate/").status_code == 404


def test_a_restricted_case_stays_on_the_idva_list_of_those_named_on_it(client_for, coordinator, marac, case):
    named = grant(UserFactory(full_name="Nadia Named"), marac, Role.IDVA)
    client = client_for(coordinator)
    _restrict(client, case, named=[named])

    assert case.reference in client.get("/referrals/idva/").content.decode()
    assert case.reference in client_for(named).get("/referrals/idva/").content.decode()


def test_a_restricted_case_leaves_the_childrens_services_list_of_a_coordinator_not_named_on_it(
    client_for, coordinator, marac, case
):
    other_coordinator = grant(UserFactory(full_name="Colin Second"), marac, Role.COORDINATOR)
    assert case.reference in client_for(other_coordinator).get("/referrals/children-notifications/").content.decode()

    _restrict(client_for(coordinator), case)

    assert case.reference in client_for(coordinator).get("/referrals/children-notifications/").content.decode()
    page = client_for(other_coordinator).get("/referrals/children-notifications/").content.decode()
    assert case.reference not in page
    assert client_for(other_coordinator).get(f"/cases/{case.pk}/").status_code == 404


def test_a_case_transferred_to_another_marac_leaves_the_idva_list(client_for, coordinator, idva, case):
    # The hearing's outcome "transferred to another MARAC" (meetings' live pages) sets this status.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.TRANSFERRED)

    for user in (coordinator, idva):
        listing = client_for(user).get("/referrals/idva/").content.decode()
        assert case.reference not in listing
        assert "Not allocated" not in listing and "Not yet allocated" not in listing


def test_a_closed_case_stays_on_the_idva_list_as_a_record(client_for, coordinator, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)

    listing = client_for(coordinator).get("/referrals/idva/").content.decode()

    assert case.reference in listing and "Not allocated" in listing
