"""Encrypt each referral's content (people.encryption.EncryptedJSONField).

In three steps: turn the JSON column into plain text (the JSON as written), encrypt that text in batches,
then switch the field to EncryptedJSONField (no database change). Reversible the same way back."""

from django.db import migrations, models

import people.encryption
from people.encryption import decrypt_text, encrypt_text

BATCH_SIZE = 200


def _rewrite(apps, change) -> None:
    Referral = apps.get_model("referrals", "Referral")
    batch = []
    for referral in Referral.objects.order_by("pk").only("pk", "content").iterator(chunk_size=BATCH_SIZE):
        if referral.content:
            referral.content = change(referral.content)
            batch.append(referral)
        if len(batch) == BATCH_SIZE:
            Referral.objects.bulk_update(batch, ["content"])
            batch = []
    Referral.objects.bulk_update(batch, ["content"])


def encrypt_content(apps, schema_editor) -> None:
    _rewrite(apps, encrypt_text)


def decrypt_content(apps, schema_editor) -> None:
    _rewrite(apps, decrypt_text)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_encrypt_addresses"),
        ("referrals", "0003_childrennotification_idvaallocation_contactattempt_and_more"),
    ]

    operations = [
        migrations.AlterField(model_name="referral", name="content", field=models.TextField(blank=True)),
        migrations.RunPython(encrypt_content, decrypt_content, elidable=False),
        migrations.AlterField(
            model_name="referral",
            name="content",
            field=people.encryption.EncryptedJSONField(blank=True, default=dict),
        ),
    ]
