"""Does a referral meet the MARAC criteria? Every criterion, met or missed, with the reason the referrer sees.

DOMAIN.md steps 2 and 3. Any one criterion is enough (BD Referral Criteria; CAM 4.1; BED 3); the coordinator
"does not screen cases or assess their suitability for the meeting if the case meets the criteria then it will be
listed" (BD Criteria for Referral), so this decision is the whole of the front door's judgement.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from referrals.calendar import format_day, months_before
from referrals.errors import raise_if_any
from referrals.risk import DASH_RIC, Answer

MAXIMUM_SCORE = DASH_RIC.question_count


class EventKind(StrEnum):
    """What counts towards escalation, with the same values as `marac.models.EscalationEvent`."""

    INCIDENT = "incident"
    POLICE_CALL_OUT = "police_call_out"
    SOCIAL_CARE_REFERRAL = "social_care_referral"


EVENT_WORDS = {
    EventKind.INCIDENT: ("incident", "incidents"),
    EventKind.POLICE_CALL_OUT: ("police call-out", "police call-outs"),
    EventKind.SOCIAL_CARE_REFERRAL: ("social care referral", "social care referrals"),
}


class AutomaticCriterion(StrEnum):
    """Referred whatever the score, with the same values as `marac.models.AutomaticCriterion`."""

    HONOUR_BASED_ABUSE = "honour_based_abuse"
    FGM = "fgm"
    FORCED_MARRIAGE = "forced_marriage"


AUTOMATIC_WORDS = {
    AutomaticCriterion.HONOUR_BASED_ABUSE: "so-called honour-based abuse",
    AutomaticCriterion.FGM: "female genital mutilation",
    AutomaticCriterion.FORCED_MARRIAGE: "forced marriage",
}


class Criterion(StrEnum):
    VISIBLE_HIGH_RISK = "visible_high_risk"
    ESCALATION_BY_COUNT = "escalation_by_count"
    ESCALATION_IN_FREQUENCY_OR_SEVERITY = "escalation_in_frequency_or_severity"
    AUTOMATIC = "automatic"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"


CRITERION_WORDS = {
    Criterion.VISIBLE_HIGH_RISK: "visible high risk",
    Criterion.ESCALATION_BY_COUNT: "escalation (number of events)",
    Criterion.ESCALATION_IN_FREQUENCY_OR_SEVERITY: "escalation in frequency or severity",
    Criterion.AUTOMATIC: "automatic referral",
    Criterion.PROFESSIONAL_JUDGEMENT: "professional judgement",
}


class Signpost(StrEnum):
    IDVA_SERVICE = "idva_service"
    LOCAL_DOMESTIC_ABUSE_SERVICES = "local_domestic_abuse_services"
    POLICE = "police"
    CHILDRENS_SAFEGUARDING = "childrens_safeguarding"
    ADULT_SOCIAL_CARE = "adult_social_care"


SIGNPOST_WORDS = {
    Signpost.IDVA_SERVICE: "Refer to the IDVA service.",
    Signpost.LOCAL_DOMESTIC_ABUSE_SERVICES: "Seek support from local specialist domestic abuse services.",
    Signpost.POLICE: "Encourage the victim to report the abuse to the police, where it is safe to do so.",
    Signpost.CHILDRENS_SAFEGUARDING: "Notify the MASH: there are children in the household or the victim is pregnant.",
    Signpost.ADULT_SOCIAL_CARE: "Notify adult social care: a vulnerable adult is involved.",
}


@dataclass(frozen=True)
class CriteriaSettings:
    """One MARAC's criteria. The defaults are `marac.models.Marac`'s, so a new MARAC and `CriteriaSettings()` agree."""

    dash_threshold: int = 14
    idva_threshold: int = 10
    escalation_count: int = 3
    escalation_window_months: int = 12
    escalation_events: frozenset[EventKind] = frozenset()
    automatic_criteria: frozenset[AutomaticCriterion] = frozenset()
    # BD and BED take "escalation in the frequency and/or severity of incidents" on its own; CAM counts events only.
    escalation_in_frequency_or_severity: bool = True


class MaracCriteriaFields(Protocol):
    """The attributes of `marac.models.Marac` that the criteria read."""

    @property
    def dash_threshold(self) -> int: ...
    @property
    def idva_threshold(self) -> int: ...
    @property
    def escalation_count(self) -> int: ...
    @property
    def escalation_window_months(self) -> int: ...
    @property
    def escalation_events(self) -> Any: ...
    @property
    def automatic_criteria(self) -> Any: ...
    @property
    def escalation_in_frequency_or_severity(self) -> bool: ...


def settings_from_marac(marac: MaracCriteriaFields) -> CriteriaSettings:
    """Build the settings from a MARAC's own fields: attributes only, never a query."""
    events, event_problems = _choices(EventKind, marac.escalation_events, "escalation events")
    automatic, automatic_problems = _choices(AutomaticCriterion, marac.automatic_criteria, "automatic criteria")
    raise_if_any(event_problems + automatic_problems)
    return CriteriaSettings(
        dash_threshold=marac.dash_threshold,
        idva_threshold=marac.idva_threshold,
        escalation_count=marac.escalation_count,
        escalation_window_months=marac.escalation_window_months,
        escalation_events=events,
        automatic_criteria=automatic,
        escalation_in_frequency_or_severity=marac.escalation_in_frequency_or_severity,
    )


