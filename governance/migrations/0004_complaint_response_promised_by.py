"""BD Complaints: the chair acknowledges a complaint "and provide[s] a timeframe in which a response will be made".
The date the complainant was told to expect the chair's response; empty on complaints acknowledged before it was
asked for, as nobody recorded what they were told."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_complaint_vawg_acknowledgement"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="response_promised_by",
            field=models.DateField(blank=True, null=True),
        ),
    ]
