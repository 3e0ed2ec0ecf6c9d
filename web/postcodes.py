"""The one UK postcode rule, shared by the referral forms and the spreadsheet import: upper case, one space
between the outward code (the district, which the reports count by) and the inward code."""

import re

_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL = re.compile(rf"^({_OUTWARD})([0-9][A-Z]{{2}})$")
_OUTWARD_ONLY = re.compile(rf"^{_OUTWARD}$")


def normalise_postcode(value: str, *, outward_code_alone: bool = False) -> str | None:
    """The postcode as Royal Mail writes it ("nb12xy" gives "NB1 2XY"), "" for nothing typed, or None when it is not
    a UK postcode. outward_code_alone accepts a district on its own ("NB1"), as old records sometimes hold."""
    compact = "".join(value.upper().split())
    if not compact:
        return ""
    if full := _FULL.match(compact):
        return f"{full.group(1)} {full.group(2)}"
    if outward_code_alone and _OUTWARD_ONLY.match(compact):
        return compact
    return None


def postcode_parts(value: str) -> tuple[str, str]:
    """The outward and inward codes of a postcode however it was typed ("ac72px" gives ("AC7", "2PX")), the outward
    code alone with "" for a district on its own ("AC7"), or ("", "") when it is not a UK postcode. For finding a
    postcode in free text, where people write it with or without its space and in any case."""
    postcode = normalise_postcode(value, outward_code_alone=True)
    if not postcode:
        return "", ""
    outward, _, inward = postcode.partition(" ")
    return outward, inward
