"""Case references like NB-2026-0042: the MARAC's own prefix, the year, and a number never used before.

The prefix is decided in one place for every new case: the series the MARAC's cases already carry (the demo's
NB-, or the references an import brought in from the MARAC's old system), or for a MARAC with no cases yet, the
initials of its name. The number is one more than the highest already used with that prefix and year, so a gap or
an imported reference never makes the next case collide with an existing one."""

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from cases.models import Case
from marac.models import Marac

_REFERENCE = re.compile(r"^([A-Z][A-Z0-9]{0,9})-(\d{4})-(\d+)$")
FALLBACK_PREFIX = "MAR"
# Enough recent cases to see which series the MARAC uses, without reading every case it has ever held.
RECENT_CASES_FOR_PREFIX = 200


def prefix_from_name(name: str) -> str:
    """The initials of the MARAC's name, at most three: "Northbrook MARAC" gives NM."""
    initials = "".join(word[0] for word in name.split() if word[0].isascii() and word[0].isalpha()).upper()[:3]
    return initials or FALLBACK_PREFIX


def series_prefix(recent_references: Sequence[str], *, marac_name: str) -> str:
    """The prefix most of the MARAC's recent references use (the most recent wins a tie); the name's initials if
    none of them follows the PREFIX-YEAR-NUMBER pattern. recent_references: newest first."""
    prefixes = [match.group(1) for reference in recent_references if (match := _REFERENCE.match(reference))]
    if not prefixes:
        return prefix_from_name(marac_name)
    counts = Counter(prefixes)
    highest = max(counts.values())
    return next(prefix for prefix in prefixes if counts[prefix] == highest)


def next_reference(prefix: str, year: int, taken: Iterable[str]) -> str:
    """One more than the highest number already used with this prefix and year: never a reference in taken."""
    highest = 0
    for reference in taken:
        match = _REFERENCE.match(reference)
        if match and match.group(1) == prefix and int(match.group(2)) == year:
            highest = max(highest, int(match.group(3)))
    return f"{prefix}-{year}-{highest + 1:04d}"


def reference_prefix_for(marac: Marac) -> str:
    """The one place that decides a MARAC's reference prefix."""
    recent = Case.objects.filter(marac=marac).order_by("-referred_on", "-pk").values_list("reference", flat=True)
    return series_prefix(list(recent[:RECENT_CASES_FOR_PREFIX]), marac_name=marac.name)


def case_reference_next(marac: Marac, year: int) -> str:
    """The next reference for a new case at this MARAC. Call it with the MARAC's row locked (select_for_update), so
    two coordinators accepting at once take different numbers. References are unique across all MARACs, so every
    reference with the prefix counts, whichever MARAC holds it."""
    prefix = reference_prefix_for(marac)
    taken = Case.objects.filter(reference__startswith=f"{prefix}-{year}-").values_list("reference", flat=True)
    return next_reference(prefix, year, taken)
