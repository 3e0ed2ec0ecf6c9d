"""The audit trail in plain words, at display time: record types by name ("Case", not "cases.case") and roles by
their labels ("Board viewer", not "board_viewer"). The stored entries are append-only and hash-chained
(audit/services.py), so they keep their codes; only the page says them differently."""

import re
from collections.abc import Iterable

from django.apps import apps
from django.utils.text import capfirst

from accounts.models import Role

# Record types whose model name alone reads badly, and the types written by code that are not models.
_RECORD_TYPE_NAMES = {
    "marac.maracagency": "Agency membership",
    "referrals.idvaallocation": "IDVA allocation",
    "api.apicredential": "API credential",
    "demo.load": "Demo data load",
    "encryption.keys": "Encryption keys",
    "governance.retention": "Retention",
    "reports.indicators": "Indicators",
}

_ROLE_LABELS = {str(role.value): str(role.label) for role in Role}

# The summaries that name roles by their codes (accounts/services.py, api/services.py).
_SUMMARIES_WITH_ROLES = [
    re.compile(r"^(Granted role )(\w+)( to user \d+(?:, awaiting approval by a second person)?)$"),
    re.compile(r"^(Approved role )(\w+)( for user \d+, granted by user \w+)$"),
    re.compile(r"^(Refused role )(\w+)( for user \d+, granted by user \w+)$"),
    re.compile(r"^(Removed role )(\w+)( from user \d+)$"),
    re.compile(r"^(Issued API credential \d+ to agency \d+ with roles )([\w, ]+)()$"),
]


def record_type_name(label: str) -> str:
    """ "cases.case" is "Case"; a type that is no model is named by its last part ("demo.load": "Load")."""
    if label in _RECORD_TYPE_NAMES:
        return _RECORD_TYPE_NAMES[label]
    app_label, _, model_name = label.partition(".")
    try:
        return str(capfirst(apps.get_model(app_label, model_name)._meta.verbose_name))
    except (LookupError, ValueError):
        return str(capfirst((model_name or app_label).replace("_", " ")))


def record_type_choices(labels: Iterable[str]) -> list[tuple[str, str]]:
    """The record types, by name, in alphabetical order. Two types with the same name (in different apps) are told
    apart by their app: "Agency (marac)"."""
    named = [(label, record_type_name(label)) for label in sorted(set(labels)) if label]
    counts: dict[str, int] = {}
    for _label, name in named:
        counts[name] = counts.get(name, 0) + 1
    choices = [(label, f"{name} ({label.partition('.')[0]})" if counts[name] > 1 else name) for label, name in named]
    return sorted(choices, key=lambda choice: (choice[1].lower(), choice[0]))


def role_labels(roles: str) -> str:
    """ "board_viewer, coordinator" is "Board viewer, MARAC coordinator"; an unknown code stays as it is."""
    return ", ".join(_ROLE_LABELS.get(code, code) for code in (part.strip() for part in roles.split(",")) if code)


def readable_summary(summary: str) -> str:
    """The summary with the roles it names by their labels: "Granted role board_viewer to user 21" is "Granted role
    Board viewer to user 21". Any other summary is shown as it was written."""
    for pattern in _SUMMARIES_WITH_ROLES:
        found = pattern.match(summary)
        if found:
            before, roles, after = found.groups()
            return f"{before}{role_labels(roles)}{after}"
    return summary
