"""The retention rule: given what is known about one case, what retention does to it and why, in words.
Plain data in, decision out; no database. governance/retention_services.py gathers the facts and applies."""

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class RetentionOutcome(StrEnum):
    KEEP = "keep"  # not yet due
    HELD = "held"  # due, or not, but under a legal hold: never touched
    ANONYMISE = "anonymise"
    DELETE = "delete"
    ALREADY_ANONYMISED = "already_anonymised"


@dataclass(frozen=True)
class RetentionPolicy:
    years: int
    action: str  # "anonymise" or "delete", as Marac.retention_action


@dataclass(frozen=True)
class CaseFacts:
    case_id: int
    referred_on: date
    last_hearing: date | None  # the latest of Case.heard_on and its listings' meeting days; None if never heard
    has_active_hold: bool
    already_anonymised: bool = False
    # A disclosure request (governance/models.py) points at the case: it cannot go, so it is anonymised instead.
    in_disclosure_register: bool = False


@dataclass(frozen=True)
class RetentionDecision:
    case_id: int
    outcome: RetentionOutcome
    due_on: date
    reason: str

    @property
    def changes_something(self) -> bool:
        return self.outcome in (RetentionOutcome.ANONYMISE, RetentionOutcome.DELETE)


def years_after(day: date, years: int) -> date:
    """The anniversary `years` on. 29 February falls on 1 March in a common year, as a birthday does
    (referrals/risk.py age_on), so a record is never taken before a full `years` have passed."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return day.replace(year=year)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# The ISA and DPA 2018 (storage limitation): a MARAC keeps a case for its retention period after the last
# hearing, or after the referral for a case never heard; a legal hold (a DHR, court proceedings) overrides it.
def decide_retention(facts: CaseFacts, *, today: date, policy: RetentionPolicy) -> RetentionDecision:
    start = facts.last_hearing or facts.referred_on
    since = f"last heard on {_day(start)}" if facts.last_hearing else f"never heard; referred on {_day(start)}"
    due_on = years_after(start, policy.years)
    period = f"{policy.years} year{'s' if policy.years != 1 else ''}"

    def decided(outcome: RetentionOutcome, reason: str) -> RetentionDecision:
        return RetentionDecision(facts.case_id, outcome, due_on, reason)

    if facts.has_active_hold:
        return decided(RetentionOutcome.HELD, f"Kept: a legal hold is in place ({since}).")
    if today < due_on:
        return decided(RetentionOutcome.KEEP, f"Kept until {_day(due_on)}: {since}, kept for {period}.")
    if policy.action == "delete" and not facts.in_disclosure_register:
        return decided(RetentionOutcome.DELETE, f"Delete: {since}, more than {period} ago.")
    if policy.action == "delete":
        since += "; a disclosure request refers to it, so it is anonymised rather than deleted"
    if facts.already_anonymised:
        return decided(RetentionOutcome.ALREADY_ANONYMISED, f"Already anonymised: {since}.")
    return decided(RetentionOutcome.ANONYMISE, f"Anonymise: {since}, more than {period} ago.")


def year_only_birth_date(date_of_birth: date, referred_on: date) -> date:
    """What an anonymised person keeps of a date of birth: 1 January of a year chosen so that their age when
    referred is unchanged, so the boards' age bands still add up; the day and month, which identify, are gone."""
    if date_of_birth > referred_on:  # a mistyped date: keep its year, nothing better is known
        return date(date_of_birth.year, 1, 1)
    before_birthday = (referred_on.month, referred_on.day) < (date_of_birth.month, date_of_birth.day)
    age = referred_on.year - date_of_birth.year - before_birthday
    return date(referred_on.year - age, 1, 1)