def _choices[Choice: StrEnum](choices: type[Choice], values: Any, what: str) -> tuple[frozenset[Choice], list[str]]:
    allowed = {choice.value for choice in choices}
    values = list(values or [])
    problems = [f"The MARAC's {what} include an unknown value {value!r}." for value in values if value not in allowed]
    return frozenset(choices(value) for value in values if value in allowed), problems


@dataclass(frozen=True)
class RecordedEvent:
    """A dated incident, police call-out or social care referral the referrer knows of (including this one)."""

    kind: EventKind
    occurred_on: date


@dataclass(frozen=True)
class ProfessionalJudgement:
    rationale: str
    marac_representative_consulted: bool


@dataclass(frozen=True)
class ReferralFacts:
    dash_score: int | None
    events: tuple[RecordedEvent, ...] = ()
    # The referrer's answer to "is the abuse escalating in frequency or severity?" (None: not answered), and how.
    escalating: Answer | None = None
    escalation_evidence: str = ""
    automatic_concerns: frozenset[AutomaticCriterion] = frozenset()
    professional_judgement: ProfessionalJudgement | None = None
    children_in_household: bool = False
    victim_pregnant: bool = False
    vulnerable_adult: bool = False


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    met: bool
    reason: str


@dataclass(frozen=True)
class CriteriaDecision:
    met: bool
    results: tuple[CriterionResult, ...]
    summary: str
    idva_referral_offered: bool
    idva_reason: str
    signposts: tuple[Signpost, ...] = ()
    marac_representative_consulted: bool | None = None

    def result_for(self, criterion: Criterion) -> CriterionResult:
        return next(result for result in self.results if result.criterion == criterion)

    @property
    def criteria_met(self) -> tuple[Criterion, ...]:
        return tuple(result.criterion for result in self.results if result.met)


def decide_criteria(facts: ReferralFacts, settings: CriteriaSettings, today: date) -> CriteriaDecision:
    """Check every criterion; raise RuleInputError for a score outside 0-24 or an event dated after `today`."""
    raise_if_any(_input_problems(facts, today))
    results = (
        visible_high_risk(facts, settings),
        escalation_by_count(facts, settings, today),
        escalation_in_frequency_or_severity(facts, settings),
        automatic_criteria(facts, settings),
        professional_judgement(facts),
    )
    met = any(result.met for result in results)
    offered, idva_reason = _idva_offer(met, facts.dash_score, settings)
    judgement = facts.professional_judgement
    return CriteriaDecision(
        met=met,
        results=results,
        summary=_summary(met, results),
        idva_referral_offered=offered,
        idva_reason=idva_reason,
        signposts=_signposts(met, offered, facts),
        marac_representative_consulted=judgement.marac_representative_consulted if judgement else None,
    )


def _input_problems(facts: ReferralFacts, today: date) -> list[str]:
    problems = []
    if facts.dash_score is not None and not 0 <= facts.dash_score <= MAXIMUM_SCORE:
        problems.append(f"A risk checklist score is between 0 and {MAXIMUM_SCORE}; {facts.dash_score} is not possible.")
    problems += [
        f"The {EVENT_WORDS[event.kind][0]} dated {format_day(event.occurred_on)} is in the future "
        f"(today is {format_day(today)}); check the date."
        for event in facts.events
        if event.occurred_on > today
    ]
    return problems


# BD Referral Criteria: "If the final score is 14 ticks or more then this would constitute an automatic referral to the
# MARAC on the ground of evidenced high risk." (CAM 4.1 and BED 3 the same.)
def visible_high_risk(facts: ReferralFacts, settings: CriteriaSettings) -> CriterionResult:
    score, threshold = facts.dash_score, settings.dash_threshold
    if score is None:
        return _missed(Criterion.VISIBLE_HIGH_RISK, "No risk checklist score was given.")
    if score >= threshold:
        return _met(
            Criterion.VISIBLE_HIGH_RISK,
            f"The risk checklist score is {score}, at or above this MARAC's threshold of {threshold}.",
        )
    return _missed(
        Criterion.VISIBLE_HIGH_RISK,
        f"The risk checklist score is {score}, below this MARAC's threshold of {threshold}.",
    )


