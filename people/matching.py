"""Is a person on a referral someone already held? Exact and normalised matches of name and date of birth.
Plain functions, no ORM; the probabilistic model (Splink) comes later and will sit beside these."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PersonKey:
    given_name: str
    family_name: str
    date_of_birth: date | None


@dataclass(frozen=True)
class MatchReason:
    strength: int  # 3 exact, 2 normalised, 1 partial: the order a coordinator sees candidates in
    words: str


def normalise_name(name: str) -> str:
    """Lower case, accents and punctuation gone, spaces folded: "O'Brien-Smith" and "obrien smith" agree."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z]", "", letters.lower())


def _swapped_day_and_month(day: date) -> date | None:
    try:
        return date(day.year, day.day, day.month) if day.day <= 12 and day.day != day.month else None
    except ValueError:
        return None


def dates_of_birth_to_search(day: date | None) -> list[date]:
    """The date as given, and with day and month swapped, the commonest slip when dates are retyped."""
    if day is None:
        return []
    swapped = _swapped_day_and_month(day)
    return [day, swapped] if swapped else [day]


# REFERRAL issue item 7: "exact and normalised name and date-of-birth matches for now".
def match_reason(on_referral: PersonKey, held: PersonKey) -> MatchReason | None:
    if on_referral.date_of_birth is None or held.date_of_birth is None:
        return None
    same_names = (on_referral.given_name, on_referral.family_name) == (held.given_name, held.family_name)
    given, family = normalise_name(on_referral.given_name), normalise_name(on_referral.family_name)
    held_given, held_family = normalise_name(held.given_name), normalise_name(held.family_name)
    if on_referral.date_of_birth == held.date_of_birth:
        if same_names:
            return MatchReason(3, "Same name and date of birth")
        if (given, family) == (held_given, held_family):
            return MatchReason(2, "Same name once spelling and punctuation are set aside; same date of birth")
        if (given, family) == (held_family, held_given):
            return MatchReason(2, "Same names the other way round; same date of birth")
        if family == held_family and given[:1] == held_given[:1]:
            return MatchReason(1, "Same family name and initial; same date of birth")
    elif held.date_of_birth in dates_of_birth_to_search(on_referral.date_of_birth) and (given, family) == (
        held_given,
        held_family,
    ):
        return MatchReason(1, "Same name; date of birth with day and month swapped")
    return None
