"""A MARAC's case reference prefix is a setting: valid only as capital letters and numbers starting with a letter,
short enough for a reference to fit, one MARAC's alone, changed on the settings page by whoever may change the
settings, and audited with its old and new values."""

import importlib

import pytest
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Role
from audit.models import AuditEvent
from cases.models import Case
from marac.models import Marac
from marac.reference_prefixes import (
    PREFIX_CHARACTERS,
    PREFIX_FIRST_LETTER,
    PREFIX_MAX_LENGTH,
    PREFIX_REQUIRED,
    PREFIX_TAKEN,
    PREFIX_TOO_LONG,
    available_prefix,
    prefix_problem,
)
from marac.tests.test_configuration import _settings_form
from testing.factories import CaseFactory, MaracFactory, UserFactory, grant

CASE_REFERENCE_LENGTH = Case._meta.get_field("reference").max_length

# --- The rule: worked examples ----------------------------------------------------------------------------------------


def test_it_accepts_capital_letters_and_numbers_starting_with_a_letter():
    for prefix in ("NB", "N", "NM2", "Q001", "ABCDEFGHIJ"):
        assert prefix_problem(prefix) is None, prefix


def test_it_names_what_is_wrong_with_a_prefix():
    assert prefix_problem("") == PREFIX_REQUIRED
    assert prefix_problem("ABCDEFGHIJK") == PREFIX_TOO_LONG
    assert prefix_problem("nb") == PREFIX_CHARACTERS
    assert prefix_problem("N-B") == PREFIX_CHARACTERS
    assert prefix_problem("N B") == PREFIX_CHARACTERS
    assert prefix_problem("NÉ") == PREFIX_CHARACTERS
    assert prefix_problem("\uff12B") == PREFIX_CHARACTERS  # a full-width digit is not 0 to 9
    assert prefix_problem("2NB") == PREFIX_FIRST_LETTER


def test_a_prefix_another_marac_holds_gets_the_next_free_number():
    assert available_prefix("NM", set()) == "NM"
    assert available_prefix("NM", {"NM"}) == "NM2"
    assert available_prefix("NM", {"NM", "NM2", "NM3"}) == "NM4"
    assert available_prefix("ABCDEFGHIJ", {"ABCDEFGHIJ"}) == "ABCDEFGHI2"


# --- The rule: properties ---------------------------------------------------------------------------------------------

CAPITALS_AND_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@given(st.text(max_size=15))
def test_a_prefix_is_valid_exactly_when_it_is_short_capitals_and_digits_starting_with_a_letter(prefix):
    valid = (
        1 <= len(prefix) <= PREFIX_MAX_LENGTH
        and all(character in CAPITALS_AND_DIGITS for character in prefix)
        and prefix[0] in CAPITALS_AND_DIGITS[:26]
    )
    assert (prefix_problem(prefix) is None) == valid


@given(st.text(alphabet=CAPITALS_AND_DIGITS, min_size=1, max_size=PREFIX_MAX_LENGTH), st.integers(0, 10**14 - 1))
def test_every_reference_from_a_valid_prefix_fits_the_case_reference(prefix, number):
    if prefix_problem(prefix) is None:
        assert len(f"{prefix}-2026-{number:04d}") <= CASE_REFERENCE_LENGTH


@given(
    st.text(alphabet=CAPITALS_AND_DIGITS[:26], min_size=1, max_size=PREFIX_MAX_LENGTH),
    st.sets(st.text(alphabet=CAPITALS_AND_DIGITS, min_size=1, max_size=PREFIX_MAX_LENGTH), max_size=20),
)
def test_the_free_prefix_offered_is_valid_and_held_by_no_other_marac(wanted, taken):
    offered = available_prefix(wanted, taken)
    assert offered not in taken
    assert prefix_problem(offered) is None
    assert (offered == wanted) == (wanted not in taken)


# --- The settings page ------------------------------------------------------------------------------------------------


def _post(client, marac, **changes):
    marac.refresh_from_db()
    return client.post("/settings/edit/", _settings_form(marac, **changes))


@pytest.mark.django_db
def test_the_page_offers_the_prefix_the_marac_uses_today(client_for, administrator, marac):
    CaseFactory(marac=marac, reference="NB-2026-0007")
    page = client_for(administrator).get("/settings/edit/").content.decode()
    assert 'name="reference_prefix" value="NB"' in page
    assert "Case reference prefix" in page
    marac.refresh_from_db()
    assert marac.reference_prefix is None  # offered, not stored until saved
    assert "NB-" in client_for(administrator).get("/settings/").content.decode()