# BD Referral Criteria: "three or more incidents of domestic abuse that have occurred within the previous 12 months";
# CAM 4.1: "3 or more CSFH referrals or police call outs to domestic abuse in 12 months". Which events count, how many
# and over how many months are the MARAC's settings. Both count what happened to the victim, so one incident recorded
# more than one way (the incident, the police call-out to it, the social care referral the next day) counts once.
def escalation_by_count(facts: ReferralFacts, settings: CriteriaSettings, today: date) -> CriterionResult:
    if not settings.escalation_events:
        return _missed(Criterion.ESCALATION_BY_COUNT, "This MARAC does not count events towards escalation.")
    since = months_before(today, settings.escalation_window_months)
    in_window = [event for event in facts.events if since <= event.occurred_on <= today]
    counted = [event for event in in_window if event.kind in settings.escalation_events]
    occasions = occasions_of(counted)
    words = _kinds_words(settings.escalation_events, len(occasions))
    reason = (
        f"{len(occasions)} {words} from {format_day(since)} to {format_day(today)} "
        f"({settings.escalation_window_months} months); this MARAC's threshold is {settings.escalation_count} or more."
    )
    merged = "; ".join(_occasion_words(occasion) for occasion in occasions if len(occasion) > 1)
    if merged:
        reason += (
            f" Counted once each, as one incident recorded in more than one way: {merged}. If they were separate "
            "incidents, say so under professional judgement."
        )
    uncounted = [event for event in in_window if event.kind not in settings.escalation_events]
    if uncounted:
        every = _kinds_words(settings.escalation_events)
        reason += f" Not counted here: {_events_words(uncounted)}, as this MARAC counts only {every}."
    return CriterionResult(Criterion.ESCALATION_BY_COUNT, len(occasions) >= settings.escalation_count, reason)


def occasions_of(events: list[RecordedEvent]) -> list[list[RecordedEvent]]:
    """The incidents behind the events: an event joins the earliest incident begun the same day or the day before
    that has no event of its kind yet (a police call-out and a social care referral about one incident), otherwise it
    is an incident of its own. Two events of one kind are always two incidents."""
    occasions: list[list[RecordedEvent]] = []
    for event in sorted(events, key=lambda event: (event.occurred_on, list(EventKind).index(event.kind))):
        occasion = next(
            (
                occasion
                for occasion in occasions
                if (event.occurred_on - occasion[0].occurred_on).days <= 1
                and all(other.kind != event.kind for other in occasion)
            ),
            None,
        )
        if occasion is None:
            occasions.append([event])
        else:
            occasion.append(event)
    return occasions


# BD Referral Criteria: "Where there is evidence of escalation in the frequency and/or severity of incidents."
# BED 3: "There is escalation of the abuse either in frequency or severity".
def escalation_in_frequency_or_severity(facts: ReferralFacts, settings: CriteriaSettings) -> CriterionResult:
    criterion = Criterion.ESCALATION_IN_FREQUENCY_OR_SEVERITY
    if not settings.escalation_in_frequency_or_severity:
        return _missed(
            criterion,
            "This MARAC does not take escalation in frequency or severity on its own; use professional "
            "judgement, with your reasons, instead.",
        )
    if facts.escalating is None:
        return _missed(criterion, "The referral does not say whether the abuse is escalating in frequency or severity.")
    if facts.escalating == Answer.NO:
        return _missed(criterion, "The referral says the abuse is not escalating in frequency or severity.")
    if facts.escalating == Answer.NOT_KNOWN:
        return _missed(criterion, "The referral says it is not known whether the abuse is escalating.")
    if not facts.escalation_evidence.strip():
        return _missed(criterion, "The referral says the abuse is escalating but does not describe how.")
    return _met(criterion, "The referral says the abuse is escalating in frequency or severity, and describes how.")


# BD Referral Criteria: "So called 'Honour' Based Violence, Female Genital Mutilation (FGM) or Force Marriage is
# considered an automatic referral to Barking and Dagenham MARAC." Other MARACs choose their own, or none.
def automatic_criteria(facts: ReferralFacts, settings: CriteriaSettings) -> CriterionResult:
    matched = facts.automatic_concerns & settings.automatic_criteria
    unmatched = facts.automatic_concerns - settings.automatic_criteria
    if matched:
        return _met(Criterion.AUTOMATIC, f"{_capital(_automatic_words(matched))} is an automatic referral here.")
    if unmatched:
        return _missed(
            Criterion.AUTOMATIC,
            f"{_capital(_automatic_words(unmatched))} is not an automatic referral at this MARAC; the referral needs "
            "another criterion, such as professional judgement.",
        )
    if not settings.automatic_criteria:
        return _missed(Criterion.AUTOMATIC, "This MARAC has no automatic criteria.")
    return _missed(
        Criterion.AUTOMATIC,
        f"None of this MARAC's automatic criteria ({_automatic_words(settings.automatic_criteria)}) was identified.",
    )


