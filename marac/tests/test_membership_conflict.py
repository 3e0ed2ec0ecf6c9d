"""Two administrators editing the same agency membership from the same page: the second save is refused, says so,
shows what is saved now beside their own changes, and overwrites nothing (through the real pages)."""

import re

import pytest

from audit.models import AuditEvent
from marac.models import MaracAgency
from marac.services import StaleEdit, agency_membership_save
from testing.factories import AgencyFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing(marac):
    agency = AgencyFactory(name="Northbrook Homes", agency_type="housing")
    hana = grant(UserFactory(agency=agency, full_name="Hana Housing"), marac, "agency_representative")
    dev = grant(UserFactory(agency=agency, full_name="Dev Deputy"), marac, "agency_representative")
    membership = MaracAgency.objects.create(marac=marac, agency=agency, is_core=False, representative=hana)
    return {"membership": membership, "hana": hana, "dev": dev}


def _url(membership):
    return f"/settings/memberships/{membership.pk}/"


def _version_on(page):
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def test_the_second_save_from_an_older_page_is_refused_and_shows_both(client_for, administrator, marac, housing):
    membership = housing["membership"]
    first_admin = client_for(administrator)
    second_admin = client_for(grant(UserFactory(full_name="Ada Second"), marac, "administrator"))
    version_a = _version_on(first_admin.get(_url(membership)))
    version_b = _version_on(second_admin.get(_url(membership)))

    saved = first_admin.post(
        _url(membership), {"is_core": "on", "representative": housing["hana"].pk, "version": version_a}
    )
    assert saved.status_code == 302
    refused = second_admin.post(
        _url(membership),
        {"representative": housing["dev"].pk, "deputies": [housing["hana"].pk], "version": version_b},
    )

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else changed this agency while you were editing it" in page
    assert "Your changes have not been saved" in page
    saved_now = re.search(r'data-testid="saved-now">(.*?)</dl>', page, re.S).group(1)
    assert "Hana Housing" in saved_now and "Yes" in saved_now  # core, as the first administrator saved it
    membership.refresh_from_db()
    assert membership.is_core and membership.representative == housing["hana"]
    assert list(membership.deputies.all()) == []
    # The second administrator's choice is still in the form, now based on the saved version: saving it again
    # replaces what is saved, knowingly.
    assert _version_on(refused) == str(membership.version)
    again = second_admin.post(
        _url(membership),
        {"representative": housing["dev"].pk, "deputies": [housing["hana"].pk], "version": _version_on(refused)},
    )
    assert again.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_core and membership.representative == housing["dev"]
    assert AuditEvent.objects.filter(object_type="marac.maracagency", action="change").count() == 2


def test_the_service_refuses_a_stale_version_under_the_lock(administrator, housing):
    membership = housing["membership"]
    agency_membership_save(membership=membership, deputies=[], by=administrator, based_on_version=1)
    stale = MaracAgency.objects.get(pk=membership.pk)
    stale.is_core = True
    with pytest.raises(StaleEdit):
        agency_membership_save(membership=stale, deputies=[housing["dev"]], by=administrator, based_on_version=1)
    membership.refresh_from_db()
    assert not membership.is_core and list(membership.deputies.all()) == []


def test_someone_without_configuration_rights_cannot_see_or_save_it(client_for, outsider, coordinator, housing):
    membership = housing["membership"]
    for user in (outsider, coordinator):
        client = client_for(user)
        assert client.get(_url(membership)).status_code == 404
        assert client.post(_url(membership), {"is_core": "on", "version": "1"}).status_code == 404
    membership.refresh_from_db()
    assert not membership.is_core
