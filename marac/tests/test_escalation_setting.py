"""An administrator can say whether escalation in frequency or severity, described by the referrer, meets the
criteria on its own at their MARAC: Camden (CAM 4.1) counts events only, so needs it off."""

import pytest

from marac.tests.test_configuration import _settings_form

pytestmark = pytest.mark.django_db

LABEL = "Escalation in frequency or severity, described by the referrer, meets the criteria on its own"


def test_the_settings_form_offers_the_setting_ticked_as_it_is(client_for, administrator, marac):
    page = client_for(administrator).get("/settings/edit/").content.decode()
    assert LABEL in page
    box = page.split('name="escalation_in_frequency_or_severity"')[1].split(">")[0]
    assert box.endswith(" checked")


def test_an_administrator_turns_it_off_and_the_settings_page_says_so(client_for, administrator, marac):
    client = client_for(administrator)
    data = _settings_form(marac)
    del data["escalation_in_frequency_or_severity"]  # an unticked box is not posted
    assert client.post("/settings/edit/", data).status_code == 302
    marac.refresh_from_db()
    assert marac.escalation_in_frequency_or_severity is False
    page = client.get("/settings/").content.decode()
    assert 'Escalation in frequency or severity</dt><dd class="govuk-summary-list__value">Not a criterion here' in page


def test_an_administrator_turns_it_back_on(client_for, administrator, marac):
    marac.escalation_in_frequency_or_severity = False
    marac.save(update_fields=["escalation_in_frequency_or_severity"])
    client = client_for(administrator)
    assert client.post("/settings/edit/", _settings_form(marac)).status_code == 302  # ticked
    marac.refresh_from_db()
    assert marac.escalation_in_frequency_or_severity is True
    assert "Meets the criteria on its own" in client.get("/settings/").content.decode()
