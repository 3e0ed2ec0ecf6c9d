"""Saving the MARAC settings page without changing anything records nothing: no "Changed MARAC settings" entry with
no changes in the audit log, and no new version (so nobody else's open edit is made stale by it)."""

import pytest

from audit.models import AuditEvent
from marac.models import Marac
from marac.tests.test_configuration import _settings_form

pytestmark = pytest.mark.django_db
EDIT = "/settings/edit/"


def _changes_recorded(marac: Marac) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="marac.marac", object_id=str(marac.pk), action="change").order_by("id")
    )


def test_saving_the_page_as_it_came_writes_no_audit_entry_and_keeps_the_version(client_for, administrator, marac):
    client = client_for(administrator)
    first = client.post(EDIT, _settings_form(marac, dash_threshold="15"), follow=True)
    assert "MARAC settings saved" in first.content.decode()
    marac.refresh_from_db()
    version, recorded = marac.version, _changes_recorded(marac)
    assert len(recorded) == 1

    saved = client.post(EDIT, _settings_form(marac, dash_threshold="15"), follow=True)  # the same answers again

    assert "Nothing was changed" in saved.content.decode()
    assert "MARAC settings saved" not in saved.content.decode()
    marac.refresh_from_db()
    assert marac.version == version
    assert marac.dash_threshold == 15
    assert _changes_recorded(marac) == recorded
    assert not AuditEvent.objects.filter(object_type="marac.marac", action="change", changes={}).exists()


def test_an_open_edit_is_not_made_stale_by_an_unchanged_save(client_for, administrator, marac):
    client = client_for(administrator)
    client.post(EDIT, _settings_form(marac, dash_threshold="15"))
    marac.refresh_from_db()
    other_window = _settings_form(marac, dash_threshold="15", minutes_per_case="20")

    client.post(EDIT, _settings_form(marac, dash_threshold="15"))  # saved unchanged in this window
    response = client.post(EDIT, other_window)

    assert response.status_code == 302
    marac.refresh_from_db()
    assert marac.minutes_per_case == 20
    event = _changes_recorded(marac)[-1]
    assert event.changes == {"minutes_per_case": {"from": "15", "to": "20"}}
