import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_resolve_duplicate_credential_names"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="apicredential",
            constraint=models.UniqueConstraint(
                models.F("marac"),
                django.db.models.functions.text.Lower("name"),
                name="api_credential_name_once_per_marac",
            ),
        ),
    ]
