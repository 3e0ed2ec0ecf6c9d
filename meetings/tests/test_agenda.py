"""The agenda rules (meetings/agenda.py), with the seeds' own cases and property tests."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from meetings.agenda import (
    Band,
    Capacity,
    InformationOnlyFacts,
    age_on,
    agenda_band,
    agenda_order,
    agenda_slots,
    children_who_count,
    heard_with_children,
    information_only_agreed,
    information_only_capacity,
    information_only_refusals,
    predicted_finish,
    victim_is_child,
)

LONDON = ZoneInfo("Europe/London")
NINE_THIRTY = datetime(2026, 11, 3, 9, 30, tzinfo=LONDON)


@dataclass(frozen=True)
class Item:
    name: str
    has_children: bool = False
    victim_pregnant: bool = False
    information_only: bool = False
    brought_forward: bool = False
    position: int | None = None
    victim_pregnancy_not_known: bool = False
    victim_is_child: bool = False


def _names(items):
    return [item.name for item in items]


def test_it_lists_cases_with_children_first():
    # BD Start / Finish Times: children or pregnant victims first, then cases without children or for information.
    items = [Item("no children"), Item("info", information_only=True), Item("children", has_children=True)]
    assert _names(agenda_order(items)) == ["children", "no children", "info"]


def test_it_lists_a_pregnant_victim_with_the_cases_with_children():
    items = [Item("other"), Item("pregnant", victim_pregnant=True), Item("children", has_children=True)]
    assert _names(agenda_order(items)) == ["pregnant", "children", "other"]


def test_it_keeps_the_listing_order_within_a_band():
    items = [Item("first"), Item("second"), Item("third")]
    assert _names(agenda_order(items)) == ["first", "second", "third"]


def test_it_puts_cases_the_chair_brought_forward_first_by_position():
    items = [
        Item("children", has_children=True),
        Item("second forward", brought_forward=True, position=2),
        Item("info forward", information_only=True, brought_forward=True, position=1),
    ]
    assert _names(agenda_order(items)) == ["info forward", "second forward", "children"]


def test_it_gives_information_only_cases_the_shorter_slot():
    items = agenda_order([Item("info", information_only=True), Item("full")])
    slots = agenda_slots(items, starts_at=NINE_THIRTY, minutes_per_case=15, minutes_per_information_case=5)
    assert [(slot.item.name, f"{slot.starts_at:%H:%M}", f"{slot.ends_at:%H:%M}") for slot in slots] == [
        ("full", "09:30", "09:45"),
        ("info", "09:45", "09:50"),
    ]
    assert predicted_finish(slots, starts_at=NINE_THIRTY) == datetime(2026, 11, 3, 9, 50, tzinfo=LONDON)


def test_an_empty_agenda_finishes_when_it_starts():
    assert predicted_finish([], starts_at=NINE_THIRTY) == NINE_THIRTY


def _facts(**changes):
    base = {
        "children_not_in_permanent_care": 0,
        "victim_pregnant": False,
        "vulnerable_adult": False,
        "specific_actions_requested": False,
        "referrer_disagrees": False,
        "referrer_view_recorded": True,
    }
    return InformationOnlyFacts(**{**base, **changes})


def test_it_allows_information_only_for_the_toolkits_example():
    # BD: "a MARAC to MARAC referral ... where the victim is childless and not classed as being vulnerable".
    assert information_only_refusals(_facts()) == []


def test_it_refuses_information_only_with_each_reason_in_words():
    refusals = information_only_refusals(
        _facts(
            children_not_in_permanent_care=2,
            victim_pregnant=True,
            vulnerable_adult=True,
            specific_actions_requested=True,
            referrer_disagrees=True,
            referrer_view_recorded=False,
        )
    )
    assert refusals == [
        "The case involves 2 children not in permanent care.",
        "The victim is pregnant.",
        "A vulnerable adult, as defined by adult social care, is involved.",
        "The referrer identified or asked for specific actions.",
        "The referrer does not agree with listing the case for information only.",
        "The referrer's view has not been recorded yet.",
    ]


def test_children_in_permanent_care_do_not_count_but_unknown_ones_do():
    # BD: "except where the child or children are in permanent care".
    assert children_who_count([True, True]) == 0
    assert children_who_count([True, None]) == 1
    assert children_who_count([False]) == 1
    assert information_only_refusals(_facts(children_not_in_permanent_care=children_who_count([True]))) == []


def test_it_needs_both_the_chair_and_the_coordinator():
    assert not information_only_agreed(chair_id=1, coordinator_id=None, refusals=[])
    assert not information_only_agreed(chair_id=None, coordinator_id=2, refusals=[])
    assert information_only_agreed(chair_id=1, coordinator_id=2, refusals=[])
    assert not information_only_agreed(chair_id=1, coordinator_id=2, refusals=["The victim is pregnant."])


def test_one_person_cannot_agree_for_both_sides():
    both = {"chair", "coordinator"}
    assert information_only_capacity(roles=both, user_id=7, chair_id=None, coordinator_id=None) == Capacity.CHAIR
    assert information_only_capacity(roles=both, user_id=7, chair_id=7, coordinator_id=None) is None
    assert (
        information_only_capacity(roles={"coordinator"}, user_id=8, chair_id=7, coordinator_id=None)
        == Capacity.COORDINATOR
    )
    assert (
        information_only_capacity(roles={"agency_representative"}, user_id=9, chair_id=None, coordinator_id=None)
        is None
    )


def test_it_works_out_a_childs_age_on_the_meeting_day():
    assert age_on(date(2019, 11, 4), date(2026, 11, 3)) == 6
    assert age_on(date(2019, 11, 3), date(2026, 11, 3)) == 7
    assert age_on(None, date(2026, 11, 3)) is None


items = st.builds(
    Item,
    name=st.text(min_size=1, max_size=5),
    has_children=st.booleans(),
    victim_pregnant=st.booleans(),
    victim_pregnancy_not_known=st.booleans(),
    victim_is_child=st.booleans(),
    information_only=st.booleans(),
    brought_forward=st.booleans(),
    position=st.none() | st.integers(min_value=1, max_value=20),
)


@given(st.lists(items, max_size=20))
def test_ordering_is_a_permutation(listed):
    ordered = agenda_order(listed)
    assert sorted(map(id, ordered)) == sorted(map(id, listed))


@given(st.lists(items, max_size=20))
def test_bands_never_go_backwards(listed):
    bands = [agenda_band(item) for item in agenda_order(listed)]
    assert bands == sorted(bands)


@given(st.lists(items, max_size=20))
def test_children_and_pregnant_always_come_before_the_others(listed):
    ordered = agenda_order(listed)
    first_band = [i for i, item in enumerate(ordered) if agenda_band(item) == Band.CHILDREN_OR_PREGNANT]
    others = [i for i, item in enumerate(ordered) if agenda_band(item) in (Band.OTHER, Band.INFORMATION_ONLY)]
    assert not first_band or not others or max(first_band) < min(others)


@given(st.lists(items, max_size=20))
def test_information_only_is_always_last_unless_brought_forward(listed):
    ordered = agenda_order(listed)
    tail = [item.information_only and not item.brought_forward for item in ordered]
    # once the information-only cases start, nothing else follows
    assert tail == sorted(tail)


@given(
    st.lists(items, max_size=20),
    st.integers(min_value=1, max_value=120),
    st.integers(min_value=1, max_value=120),
)
def test_finish_is_the_start_plus_every_slot(listed, per_case, per_information_case):
    ordered = agenda_order(listed)
    slots = agenda_slots(
        ordered, starts_at=NINE_THIRTY, minutes_per_case=per_case, minutes_per_information_case=per_information_case
    )
    total = sum(per_information_case if item.information_only else per_case for item in ordered)
    assert predicted_finish(slots, starts_at=NINE_THIRTY) == NINE_THIRTY + timedelta(minutes=total)
    assert all(earlier.ends_at == later.starts_at for earlier, later in itertools.pairwise(slots))


# --- Who is heard with the cases with children (BD MARAC List; CAM 4.3) ---------------------------------------------


def test_a_victim_of_16_or_17_when_referred_is_a_child():
    # CAM 4.3 Young people aged 16 and 17: "CSFH still has a safeguarding duty to these young people".
    assert victim_is_child(age_on(date(2010, 3, 2), date(2026, 10, 1)))  # 16
    assert victim_is_child(age_on(date(2008, 10, 10), date(2026, 10, 9)))  # 17, the day before turning 18
    assert not victim_is_child(age_on(date(2008, 10, 10), date(2026, 10, 10)))  # 18 on the day referred
    assert not victim_is_child(None)  # no date of birth: nothing to go on


def test_a_young_victim_and_a_pregnancy_not_known_are_heard_with_the_cases_with_children():
    items = [
        Item("adult, no children"),
        Item("victim of 17", victim_is_child=True),
        Item("pregnancy not known", victim_pregnancy_not_known=True),
        Item("child in permanent care", has_children=True),
    ]
    assert _names(agenda_order(items)) == [
        "victim of 17",
        "pregnancy not known",
        "child in permanent care",
        "adult, no children",
    ]
    assert not heard_with_children(Item("adult, no children"))


def test_it_refuses_information_only_for_a_victim_of_17():
    # BD Cases for information only: not "if they involve a child or children"; CAM 4.3: a victim of 17 is one.
    assert information_only_refusals(_facts(victim_age_when_referred=17)) == [
        "The victim was 17 when referred: a child, to whom children's social care has a safeguarding duty."
    ]
    assert information_only_refusals(_facts(victim_age_when_referred=18)) == []


def test_it_refuses_information_only_while_a_pregnancy_is_not_known():
    # BD: not "if ... the victim is pregnant"; "not known" must not let a pregnant victim's case through.
    assert information_only_refusals(_facts(victim_pregnant=None)) == [
        "It is not known whether the victim is pregnant, and a pregnant victim's case cannot be information only."
    ]
    assert information_only_refusals(_facts(victim_pregnant=False)) == []
