"""Field encryption: addresses and referral content are ciphertext in the database, readable through the ORM,
rotatable to a new key, and loud when no configured key opens them."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from people.encryption import UndecryptableValue
from people.models import Address, postcode_district_of
from referrals.models import Referral
from testing.factories import AddressFactory, AgencyFactory, MaracFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
REFUGE = {"line_1": "7 Hidden Refuge Lane", "line_2": "Flat 3", "town": "Nowhereton", "postcode": "nb1 2xy"}


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - names are ours
        return str(cursor.fetchone()[0])


def _raw_address(address: Address) -> dict[str, str]:
    return {name: _raw("people_address", name, address.pk) for name in REFUGE}


def _referral(content: dict) -> Referral:
    referrer = UserFactory()
    return Referral.objects.create(
        marac=MaracFactory(), referrer=referrer, referring_agency=AgencyFactory(), content=content
    )


def test_it_reads_back_an_address_as_written():
    address = AddressFactory(**REFUGE)
    fresh = Address.objects.get(pk=address.pk)
    assert {name: getattr(fresh, name) for name in REFUGE} == REFUGE
    assert Address.objects.filter(pk=address.pk).values_list("line_1", flat=True).get() == REFUGE["line_1"]


def test_it_stores_no_part_of_the_address_in_the_database():
    address = AddressFactory(**REFUGE)
    raw = _raw_address(address)
    assert all(token.startswith("gAAAAA") for token in raw.values())  # Fernet tokens, one per value
    # Short fragments ("7", "nb1") turn up in base64 by chance; every longer one must be absent.
    words = [word for value in REFUGE.values() for word in value.split() if len(word) >= 4]
    assert words
    assert not [word for word in words if word in " ".join(raw.values())]


def test_it_keeps_empty_values_empty():
    address = AddressFactory(line_2="", town="")
    assert _raw("people_address", "line_2", address.pk) == ""
    assert Address.objects.get(pk=address.pk).town == ""


def test_it_keeps_the_postcode_district_in_clear_and_correct():
    address = AddressFactory(**REFUGE)
    assert _raw("people_address", "postcode_district", address.pk) == "NB1"
    address.postcode = "EV12 9AB"
    address.save(update_fields=["postcode"])
    assert Address.objects.filter(postcode_district="EV12").get().pk == address.pk


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("nb1 2xy", "NB1"), ("NB12XY", "NB1"), ("EV129AB", "EV12"), ("NB1", "NB1"), ("  ", ""), ("", "")],
)
def test_it_takes_the_outward_code_as_the_district(postcode, district):
    assert postcode_district_of(postcode) == district


def test_it_refuses_to_filter_on_an_encrypted_field():
    with pytest.raises(FieldError):
        Address.objects.filter(postcode="NB1 2XY").exists()
    with pytest.raises(FieldError):
        Referral.objects.filter(content__victim__town="Nowhereton").exists()


def test_it_reads_back_a_referral_as_written_and_stores_it_encrypted():
    content = {"victim": {"given_name": "Fictional", "address_line_1": "7 Hidden Refuge Lane"}, "children": []}
    referral = _referral(content)
    assert Referral.objects.get(pk=referral.pk).content == content
    raw = _raw("referrals_referral", "content", referral.pk)
    assert "Refuge" not in raw
    assert "victim" not in raw


def test_it_moves_every_value_to_the_newest_key():
    with override_settings(OPENMARAC_FIELD_ENCRYPTION_KEYS=[KEY_A]):
        address = AddressFactory(**REFUGE)
        referral = _referral({"victim": {"town": "Nowhereton"}})
    with override_settings(OPENMARAC_FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("rotate_encryption_keys", batch_size=1, stdout=(output := StringIO()))
    assert "people.Address: 1 rows, 4 values re-encrypted, 0 already under the newest key" in output.getvalue()
    only_b = Fernet(KEY_B.encode())
    assert {name: only_b.decrypt(token.encode()).decode() for name, token in _raw_address(address).items()} == REFUGE
    assert b"Nowhereton" in only_b.decrypt(_raw("referrals_referral", "content", referral.pk).encode())
    with override_settings(OPENMARAC_FIELD_ENCRYPTION_KEYS=[KEY_B]):
        assert Address.objects.get(pk=address.pk).line_1 == REFUGE["line_1"]


def test_rotating_again_changes_nothing():
    with override_settings(OPENMARAC_FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        address = AddressFactory(**REFUGE)
        before = _raw_address(address)
        call_command("rotate_encryption_keys", stdout=(output := StringIO()))
    assert "people.Address: 1 rows, 0 values re-encrypted, 4 already under the newest key" in output.getvalue()
    assert _raw_address(address) == before


def test_it_fails_loudly_on_a_value_under_an_unknown_key():
    with override_settings(OPENMARAC_FIELD_ENCRYPTION_KEYS=[KEY_A]):
        address = AddressFactory(**REFUGE)
    with override_settings(OPENMARAC_FIELD_ENCRYPTION_KEYS=[KEY_B]):
        with pytest.raises(UndecryptableValue, match="OPENMARAC_FIELD_ENCRYPTION_KEYS"):
            Address.objects.get(pk=address.pk)
        with pytest.raises(CommandError, match=r"people\.Address"):
            call_command("rotate_encryption_keys", stdout=StringIO())
    with pytest.raises(InvalidToken):
        Fernet(KEY_B.encode()).decrypt(_raw("people_address", "line_1", address.pk).encode())


@pytest.mark.django_db(transaction=True)
def test_the_migrations_decrypt_on_the_way_back_and_encrypt_on_the_way_forward():
    from django.db.migrations.executor import MigrationExecutor

    address = AddressFactory(**REFUGE)
    referral = _referral({"victim": {"town": "Nowhereton"}})
    before = [
        ("people", "0001_initial"),
        ("referrals", "0003_childrennotification_idvaallocation_contactattempt_and_more"),
    ]
    after = [("people", "0002_encrypt_addresses"), ("referrals", "0004_encrypt_referral_content")]
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        assert _raw_address(address) == REFUGE
        assert '"town": "Nowhereton"' in _raw("referrals_referral", "content", referral.pk)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest, whatever came after
    assert _raw("people_address", "line_1", address.pk).startswith("gAAAAA")
    assert _raw("people_address", "postcode_district", address.pk) == "NB1"
    assert Address.objects.get(pk=address.pk).postcode == REFUGE["postcode"]
    assert Referral.objects.get(pk=referral.pk).content == {"victim": {"town": "Nowhereton"}}