@pytest.mark.django_db
def test_an_administrator_changes_the_prefix_and_the_change_is_audited(client_for, administrator, marac):
    response = _post(client_for(administrator), marac, reference_prefix="NBK")
    assert response.status_code == 302
    marac.refresh_from_db()
    assert marac.reference_prefix == "NBK"
    event = AuditEvent.objects.get(object_type="marac.marac", action="change")
    assert event.changes["reference_prefix"] == {"from": "None", "to": "NBK"}
    assert event.actor_id == administrator.pk
    page = client_for(administrator).get("/settings/").content.decode()
    assert "NBK-" in page


@pytest.mark.django_db
def test_a_prefix_typed_in_lower_case_is_kept_in_capitals(client_for, administrator, marac):
    assert _post(client_for(administrator), marac, reference_prefix=" nb2 ").status_code == 302
    marac.refresh_from_db()
    assert marac.reference_prefix == "NB2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", PREFIX_REQUIRED),
        ("ABCDEFGHIJK", PREFIX_TOO_LONG),
        ("NB-", PREFIX_CHARACTERS),
        ("N B", PREFIX_CHARACTERS),
        ("9NB", PREFIX_FIRST_LETTER),
    ],
)
def test_a_bad_prefix_is_refused_with_a_specific_message_and_nothing_saved(
    client_for, administrator, marac, typed, message
):
    response = _post(client_for(administrator), marac, reference_prefix=typed, dash_threshold="15")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(message) >= 2, "in the error summary and beside the field"
    assert 'href="#id_reference_prefix"' in page
    assert "Ensure this value" not in page
    marac.refresh_from_db()
    assert (marac.reference_prefix, marac.dash_threshold) == (None, 14)
    assert not AuditEvent.objects.filter(object_type="marac.marac", action="change").exists()


@pytest.mark.django_db
def test_a_prefix_another_marac_uses_is_refused(client_for, administrator, marac, other_marac):
    other_marac.reference_prefix = "SM"
    other_marac.save(update_fields=["reference_prefix"])
    response = _post(client_for(administrator), marac, reference_prefix="sm")
    assert PREFIX_TAKEN in response.content.decode()
    marac.refresh_from_db()
    assert marac.reference_prefix is None


@pytest.mark.django_db
def test_a_marac_whose_initials_another_holds_is_offered_a_free_prefix(client_for, administrator, marac):
    MaracFactory(name="Newmarket Moor MARAC", reference_prefix="NM")
    page = client_for(administrator).get("/settings/edit/").content.decode()
    assert 'name="reference_prefix" value="NM2"' in page
    assert _post(client_for(administrator), marac, reference_prefix="NM2").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["coordinator", "chair", "police_rep", "idva", "referrer", "board_viewer"])
def test_only_those_who_may_change_the_settings_can_change_the_prefix(client_for, marac, persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).post("/settings/edit/", _settings_form(marac, reference_prefix="ZZ"))
    assert response.status_code == 404
    marac.refresh_from_db()
    assert marac.reference_prefix is None


@pytest.mark.django_db
def test_an_outsider_cannot_change_this_marac_s_prefix(client_for, outsider, marac, other_marac):
    assert client_for(outsider).post("/settings/edit/", _settings_form(marac, reference_prefix="ZZ")).status_code == 404
    # An administrator elsewhere changes only their own MARAC, whatever they post.
    elsewhere = grant(UserFactory(), other_marac, Role.ADMINISTRATOR)
    form = _settings_form(other_marac, reference_prefix="ZZ", local_authorities="Southmere")
    assert client_for(elsewhere).post("/settings/edit/", form).status_code == 302
    marac.refresh_from_db()
    other_marac.refresh_from_db()
    assert (marac.reference_prefix, other_marac.reference_prefix) == (None, "ZZ")


# --- The data migration -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_stores_the_prefix_each_marac_uses_today(marac, other_marac):
    CaseFactory(marac=marac, reference="NB-2026-0041")
    CaseFactory(marac=marac, reference="NB-2026-0042")
    twin = MaracFactory(name="Smallmoor MARAC")  # same initials as Southmere MARAC, created later
    fill = importlib.import_module("marac.migrations.0008_fill_reference_prefix").fill
    fill(apps, None)
    stored = dict(Marac.objects.values_list("name", "reference_prefix"))
    assert stored[marac.name] == "NB"
    assert stored[other_marac.name] == "SM"
    assert stored[twin.name] == "SM2"
