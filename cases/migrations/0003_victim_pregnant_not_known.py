from django.db import migrations, models


def not_known_again(apps, schema_editor):
    """Cases made from a referral that answered "not known" were saved as not pregnant: they are not known again.
    A case's answer changes nowhere after it is made, so the referral's answer is the case's."""
    case_model = apps.get_model("cases", "Case")
    referral_model = apps.get_model("referrals", "Referral")
    not_known = [
        referral.case_id
        for referral in referral_model.objects.filter(case__isnull=False).only("case_id", "content").iterator()
        if (referral.content.get("victim") or {}).get("pregnant") not in ("yes", "no")
    ]
    for start in range(0, len(not_known), 1000):
        chunk = not_known[start : start + 1000]
        case_model.objects.filter(pk__in=chunk, victim_pregnant=False).update(victim_pregnant=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_restricted_legalhold_caserestriction"),
        ("referrals", "0006_transfer_outside_openmarac"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="victim_pregnant",
            field=models.BooleanField(default=False, null=True),
        ),
        migrations.RunPython(not_known_again, migrations.RunPython.noop),
    ]
