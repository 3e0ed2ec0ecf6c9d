"""Is a referral a repeat? And how many repeat discussions do several incidents make? (DOMAIN.md step 5)

People are given as ids: deciding that two records are the same person is done elsewhere, before these rules.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from referrals.calendar import format_day, months_after, months_before
from referrals.errors import RuleInputError

REPEAT_WINDOW_MONTHS = 12

type PersonId = int
type MaracId = int


class RepeatDefinition(StrEnum):
    """Which further incidents make a repeat, with the same values as `marac.models.RepeatDefinition`."""

    # BD Repeat Referrals: an incident "that if reported to the police would constitute a criminal offence".
    TOOLKIT = "toolkit"
    # SafeLives' current definition: any further abuse between the same victim and perpetrator.
    SAFELIVES = "safelives"


class MaracRepeatFields(Protocol):
    @property
    def repeat_definition(self) -> str: ...


def repeat_definition_from_marac(marac: MaracRepeatFields) -> RepeatDefinition:
    try:
        return RepeatDefinition(marac.repeat_definition)
    except ValueError:
        raise RuleInputError([f"The MARAC's repeat definition {marac.repeat_definition!r} is not known."]) from None


@dataclass(frozen=True)
class PreviousHearing:
    marac_id: MaracId
    heard_on: date
    victim_id: PersonId
    perpetrator_ids: frozenset[PersonId]
    information_only: bool = False


@dataclass(frozen=True)
class RepeatIncident:
    occurred_on: date
    # Would it be a criminal offence if reported to the police?
    criminal: bool = True


@dataclass(frozen=True)
class NewReferral:
    marac_id: MaracId
    referred_on: date
    victim_id: PersonId
    perpetrator_ids: frozenset[PersonId]
    # Would the incident behind this referral be a criminal offence if reported to the police? Where the referral
    # records incidents since the earlier hearing, they answer it instead (_incident_is_criminal).
    incident_is_criminal: bool = True
    incidents: tuple[RepeatIncident, ...] = ()


@dataclass(frozen=True)
class HearingCheck:
    hearing: PreviousHearing
    counts: bool
    reason: str


@dataclass(frozen=True)
class RepeatDecision:
    repeat: bool
    reason: str
    matched_hearing: PreviousHearing | None
    checks: tuple[HearingCheck, ...]


# BD Repeat Referrals: "A repeat case occurs when a case that is referred to MARAC has also been discussed at the same
# MARAC within the preceding 12 months", with "any of the named perpetrators"; not a repeat with a different
# perpetrator, a different victim, a non-criminal incident, at a different MARAC, or after an information-only hearing.
def decide_repeat(
    new_referral: NewReferral, previous_hearings: Iterable[PreviousHearing], definition: RepeatDefinition
) -> RepeatDecision:
    since = months_before(new_referral.referred_on, REPEAT_WINDOW_MONTHS)
    checks = tuple(_check_hearing(new_referral, hearing, since) for hearing in previous_hearings)
    counting = [check.hearing for check in checks if check.counts]
    if not counting:
        reason = (
            f"Not a repeat: this MARAC has not heard this victim with any of these perpetrators, other than for "
            f"information only, since {format_day(since)}."
        )
        return RepeatDecision(False, reason, None, checks)
    latest = max(counting, key=lambda hearing: hearing.heard_on)
    if definition is RepeatDefinition.TOOLKIT and not _incident_is_criminal(new_referral, latest):
        reason = (
            "Not a repeat under this MARAC's definition: the incident would not be a criminal offence if reported to "
            f"the police, though the case was heard on {format_day(latest.heard_on)}."
        )
        return RepeatDecision(False, reason, latest, checks)
    reason = (
        f"A repeat: this MARAC heard this victim with the same perpetrator on {format_day(latest.heard_on)}, within "
        f"the {REPEAT_WINDOW_MONTHS} months before this referral."
    )
    return RepeatDecision(True, reason, latest, checks)


def _incident_is_criminal(new_referral: NewReferral, latest: PreviousHearing) -> bool:
    """The incidents the referral records since the case was last heard (those before were heard then): criminal if
    any of them would be. With none recorded, the referral's own answer stands."""
    since = [incident for incident in new_referral.incidents if incident.occurred_on > latest.heard_on]
    if not since:
        return new_referral.incident_is_criminal
    return any(incident.criminal for incident in since)


def is_repeat(
    new_referral: NewReferral, previous_hearings: Iterable[PreviousHearing], definition: RepeatDefinition
) -> bool:
    return decide_repeat(new_referral, previous_hearings, definition).repeat


def _check_hearing(new_referral: NewReferral, hearing: PreviousHearing, since: date) -> HearingCheck:
    reason = _why_hearing_does_not_count(new_referral, hearing, since)
    return HearingCheck(hearing, reason is None, reason or "Same MARAC, victim and perpetrator within 12 months.")


def _why_hearing_does_not_count(new_referral: NewReferral, hearing: PreviousHearing, since: date) -> str | None:
    if hearing.marac_id != new_referral.marac_id:
        return "Heard at a different MARAC."
    if hearing.heard_on > new_referral.referred_on:
        return "Heard after this referral was made, so not a previous hearing."
    if hearing.heard_on < since:
        return f"Heard on {format_day(hearing.heard_on)}, more than {REPEAT_WINDOW_MONTHS} months before this referral."
    if hearing.information_only:
        return "Heard for information only."
    if hearing.victim_id != new_referral.victim_id:
        return "A different victim."
    if not hearing.perpetrator_ids & new_referral.perpetrator_ids:
        return "The same victim, but a different perpetrator or group of perpetrators."
    return None


@dataclass(frozen=True)
class Discussion:
    """One repeat discussion: the incidents that reached a meeting together."""

    meeting_on: date | None  # None: after the last meeting scheduled so far; it will be one discussion at the next
    incidents: tuple[RepeatIncident, ...]


# BD Repeat Referrals: "Multiple incidents occurring between MARAC meetings only result in one MARAC discussion."
def repeat_discussions(
    heard_on: date, incidents: Iterable[RepeatIncident], meeting_days: Iterable[date], definition: RepeatDefinition
) -> tuple[Discussion, ...]:
    """Group the repeat incidents of a case heard on `heard_on` into one discussion per meeting.

    An incident goes to the first meeting after the day it happened. Each discussion is itself a hearing, so the
    12 months run again from it. An incident more than 12 months after the case was last discussed starts a new
    case, so it and everything after it are left out. Under the toolkit definition non-criminal incidents are left out.
    """
    counted = sorted(
        (i for i in incidents if i.occurred_on > heard_on and (i.criminal or definition is RepeatDefinition.SAFELIVES)),
        key=lambda incident: incident.occurred_on,
    )
    meetings = sorted(set(meeting_days))
    discussions: list[Discussion] = []
    last_discussed = heard_on
    for incident in counted:
        meeting_on = next((day for day in meetings if day > incident.occurred_on), None)
        if discussions and discussions[-1].meeting_on == meeting_on:
            discussions[-1] = Discussion(meeting_on, (*discussions[-1].incidents, incident))
            continue
        if incident.occurred_on > months_after(last_discussed, REPEAT_WINDOW_MONTHS):
            break
        discussions.append(Discussion(meeting_on, (incident,)))
        last_discussed = meeting_on or incident.occurred_on
    return tuple(discussions)


def count_repeat_discussions(
    heard_on: date, incidents: Iterable[RepeatIncident], meeting_days: Iterable[date], definition: RepeatDefinition
) -> int:
    return len(repeat_discussions(heard_on, incidents, meeting_days, definition))
