"""The prefix of a MARAC's case references (NB in NB-2026-0042): what a valid one looks like, and the one a MARAC
gets before anyone chooses it. Plain functions, no ORM: the data migration that filled the stored prefix uses
them too, so they must not change what they decide for the MARACs already installed."""

import re
from collections import Counter
from collections.abc import Collection, Sequence

# A reference is PREFIX-YEAR-NUMBER and must fit cases.Case.reference (30 characters): 10 for the prefix, 6 for
# "-2026-", leaves 14 digits for the number.
PREFIX_MAX_LENGTH = 10
REFERENCE = re.compile(r"^([A-Z][A-Z0-9]{0,9})-(\d{4})-(\d+)$")
FALLBACK_PREFIX = "MAR"

PREFIX_REQUIRED = "Enter the case reference prefix"
PREFIX_TOO_LONG = f"The case reference prefix must be {PREFIX_MAX_LENGTH} characters or fewer"
PREFIX_CHARACTERS = "The case reference prefix must only include capital letters A to Z and numbers 0 to 9"
PREFIX_FIRST_LETTER = "The case reference prefix must start with a letter"
PREFIX_TAKEN = "Another MARAC already uses this case reference prefix: choose a different one"


def prefix_problem(prefix: str) -> str | None:
    """What is wrong with a prefix, in words for the settings page, or None if it can start references."""
    if not prefix:
        return PREFIX_REQUIRED
    if len(prefix) > PREFIX_MAX_LENGTH:
        return PREFIX_TOO_LONG
    if not all("A" <= character <= "Z" or "0" <= character <= "9" for character in prefix):
        return PREFIX_CHARACTERS
    if not prefix[0].isalpha():
        return PREFIX_FIRST_LETTER
    return None


def prefix_from_name(name: str) -> str:
    """The initials of the MARAC's name, at most three: "Northbrook MARAC" gives NM."""
    initials = "".join(word[0] for word in name.split() if word[0].isascii() and word[0].isalpha()).upper()[:3]
    return initials or FALLBACK_PREFIX


def series_prefix(recent_references: Sequence[str], *, marac_name: str) -> str:
    """The prefix most of the MARAC's recent references use (the most recent wins a tie); the name's initials if
    none of them follows the PREFIX-YEAR-NUMBER pattern. recent_references: newest first."""
    prefixes = [match.group(1) for reference in recent_references if (match := REFERENCE.match(reference))]
    if not prefixes:
        return prefix_from_name(marac_name)
    counts = Counter(prefixes)
    highest = max(counts.values())
    return next(prefix for prefix in prefixes if counts[prefix] == highest)


def available_prefix(wanted: str, taken: Collection[str]) -> str:
    """wanted, or if another MARAC holds it, the first of wanted2, wanted3... that is free (shortened to fit).

    Prefixes are unique because references are: two MARACs sharing one would share a numbering."""
    if wanted not in taken:
        return wanted
    number = 2
    while True:
        suffix = str(number)
        candidate = wanted[: PREFIX_MAX_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1
