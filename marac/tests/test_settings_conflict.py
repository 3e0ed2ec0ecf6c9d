"""MARAC settings refused because someone else saved them first come back with this administrator's answers, now
based on what is saved, and with the saved settings that differ shown to check: saving again then saves, instead of
failing every time on the version the page was first shown with."""

import re

import pytest

from marac.models import Marac
from marac.tests.test_configuration import _settings_form

pytestmark = pytest.mark.django_db
EDIT = "/settings/edit/"


def _version_on(page):
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def test_settings_saved_again_after_a_conflict_are_saved(client_for, administrator, marac):
    client = client_for(administrator)
    opened = _settings_form(marac)  # the page as this administrator opened it
    client.post(EDIT, _settings_form(marac, minutes_per_case="20"))  # someone else saves first

    refused = client.post(EDIT, opened | {"dash_threshold": "15"})
    page = refused.content.decode()
    assert refused.status_code == 200 and "Someone else changed" in page
    saved_now = re.search(r'data-testid="saved-now">(.*?)</dl>', page, re.S).group(1)
    # Their change, and the saved score this administrator is changing, to check against; nothing else differs.
    rows = re.findall(r'__key">([^<]+)</dt><dd class="govuk-summary-list__value">([^<]+)</dd>', saved_now)
    assert rows == [("Risk checklist score for visible high risk", "14"), ("Minutes per case at the meeting", "20")]
    assert 'name="dash_threshold" value="15"' in page  # this administrator's answer, kept
    assert _version_on(refused) == str(Marac.objects.get().version)

    # Having checked, they keep the other's minutes and save their own score.
    again = client.post(
        EDIT, opened | {"dash_threshold": "15", "minutes_per_case": "20", "version": _version_on(refused)}
    )
    assert again.status_code == 302
    marac.refresh_from_db()
    assert (marac.dash_threshold, marac.minutes_per_case) == (15, 20)


def test_a_conflict_does_not_show_the_settings_to_someone_who_may_not_change_them(client_for, coordinator, marac):
    assert client_for(coordinator).post(EDIT, _settings_form(marac, version="0")).status_code in (403, 404)
