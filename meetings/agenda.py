"""The rules of a meeting's agenda, as plain functions: who is heard first, how long each case takes, and when a case
may be listed for information only. No database here: the services pass facts in and act on what comes out."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Protocol


class AgendaFacts(Protocol):
    """What the ordering needs to know about one listed case."""

    @property
    def has_children(self) -> bool: ...  # any child on the case, in permanent care or not

    @property
    def victim_pregnant(self) -> bool: ...

    @property
    def victim_pregnancy_not_known(self) -> bool: ...

    @property
    def victim_is_child(self) -> bool: ...  # under 18 when referred: victim_is_child()

    @property
    def information_only(self) -> bool: ...

    @property
    def brought_forward(self) -> bool: ...

    @property
    def position(self) -> int | None: ...


class Band(IntEnum):
    BROUGHT_FORWARD = 0
    CHILDREN_OR_PREGNANT = 1
    OTHER = 2
    INFORMATION_ONLY = 3


ADULT_AGE = 18


# CAM 4.3 Young people aged 16 and 17: MARACs hear them as victims, and "CSFH still has a safeguarding duty to these
# young people and should be considering actions and interventions under the Children Act 1989": in law a child.
def victim_is_child(age_when_referred: int | None) -> bool:
    return age_when_referred is not None and age_when_referred < ADULT_AGE


# BD MARAC List: "It has been agreed for all cases with children to be heard at first": all of them, a child in
# permanent care too (that exception is only in the information-only rule), and a victim who is a child. BD Start /
# Finish Times: "Cases involving children or pregnant victims will be scheduled first". A pregnancy not known is heard
# with them: it is found out at the meeting, where children's social care is there for these cases.
def heard_with_children(item: AgendaFacts) -> bool:
    return item.has_children or item.victim_is_child or item.victim_pregnant or item.victim_pregnancy_not_known


# BD Start / Finish Times: "... cases without children or for information will follow." BD MARAC List: requests "for
# cases to be heard at the beginning of the meeting" go through the coordinator; here the chair brings them forward.
def agenda_band(item: AgendaFacts) -> Band:
    if item.brought_forward:
        return Band.BROUGHT_FORWARD
    if item.information_only:
        return Band.INFORMATION_ONLY
    if heard_with_children(item):
        return Band.CHILDREN_OR_PREGNANT
    return Band.OTHER


def agenda_order[T: AgendaFacts](items: Sequence[T]) -> list[T]:
    """The items in hearing order. Within a band the order given is kept (the caller passes them in the order they
    were listed); brought-forward cases go by the position the chair gave them, unpositioned ones after."""

    def key(indexed: tuple[int, T]) -> tuple[int, int, int]:
        index, item = indexed
        position = item.position if item.brought_forward and item.position is not None else 2**31
        return agenda_band(item), position, index

    return [item for _, item in sorted(enumerate(items), key=key)]


@dataclass(frozen=True)
class Slot[T]:
    item: T
    starts_at: datetime
    minutes: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


# BD The MARAC Chair keeps time (DOMAIN.md: about 15 minutes a case); information-only cases "would result in limited
# discussion", so they get the MARAC's shorter slot. BD Start / Finish Times: the meeting starts at its set time and
# "continue[s] until all cases have been heard", so the finish is a prediction, not a limit.
def agenda_slots[T: AgendaFacts](
    items_in_order: Sequence[T], *, starts_at: datetime, minutes_per_case: int, minutes_per_information_case: int
) -> list[Slot[T]]:
    slots: list[Slot[T]] = []
    moment = starts_at
    for item in items_in_order:
        minutes = minutes_per_information_case if item.information_only else minutes_per_case
        slots.append(Slot(item=item, starts_at=moment, minutes=minutes))
        moment += timedelta(minutes=minutes)
    return slots


def predicted_finish[T](slots: Sequence[Slot[T]], *, starts_at: datetime) -> datetime:
    return slots[-1].ends_at if slots else starts_at


# BD Cases for information only: "except where the child or children are in permanent care". A child whose care is
# not known counts, so a gap in the referral never makes a case information only.
def children_who_count(in_permanent_care: Sequence[bool | None]) -> int:
    return sum(1 for answer in in_permanent_care if answer is not True)


@dataclass(frozen=True)
class InformationOnlyFacts:
    children_not_in_permanent_care: int
    victim_pregnant: bool | None  # None: the referral said not known
    vulnerable_adult: bool
    specific_actions_requested: bool
    referrer_disagrees: bool
    referrer_view_recorded: bool
    victim_age_when_referred: int | None = None


# BD Cases for information only: "Such cases would not be listed for information if: they involve a child or children,
# or the victim is pregnant (except where the child or children are in permanent care); 'Vulnerable Adults' as defined
# by Adult Social Care; Specific actions which have been identified or requested by the referrer; The referrer not
# agreeing with the decision to list the case in this way."
def information_only_refusals(facts: InformationOnlyFacts) -> list[str]:
    """Why this case must be a full case, in words; empty when it may be listed for information only."""
    reasons = []
    if facts.children_not_in_permanent_care:
        count = facts.children_not_in_permanent_care
        children = "a child" if count == 1 else f"{count} children"
        reasons.append(f"The case involves {children} not in permanent care.")
    if victim_is_child(facts.victim_age_when_referred):  # CAM 4.3: a child in law
        reasons.append(
            f"The victim was {facts.victim_age_when_referred} when referred: a child, to whom children's social care "
            "has a safeguarding duty."
        )
    if facts.victim_pregnant:
        reasons.append("The victim is pregnant.")
    elif facts.victim_pregnant is None:  # as a child's unknown care: a gap never makes a case information only
        reasons.append(
            "It is not known whether the victim is pregnant, and a pregnant victim's case cannot be information only."
        )
    if facts.vulnerable_adult:
        reasons.append("A vulnerable adult, as defined by adult social care, is involved.")
    if facts.specific_actions_requested:
        reasons.append("The referrer identified or asked for specific actions.")
    if facts.referrer_disagrees:
        reasons.append("The referrer does not agree with listing the case for information only.")
    if not facts.referrer_view_recorded:
        # BD: the decision is made "in consultation with the referrer or referring agency".
        reasons.append("The referrer's view has not been recorded yet.")
    return reasons


class Capacity(StrEnum):
    CHAIR = "chair"
    COORDINATOR = "coordinator"


# BD Cases for information only: "The decision ... will be made by the MARAC Chair and MARAC coordinator". Two people,
# so one person holding both roles cannot agree for both sides.
def information_only_capacity(
    *, roles: set[str], user_id: int, chair_id: int | None, coordinator_id: int | None
) -> Capacity | None:
    """The side of the decision this user agrees for, or None when there is nothing left for them to agree."""
    if user_id in (chair_id, coordinator_id):
        return None
    if Capacity.CHAIR.value in roles and chair_id is None:
        return Capacity.CHAIR
    if Capacity.COORDINATOR.value in roles and coordinator_id is None:
        return Capacity.COORDINATOR
    return None


def information_only_agreed(*, chair_id: int | None, coordinator_id: int | None, refusals: Sequence[str]) -> bool:
    """The listing becomes information only once both have agreed and nothing rules it out."""
    return chair_id is not None and coordinator_id is not None and not refusals


def age_on(date_of_birth: date | None, day: date) -> int | None:
    """Age in whole years on `day`, for the case list's children column."""
    if date_of_birth is None:
        return None
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday
