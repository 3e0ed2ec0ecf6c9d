"""Store, for every MARAC already installed, the case reference prefix it uses today (the series its recent cases
carry, or its initials), so its references continue without a gap. Two MARACs that share one today keep it for the
one created first; the other takes the next free variant (NM2), since a prefix is now unique."""

from typing import Any

from django.db import migrations

from marac.reference_prefixes import available_prefix, series_prefix

RECENT_CASES_FOR_PREFIX = 200  # as referrals/references.py reads them


def fill(apps: Any, schema_editor: Any) -> None:
    marac_model = apps.get_model("marac", "Marac")
    case_model = apps.get_model("cases", "Case")
    taken = set(marac_model.objects.exclude(reference_prefix=None).values_list("reference_prefix", flat=True))
    for marac in marac_model.objects.filter(reference_prefix=None).order_by("pk"):
        recent = case_model.objects.filter(marac=marac).order_by("-referred_on", "-pk")
        references = list(recent.values_list("reference", flat=True)[:RECENT_CASES_FOR_PREFIX])
        marac.reference_prefix = available_prefix(series_prefix(references, marac_name=marac.name), taken)
        marac.save(update_fields=["reference_prefix"])
        taken.add(marac.reference_prefix)


class Migration(migrations.Migration):
    dependencies = [
        ("marac", "0007_marac_reference_prefix"),
        ("cases", "0002_case_restricted_legalhold_caserestriction"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
