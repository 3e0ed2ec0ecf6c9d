"""Referrals accepted before the repeat answer was taken out of the listing explanation (which the referrer reads)
carry it after the listing's reason: "A repeat: ... on <day>" or "Not a repeat ...". Keep the listing's reason only."""

from django.db import migrations

REPEAT_STARTS = (" A repeat: ", " Not a repeat")


def _listing_reason_only(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    for referral in Referral.objects.exclude(listing_explanation="").only("pk", "listing_explanation").iterator():
        text = referral.listing_explanation
        cut = min((text.index(start) for start in REPEAT_STARTS if start in text), default=None)
        if cut is not None:
            Referral.objects.filter(pk=referral.pk).update(listing_explanation=text[:cut])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0006_transfer_outside_openmarac")]
    operations = [migrations.RunPython(_listing_reason_only, migrations.RunPython.noop)]
