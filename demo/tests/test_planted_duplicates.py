"""The demo holds a handful of people recorded twice, as real MARACs do, so the matching model learns from true
duplicates and the coordinator's possible duplicates page shows them, and never brothers and sisters."""

import io
import random
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from cases.models import Case, PartyRole
from demo import fictional
from demo.generator import DEMO_DUPLICATES, DEMO_MARAC_NAME
from demo.plan import SAFELIVES_2024, AreaSpec, LocalAuthority, Planner, plant_duplicates
from marac.models import Marac
from people.linkage import duplicates_to_review
from people.matching import normalise_name
from people.models import Person

START, END = date(2025, 7, 1), date(2026, 6, 30)


def edits(first: str, second: str) -> int:
    """Levenshtein distance, with two neighbouring letters the wrong way round counted as one slip."""
    before, row = None, list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            best = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a != b))
            if before and i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                best = min(best, before[j - 2] + 1)
            current.append(best)
        before, row = row, current
    return row[-1]


def date_slips(first: date, second: date) -> int:
    if first == second:
        return 0
    if (first.year, first.month, first.day) == (second.year, second.day, second.month):
        return 1
    return edits(first.isoformat(), second.isoformat())


def slips(first, second) -> int:
    """How many slips of the keyboard turn one record into the other."""
    return (
        edits(first.given_name, second.given_name)
        + edits(first.family_name, second.family_name)
        + date_slips(first.date_of_birth, second.date_of_birth)
    )


def planned(seed: int = 7):
    spec = AreaSpec("NB", (LocalAuthority("Northbrook", 60_000, "NB"),), START, END)
    cases = Planner(random.Random(seed), spec, SAFELIVES_2024).plan()
    perpetrators = [[id(p) for p in case.perpetrators] for case in cases]
    planted = plant_duplicates(random.Random(seed), cases, DEMO_DUPLICATES)
    return cases, perpetrators, planted


def test_each_planted_duplicate_is_an_earlier_perpetrator_retyped_for_a_new_case():
    cases, before, planted = planned()
    assert len(planted) == DEMO_DUPLICATES
    moved = sum(first.addresses[-1].postcode != second.addresses[-1].postcode for first, second in planted)
    assert 0 < moved < DEMO_DUPLICATES
    given = {*fictional.FEMALE_GIVEN_NAMES, *fictional.MALE_GIVEN_NAMES}
    for first, second in planted:
        same_address = first.addresses[-1].postcode == second.addresses[-1].postcode
        # A slip or two, or nothing but a new address.
        assert slips(first, second) <= 2 and (slips(first, second) >= 1 or not same_address)
        assert first.gender == second.gender
        # Still plainly invented: the names it was typed from are on the lists, and the first letters kept.
        assert first.given_name in given and first.family_name in fictional.FAMILY_NAMES
        assert (second.given_name[0], second.family_name[0]) == (first.given_name[0], first.family_name[0])
        first_case = next(case for case in cases if first in case.perpetrators)
        second_case = next(case for case in cases if second in case.perpetrators)
        assert first_case.victim is not second_case.victim and first_case.referred_on < second_case.referred_on
        assert not second_case.is_repeat
    # Only the chosen cases changed, and the repeats of them still follow the same perpetrators.
    changed = [i for i, case in enumerate(cases) if [id(p) for p in case.perpetrators] != before[i]]
    assert len(changed) >= DEMO_DUPLICATES
    assert all(cases[i].is_repeat or any(second in cases[i].perpetrators for _, second in planted) for i in changed)
    for case in cases:
        if case.is_repeat:
            assert any(
                other.victim is case.victim and other.perpetrators is case.perpetrators
                for other in cases
                if other.referred_on < case.referred_on
            )


def test_the_same_seed_plants_the_same_duplicates():
    first = [(a.given_name, b.given_name, b.family_name, b.date_of_birth) for a, b in planned(11)[2]]
    again = [(a.given_name, b.given_name, b.family_name, b.date_of_birth) for a, b in planned(11)[2]]
    assert first == again


def true_duplicates(marac_id: int) -> set[frozenset[int]]:
    """People held twice, found without the model: one or two slips apart, same gender. (Every planted duplicate has
    a date of birth; the perpetrator of the referral heard at the emergency MARAC has none.)"""
    people = list(
        Person.objects.filter(marac_id=marac_id, date_of_birth__isnull=False).only(
            "given_name", "family_name", "date_of_birth", "gender"
        )
    )
    by_year: dict[tuple[str, int], list[Person]] = {}
    for person in people:
        by_year.setdefault((person.gender, person.date_of_birth.year), []).append(person)
    found = set()
    for (gender, year), group in by_year.items():
        near = group + by_year.get((gender, year + 1), [])  # a slip in the year's last digit
        for i, first in enumerate(group):
            for second in near[i + 1 :]:
                if (
                    slips(first, second) <= 2
                    and normalise_name(first.given_name)[0] == normalise_name(second.given_name)[0]
                ):
                    found.add(frozenset((first.pk, second.pk)))
    return found


@pytest.mark.django_db
def test_after_demo_load_the_duplicates_page_lists_the_planted_duplicates_and_no_siblings():
    call_command("demo_load", stdout=io.StringIO())
    marac = Marac.objects.get(name=DEMO_MARAC_NAME)
    truth = true_duplicates(marac.pk)
    assert len(truth) == DEMO_DUPLICATES
    listed = duplicates_to_review(marac_id=marac.pk, hidden=set())
    pairs = {frozenset((d.person_a_id, d.person_b_id)) for d in listed}
    assert pairs == truth
    for duplicate in listed:
        a, b = duplicate.person_a, duplicate.person_b
        assert normalise_name(a.given_name)[:1] == normalise_name(b.given_name)[:1]
        assert not (edits(a.given_name, b.given_name) > 1 and a.date_of_birth != b.date_of_birth)
    # Every repeat still follows a hearing of the same victim and perpetrator.
    for repeat in Case.objects.filter(marac=marac, is_repeat=True).prefetch_related("parties"):
        perpetrators = [party.person_id for party in repeat.parties.all() if party.role == PartyRole.PERPETRATOR]
        assert Case.objects.filter(
            victim_id=repeat.victim_id,
            heard_on__lt=repeat.referred_on,
            heard_on__gte=repeat.referred_on - timedelta(days=365),
            parties__role=PartyRole.PERPETRATOR,
            parties__person_id__in=perpetrators,
        ).exists(), repeat.reference
