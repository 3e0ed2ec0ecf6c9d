from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apicredential",
            name="revocation_reason",
            field=models.CharField(blank=True, max_length=500),
        ),
    ]
