"""The retention period and action, which the information sharing agreement sets, are shown on the MARAC's settings
page and changed on its form, within bounds, audited with their values; the retention report follows them."""

import re

import pytest

from audit.models import AuditEvent
from governance.tests.test_retention import family
from marac.tests.test_configuration import _settings_form

pytestmark = pytest.mark.django_db

EDIT = "/settings/edit/"


def test_the_settings_page_shows_the_retention_period_and_action(client_for, chair, marac):
    page = client_for(chair).get("/settings/").content.decode()

    assert "Anonymise the people, keep the counts, 6 years after a case's last hearing" in page
    assert "information sharing agreement" in page


def test_the_form_offers_them_as_they_are_with_a_hint(client_for, administrator, marac):
    page = client_for(administrator).get(EDIT).content.decode()

    assert 'name="retention_years"' in page and 'value="6"' in page
    assert 'name="retention_action" value="anonymise"' in page and 'value="delete"' in page
    assert "Your information sharing agreement sets this period" in page


def test_an_administrator_changes_them_audited_and_the_retention_report_follows(
    client_for, administrator, coordinator, marac
):
    family(marac, coordinator, reference="NB-2019-0001")  # heard in May 2019
    response = client_for(administrator).post(
        EDIT, _settings_form(marac, retention_years="10", retention_action="delete")
    )

    assert response.status_code == 302
    marac.refresh_from_db()
    assert (marac.retention_years, marac.retention_action) == (10, "delete")
    event = AuditEvent.objects.get(object_type="marac.marac", action="change")
    assert event.changes["retention_years"] == {"from": "6", "to": "10"}
    assert event.changes["retention_action"] == {"from": "anonymise", "to": "delete"}
    assert event.actor_id == administrator.pk
    report = client_for(coordinator).get("/governance/retention/").content.decode()
    assert "The policy: delete a case 10 years after its last hearing" in report
    assert re.search(r"To delete</dt><dd [^>]*>0<", report)  # heard in 2019: not due for 10 years
    assert re.search(r"Not yet due</dt><dd [^>]*>1<", report)


@pytest.mark.parametrize("years", ["1", "26", "0", "six"])
def test_a_period_out_of_bounds_is_refused_next_to_the_field(client_for, administrator, marac, years):
    response = client_for(administrator).post(EDIT, _settings_form(marac, retention_years=years))
    page = response.content.decode()

    assert response.status_code == 200
    assert "The years a case is kept must be" in page
    assert 'href="#id_retention_years"' in page
    marac.refresh_from_db()
    assert marac.retention_years == 6
    assert not AuditEvent.objects.filter(action="change").exists()


def test_an_unknown_action_is_refused(client_for, administrator, marac):
    response = client_for(administrator).post(EDIT, _settings_form(marac, retention_action="shred"))

    assert "Choose what happens to a case at the end of its retention period" in response.content.decode()
    marac.refresh_from_db()
    assert marac.retention_action == "anonymise"


def test_others_cannot_change_them(client_for, chair, coordinator, outsider, marac):
    for user in (chair, coordinator, outsider):
        client_for(user).post(EDIT, _settings_form(marac, retention_years="2", retention_action="delete"))
    marac.refresh_from_db()
    assert (marac.retention_years, marac.retention_action) == (6, "anonymise")