# BD Referral Criteria: "Professional Judgement ... a discussion should be had with the service MARAC representative";
# BD Criteria for Referral: referrals "provide an explanation of the referrer's assessment if based on professional
# judgement"; BED 3: "in discussion with your supervisor".
def professional_judgement(facts: ReferralFacts) -> CriterionResult:
    judgement = facts.professional_judgement
    if judgement is None:
        return _missed(Criterion.PROFESSIONAL_JUDGEMENT, "No professional judgement was given.")
    if not judgement.rationale.strip():
        return _missed(
            Criterion.PROFESSIONAL_JUDGEMENT,
            "Professional judgement needs its reasons written down, and none were given.",
        )
    consulted = (
        "Your agency's MARAC representative was consulted."
        if judgement.marac_representative_consulted
        else "Your agency's MARAC representative was not consulted: the toolkit asks you to discuss the case with "
        "them before referring."
    )
    return _met(Criterion.PROFESSIONAL_JUDGEMENT, f"Professional judgement, with the reasons written down. {consulted}")


# BD IDSVA: "It is a standard action that all cases referred to the MARAC are also offered the services of an IDSVA";
# "Referrals to the IDVA Service can also be made for victims whose cases do not meet the threshold for MARAC but who
# score ten ticks or more".
def _idva_offer(met: bool, score: int | None, settings: CriteriaSettings) -> tuple[bool, str]:
    if met:
        return True, "Every case referred to MARAC is offered an IDVA: make a referral to the IDVA service as well."
    if score is not None and score >= settings.idva_threshold:
        return True, (
            f"The score of {score} is at or above {settings.idva_threshold}, so the IDVA service can take a referral "
            "even though MARAC cannot."
        )
    return False, f"An IDVA referral without MARAC needs a score of {settings.idva_threshold} or more."


# BD Non-MARAC Cases: "Where the case does not meet the risk threshold and criteria for referral to MARAC, support
# should be sought from local domestic abuse services"; BD Identification of Cases: encourage reporting to the police,
# notify the MASH where there are children or the victim is pregnant, and adult social care for a vulnerable adult.
def _signposts(met: bool, idva_offered: bool, facts: ReferralFacts) -> tuple[Signpost, ...]:
    signposts = []
    if not met:
        if idva_offered:
            signposts.append(Signpost.IDVA_SERVICE)
        signposts += [Signpost.LOCAL_DOMESTIC_ABUSE_SERVICES, Signpost.POLICE]
    if facts.children_in_household or facts.victim_pregnant:
        signposts.append(Signpost.CHILDRENS_SAFEGUARDING)
    if facts.vulnerable_adult:
        signposts.append(Signpost.ADULT_SOCIAL_CARE)
    return tuple(signposts)


def _summary(met: bool, results: tuple[CriterionResult, ...]) -> str:
    if met:
        names = [CRITERION_WORDS[result.criterion] for result in results if result.met]
        return f"This referral meets the MARAC criteria: {_and_list(names)}."
    # BD Non-MARAC Cases: not "To get access to an IDSVA", "To provide evidence to access Housing moves", "To signpost".
    return (
        "This referral does not meet the MARAC criteria: there is no visible high risk, no escalation, no automatic "
        "criterion and no professional judgement with written reasons. MARAC is not the route to an IDVA, a housing "
        "move or other services: see the signposts."
    )


def _met(criterion: Criterion, reason: str) -> CriterionResult:
    return CriterionResult(criterion, True, reason)


def _missed(criterion: Criterion, reason: str) -> CriterionResult:
    return CriterionResult(criterion, False, reason)


def _kinds_words(kinds: frozenset[EventKind], count: int = 2) -> str:
    return " or ".join(EVENT_WORDS[kind][count != 1] for kind in EventKind if kind in kinds)


def _occasion_words(occasion: list[RecordedEvent]) -> str:
    # "the incident and the police call-out on Friday 20 November 2026 and the social care referral on Saturday ..."
    days = sorted({event.occurred_on for event in occasion})
    return " and ".join(
        " and ".join(f"the {EVENT_WORDS[event.kind][0]}" for event in occasion if event.occurred_on == day)
        + f" on {format_day(day)}"
        for day in days
    )


def _events_words(events: list[RecordedEvent]) -> str:
    counts = [(kind, sum(1 for event in events if event.kind == kind)) for kind in EventKind]
    return _and_list([f"{n} {EVENT_WORDS[kind][n != 1]}" for kind, n in counts if n])


def _automatic_words(criteria: frozenset[AutomaticCriterion]) -> str:
    return _and_list([AUTOMATIC_WORDS[criterion] for criterion in AutomaticCriterion if criterion in criteria])


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]
