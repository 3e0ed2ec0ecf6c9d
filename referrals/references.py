"""Case references like NB-2026-0042: the MARAC's own prefix, the year, and a number never used before.

The prefix is the MARAC's stored setting (Marac.reference_prefix, which the administrator can change on the settings
page). A MARAC that has none yet takes, at its first case, the series its cases already carry (the demo's NB-, or
the references an import brought in from its old system), or for a MARAC with no cases, the initials of its name;
that prefix is then stored, so it stays put. The number is one more than the highest already used with that prefix
and year, so a gap, an imported reference or a prefix used before never makes the next case collide."""

from collections.abc import Iterable

from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case
from marac.models import Marac
from marac.reference_prefixes import (
    FALLBACK_PREFIX,
    REFERENCE,
    available_prefix,
    prefix_from_name,
    series_prefix,
)

__all__ = [
    "FALLBACK_PREFIX",
    "case_reference_next",
    "next_reference",
    "prefix_from_name",
    "reference_prefix_for",
    "series_prefix",
]

# Enough recent cases to see which series the MARAC uses, without reading every case it has ever held.
RECENT_CASES_FOR_PREFIX = 200


def next_reference(prefix: str, year: int, taken: Iterable[str]) -> str:
    """One more than the highest number already used with this prefix and year: never a reference in taken."""
    highest = 0
    for reference in taken:
        match = REFERENCE.match(reference)
        if match and match.group(1) == prefix and int(match.group(2)) == year:
            highest = max(highest, int(match.group(3)))
    return f"{prefix}-{year}-{highest + 1:04d}"


def reference_prefix_for(marac: Marac) -> str:
    """The one place that decides a MARAC's reference prefix: the stored one, or the one it would take now."""
    if marac.reference_prefix:
        return marac.reference_prefix
    recent = Case.objects.filter(marac=marac).order_by("-referred_on", "-pk").values_list("reference", flat=True)
    derived = series_prefix(list(recent[:RECENT_CASES_FOR_PREFIX]), marac_name=marac.name)
    others = Marac.objects.exclude(pk=marac.pk).values_list("reference_prefix", flat=True)
    return available_prefix(derived, {prefix for prefix in others if prefix})


def case_reference_next(marac: Marac, year: int) -> str:
    """The next reference for a new case at this MARAC. Call it with the MARAC's row locked (select_for_update), so
    two coordinators accepting at once take different numbers. References are unique across all MARACs, so every
    reference with the prefix counts, whichever MARAC holds it (one used before a prefix changed, too)."""
    prefix = reference_prefix_for(marac)
    if not marac.reference_prefix:
        _store_prefix(marac, prefix)
    taken = Case.objects.filter(reference__startswith=f"{prefix}-{year}-").values_list("reference", flat=True)
    return next_reference(prefix, year, taken)


def _store_prefix(marac: Marac, prefix: str) -> None:
    """Keep the prefix a MARAC's first case took, so a later import of another series does not move it."""
    Marac.objects.filter(pk=marac.pk).update(reference_prefix=prefix)
    marac.reference_prefix = prefix
    audit_record(
        action=AuditAction.CHANGE,
        obj=marac,
        summary="Case reference prefix set by the first case",
        changes={"reference_prefix": {"from": "None", "to": prefix}},
    )
