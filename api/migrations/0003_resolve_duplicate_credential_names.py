"""Before names become unique per MARAC in the database (0004), rename any credentials that share a name there.

The issue form refused a taken name, but two submissions at the same moment could both pass it. Names are compared
as the constraint compares them (the database's lower()), credential by credential, oldest first: the oldest keeps
its name and each later one becomes "<name> (<id>)", cut to fit, which is the same on every run and on every copy
of the data. Its service account's display name follows. Nothing is deleted; the old names are not kept (ids are
enough to follow a credential through the audit trail)."""

from collections.abc import Iterator
from typing import Any

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Lower

NAME_LENGTH = 120
USER_NAME_LENGTH = 150


def _candidates(name: str, pk: int) -> Iterator[str]:
    suffix, attempt = f" ({pk})", 0
    while True:
        yield name[: NAME_LENGTH - len(suffix)].rstrip() + suffix
        attempt += 1
        suffix = f" ({pk}-{attempt})"


def resolve_duplicate_names(apps: Any, schema_editor: Any) -> None:
    credentials = apps.get_model("api", "ApiCredential").objects.using(schema_editor.connection.alias)
    users = apps.get_model("accounts", "User").objects.using(schema_editor.connection.alias)
    seen: set[tuple[int, str]] = set()
    ordered = credentials.annotate(folded=Lower("name")).order_by("created_at", "pk")
    for pk, marac_id, name, folded, service_user_id in ordered.values_list(
        "pk", "marac_id", "name", "folded", "service_user_id"
    ):
        if (marac_id, folded) not in seen:
            seen.add((marac_id, folded))
            continue
        # A candidate is checked against every name at the MARAC, later ones included, so it takes nobody's.
        at_marac = credentials.filter(marac_id=marac_id).annotate(folded=Lower("name"))
        candidate = next(c for c in _candidates(name, pk) if not at_marac.filter(folded=Lower(Value(c))).exists())
        credentials.filter(pk=pk).update(name=candidate)
        users.filter(pk=service_user_id).update(full_name=f"API credential: {candidate}"[:USER_NAME_LENGTH])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_apicredential_revocation_reason"),
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(resolve_duplicate_names, migrations.RunPython.noop, elidable=True),
    ]
