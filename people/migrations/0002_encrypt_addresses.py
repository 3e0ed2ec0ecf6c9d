"""Encrypt the address lines, town and postcode (people.encryption), keeping the postcode district in clear.

In three steps so that no step reads ciphertext as text or text as ciphertext: widen the columns to plain
text, encrypt what is there in batches, then switch the fields to EncryptedTextField (no database change)."""

from django.db import migrations, models

import people.encryption
from people.encryption import decrypt_text, encrypt_text

BATCH_SIZE = 500
FIELDS = ["line_1", "line_2", "town", "postcode"]


def _district(postcode: str) -> str:
    # A copy of people.models.postcode_district_of as it was when this migration was written.
    parts = postcode.upper().split()
    if len(parts) > 1:
        return parts[0][:4]
    compact = "".join(parts)
    return compact[:-3][:4] if len(compact) > 4 else compact


def _rewrite(apps, change, *, with_district: bool) -> None:
    Address = apps.get_model("people", "Address")
    fields = [*FIELDS, "postcode_district"] if with_district else FIELDS
    batch = []
    for address in Address.objects.order_by("pk").iterator(chunk_size=BATCH_SIZE):
        if with_district:
            address.postcode_district = _district(address.postcode)
        for name in FIELDS:
            value = getattr(address, name)
            setattr(address, name, change(value) if value else value)
        batch.append(address)
        if len(batch) == BATCH_SIZE:
            Address.objects.bulk_update(batch, fields)
            batch = []
    Address.objects.bulk_update(batch, fields)


def encrypt_addresses(apps, schema_editor) -> None:
    _rewrite(apps, encrypt_text, with_district=True)


def decrypt_addresses(apps, schema_editor) -> None:
    _rewrite(apps, decrypt_text, with_district=False)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="address",
            name="postcode_district",
            field=models.CharField(blank=True, editable=False, max_length=4),
        ),
        migrations.AlterField(model_name="address", name="line_1", field=models.TextField()),
        migrations.AlterField(model_name="address", name="line_2", field=models.TextField(blank=True)),
        migrations.AlterField(model_name="address", name="town", field=models.TextField(blank=True)),
        migrations.AlterField(model_name="address", name="postcode", field=models.TextField(blank=True)),
        migrations.RunPython(encrypt_addresses, decrypt_addresses, elidable=False),
        migrations.AlterField(model_name="address", name="line_1", field=people.encryption.EncryptedTextField()),
        migrations.AlterField(
            model_name="address", name="line_2", field=people.encryption.EncryptedTextField(blank=True)
        ),
        migrations.AlterField(
            model_name="address", name="town", field=people.encryption.EncryptedTextField(blank=True)
        ),
        migrations.AlterField(
            model_name="address", name="postcode", field=people.encryption.EncryptedTextField(blank=True)
        ),
    ]
