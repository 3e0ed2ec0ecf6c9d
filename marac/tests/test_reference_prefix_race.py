"""Two administrators of two MARACs choose the same case reference prefix at the same moment: each form checks it is
free, both save, and the database's unique constraint refuses the second. That second person sees "Another MARAC
already uses this case reference prefix" beside the prefix (not a server error), and nothing of their change is
saved. The clash is made for real: the other MARAC takes the prefix after the form's check, so the save itself
fails with an IntegrityError, on SQLite and on PostgreSQL alike."""

import re
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection

from audit.models import AuditEvent
from marac import services
from marac.forms import MaracSettingsForm
from marac.models import Marac
from marac.reference_prefixes import PREFIX_TAKEN
from marac.tests.test_configuration import _settings_form

pytestmark = pytest.mark.django_db
FORMS_UNIQUE_CHECK = re.compile(r'SELECT .*"marac_marac"\."reference_prefix" = ', re.DOTALL)


@pytest.fixture
def marac(marac):
    Marac.objects.filter(pk=marac.pk).update(reference_prefix="NM")
    marac.refresh_from_db()
    return marac


@contextmanager
def _taken_after_the_form_checks(other: Marac, prefix: str):
    """Once the settings form has checked that no other MARAC uses `prefix` (its uniqueness query has run), the other
    MARAC takes it: the moment between a colleague's check and save."""
    done = False

    def take_after_check(execute, sql, params, many, context):
        nonlocal done
        result = execute(sql, params, many, context)
        if not done and FORMS_UNIQUE_CHECK.search(sql) and prefix in (params or ()):
            done = True
            Marac.objects.filter(pk=other.pk).update(reference_prefix=prefix)
        return result

    with connection.execute_wrapper(take_after_check):
        yield
    assert done, "the form never checked the prefix"


def _unchanged(marac: Marac) -> None:
    saved = Marac.objects.get(pk=marac.pk)
    assert (saved.reference_prefix, saved.dash_threshold, saved.version) == ("NM", marac.dash_threshold, marac.version)
    assert not AuditEvent.objects.filter(object_type="marac.marac", action="change").exists()


def test_the_service_turns_the_database_s_refusal_into_a_message_and_saves_nothing(administrator, marac, other_marac):
    form = MaracSettingsForm(
        _settings_form(marac, reference_prefix="SM", dash_threshold="16"), instance=Marac.objects.get(pk=marac.pk)
    )
    assert form.is_valid(), form.errors  # SM is free when the form checks
    Marac.objects.filter(pk=other_marac.pk).update(reference_prefix="SM")  # and taken before the save

    with pytest.raises(services.SettingsTaken) as refused:
        services.marac_update_settings(
            marac=marac,
            changes={name: form.cleaned_data[name] for name in form.Meta.fields},
            based_on_version=marac.version,
            by=administrator,
        )

    assert refused.value.errors == {"reference_prefix": PREFIX_TAKEN}
    assert isinstance(refused.value.__cause__, IntegrityError)  # the database refused it: no check got there first
    _unchanged(marac)


def test_the_page_shows_the_prefix_is_taken_beside_the_field_and_saves_nothing(
    client_for, administrator, marac, other_marac
):
    client = client_for(administrator)
    with _taken_after_the_form_checks(other_marac, "SM"):
        response = client.post("/settings/edit/", _settings_form(marac, reference_prefix="SM", dash_threshold="16"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Change the settings of" in page
    assert PREFIX_TAKEN == "Another MARAC already uses this case reference prefix: choose a different one"
    assert page.count(PREFIX_TAKEN) == 2  # in the error summary, and beside the field
    assert 'href="#id_reference_prefix"' in page
    _unchanged(marac)
    assert Marac.objects.get(pk=other_marac.pk).reference_prefix == "SM"  # theirs stands


def test_a_name_taken_at_the_same_moment_is_refused_the_same_way(administrator, marac, other_marac):
    form = MaracSettingsForm(_settings_form(marac, name="Eastvale MARAC"), instance=Marac.objects.get(pk=marac.pk))
    assert form.is_valid(), form.errors
    Marac.objects.filter(pk=other_marac.pk).update(name="Eastvale MARAC")

    with pytest.raises(services.SettingsTaken) as refused:
        services.marac_update_settings(
            marac=marac,
            changes={name: form.cleaned_data[name] for name in form.Meta.fields},
            based_on_version=marac.version,
            by=administrator,
        )

    assert refused.value.errors == {"name": services.NAME_TAKEN}
    assert Marac.objects.get(pk=marac.pk).name == "Northbrook MARAC"


def test_a_prefix_free_all_along_is_saved(client_for, administrator, marac, other_marac):
    response = client_for(administrator).post("/settings/edit/", _settings_form(marac, reference_prefix="NBX"))
    assert response.status_code == 302
    assert Marac.objects.get(pk=marac.pk).reference_prefix == "NBX"
