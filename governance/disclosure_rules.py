"""Requests for the MARAC's minutes and action plans (BD Domestic Homicide Reviews; MARAC disclosure into court
proceedings): when release is required and by when, and what still needs the chair. Plain functions, no ORM."""

from dataclasses import dataclass
from datetime import date

from django.db import models

from referrals.calendar import WorkingCalendar, add_working_days, format_day

DHR_RELEASE_WORKING_DAYS = 10


class DhrCircumstance(models.TextChoices):
    # BD DHR: "MARAC information will be provided to Homicide Review Panels in the following circumstances".
    CLIENT_IS_VICTIM = "client_is_victim", "A client of the MARAC is the victim of a domestic abuse related homicide"
    CLIENT_IS_PERPETRATOR = (
        "client_is_perpetrator",
        "A MARAC client is identified as the perpetrator of a domestic abuse related homicide and the victim is "
        "also known to the MARAC",
    )
    # BD DHR: "In all other circumstances a written request ... may still be submitted to the Chair of the MARAC who
    # will decide as to whether the request will be granted."
    OTHER = "other", "Other circumstances: the chair decides"


RELEASE_REQUIRED_CIRCUMSTANCES = frozenset({DhrCircumstance.CLIENT_IS_VICTIM, DhrCircumstance.CLIENT_IS_PERPETRATOR})


class ChairDecision(models.TextChoices):
    RELEASE = "release", "Release"
    REFUSE = "refuse", "Refuse"


@dataclass(frozen=True)
class DisclosureRequirement:
    release_required: bool
    due_on: date | None
    reason: str


# BD DHR: "The MARAC Chair in conjunction with the MARAC Coordinator will provide the Homicide Review Panel with copies
# of relevant minutes and action plans within 10 working days."
def dhr_requirement(*, circumstance: str, received_on: date, calendar: WorkingCalendar) -> DisclosureRequirement:
    if circumstance in RELEASE_REQUIRED_CIRCUMSTANCES:
        due_on = add_working_days(received_on, DHR_RELEASE_WORKING_DAYS, calendar=calendar)
        reason = (
            f"{DhrCircumstance(circumstance).label}: the minutes and action plans must be released to the review "
            f"panel within {DHR_RELEASE_WORKING_DAYS} working days, by {format_day(due_on)}."
        )
        return DisclosureRequirement(release_required=True, due_on=due_on, reason=reason)
    return DisclosureRequirement(
        release_required=False,
        due_on=None,
        reason="Not one of the circumstances in which release is required: the chair decides whether to release.",
    )


# BD Court: the MARAC follows the Family Justice Council and SafeLives guidance "MARAC and disclosure into court
# proceedings"; the toolkit sets no deadline of its own, so every court request is the chair's decision.
def court_requirement() -> DisclosureRequirement:
    return DisclosureRequirement(
        release_required=False,
        due_on=None,
        reason="A court request: the chair decides, following the guidance on MARAC and disclosure into court.",
    )


def awaits_chair_decision(*, release_required: bool, chair_decision: str) -> bool:
    return not release_required and not chair_decision


def chair_may_decide(*, release_required: bool, released_on: date | None) -> bool:
    """The chair decides only where release is not required, and not after the papers have gone."""
    return not release_required and released_on is None


def release_is_outstanding(*, release_required: bool, chair_decision: str, released_on: date | None) -> bool:
    return released_on is None and (release_required or chair_decision == ChairDecision.RELEASE)


def release_is_overdue(
    *, release_required: bool, chair_decision: str, released_on: date | None, due_on: date | None, today: date
) -> bool:
    outstanding = release_is_outstanding(
        release_required=release_required, chair_decision=chair_decision, released_on=released_on
    )
    return outstanding and due_on is not None and due_on < today
