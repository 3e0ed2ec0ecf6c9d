import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """When a case was put on a meeting's agenda. Listings made before are left empty rather than stamped with the
    time of the migration, which would make every one of them look added after its case list went out."""

    dependencies = [
        ("meetings", "0004_agreementafterclose"),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="listed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="listing",
            name="listed_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True),
        ),
    ]
