"""The VAWG chair's acknowledgement of an escalated complaint (BD Complaints: "The Chair of the VAWG Sub-Committee
will acknowledge receipt of the complaint within 5 working days"): when it is due and when it happened. Complaints
already escalated and waiting get their due date, 5 working days after the escalation on the MARAC's calendar.

The status "resolved" keeps its stored value; only its label changes, to "Chair responded", as the complainant can
still escalate it. A new status, "vawg_acknowledged", sits between the escalation and the VAWG chair's outcome."""

from typing import Any

from django.db import migrations, models

from governance.records_rules import complaint_vawg_acknowledge_by
from referrals.calendar import calendar_from_marac


def fill_vawg_acknowledge_by(apps: Any, schema_editor: Any) -> None:
    complaint_model = apps.get_model("governance", "Complaint")
    waiting = complaint_model.objects.filter(status="escalated", escalated_on__isnull=False, vawg_acknowledge_by=None)
    for complaint in waiting.select_related("marac"):
        closure_days = complaint.marac.closure_days.values_list("day", flat=True)
        calendar = calendar_from_marac(complaint.marac, closure_days)
        complaint.vawg_acknowledge_by = complaint_vawg_acknowledge_by(complaint.escalated_on, calendar=calendar)
        complaint.save(update_fields=["vawg_acknowledge_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_complaint_escalation_outcome"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="vawg_acknowledge_by",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="complaint",
            name="vawg_acknowledged_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("acknowledged", "Acknowledged"),
                    ("investigating", "Being investigated"),
                    ("resolved", "Chair responded"),
                    ("escalated", "Escalated to the VAWG chair"),
                    ("vawg_acknowledged", "Acknowledged by the VAWG chair"),
                    ("vawg_responded", "VAWG chair responded"),
                ],
                default="received",
                max_length=20,
            ),
        ),
        migrations.RunPython(fill_vawg_acknowledge_by, migrations.RunPython.noop),
    ]
