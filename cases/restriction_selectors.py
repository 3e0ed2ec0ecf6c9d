"""What the restriction page shows besides the case: the other cases of the same people.

Restricting a case hides its people's records from everyone not named on it, but a victim recorded again in another
case (the same record, or another record a coordinator confirmed is the same person) is still seen there, address
and all. The page lists those cases so that the coordinator can restrict them too.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from cases.models import Case, CaseParty, PartyRole
from cases.restriction import visible_given_restrictions


@dataclass(frozen=True)
class SamePeopleCase:
    case: Case
    # How the people are in it, in words: "this case's victim, there the victim".
    how: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.case.reference}: {'; '.join(self.how)}"


def same_people_cases(*, case: Case, user: Any) -> list[SamePeopleCase]:
    """The other cases at the case's MARAC of the people in `case` (themselves, or confirmed the same person), that
    `user` may see: a restricted case they are not named on is left out, as everywhere. Newest first."""
    from people.linkage import same_person_ids

    roles_here = _roles_by_person(case)
    groups = same_person_ids(roles_here)
    owner: dict[int, list[int]] = {}
    for person_id in roles_here:  # the groups of the people linked to them are in `groups` too
        for member in groups[person_id]:
            owner.setdefault(member, []).append(person_id)
    others = list(
        Case.objects.filter(Q(victim_id__in=owner) | Q(parties__person_id__in=owner), marac_id=case.marac_id)
        .exclude(pk=case.pk)
        .filter(visible_given_restrictions(user))
        .distinct()
        .order_by("-referred_on", "reference")
    )
    # Their roles there, read for all of them at once: the victim, and each party who is one of these people.
    there: dict[int, list[tuple[int, str]]] = {other.pk: [(other.victim_id, PartyRole.VICTIM)] for other in others}
    parties = CaseParty.objects.filter(case__in=others, person_id__in=owner).order_by("pk")
    for case_id, person_id, role in parties.values_list("case_id", "person_id", "role"):
        there[case_id].append((person_id, role))
    found = []
    for other in others:
        how: list[str] = []
        for person_id, role in there[other.pk]:
            for here in owner.get(person_id, []):
                words = f"this case's {' and '.join(roles_here[here])}, there the {PartyRole(role).label.lower()}"
                if words not in how:
                    how.append(words)
        found.append(SamePeopleCase(case=other, how=tuple(how)))
    return found


def _roles_by_person(case: Case) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = {case.victim_id: [PartyRole.VICTIM.label.lower()]}
    for person_id, role in CaseParty.objects.filter(case=case).order_by("pk").values_list("person_id", "role"):
        label = PartyRole(role).label.lower()
        if label not in roles.setdefault(person_id, []):
            roles[person_id].append(label)
    return roles
