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


# --- Referrals that never became a case -------------------------------------------------------------------------------
# A case's referral goes with its case (above). One that never became a case would otherwise be kept for ever: a
# draft started and abandoned (often holding a victim's name and address), one returned as incomplete and never sent
# again, a MARAC's copy of one it transferred to another MARAC. Storage limitation (DPA 2018) applies to them too.
UNSUBMITTED_REFERRAL_DAYS = 90  # a draft or a returned referral untouched this long has been abandoned


@dataclass(frozen=True)
class ReferralFacts:
    referral_id: int
    status: str  # referrals.models.ReferralStatus
    last_changed_on: date
    submitted_on: date | None
    emptied: bool  # its content already cleared


@dataclass(frozen=True)
class ReferralDecision:
    referral_id: int
    outcome: RetentionOutcome
    due_on: date | None  # None: never due while it stays as it is (waiting for a decision)
    reason: str

    @property
    def changes_something(self) -> bool:
        return self.outcome in (RetentionOutcome.ANONYMISE, RetentionOutcome.DELETE)


def decide_referral_retention(facts: ReferralFacts, *, today: date, policy: RetentionPolicy) -> ReferralDecision:
    """Drafts untouched for UNSUBMITTED_REFERRAL_DAYS are deleted (nothing counts them); a referral returned as
    incomplete and untouched as long is emptied, its row kept because the boards count submitted referrals; a MARAC's
    copy of a referral it transferred is emptied after the retention period, like a case never heard. A referral
    waiting for the coordinator's decision is never due."""

    def decided(outcome: RetentionOutcome, due_on: date | None, reason: str) -> ReferralDecision:
        return ReferralDecision(facts.referral_id, outcome, due_on, reason)

    abandoned_on = date.fromordinal(facts.last_changed_on.toordinal() + UNSUBMITTED_REFERRAL_DAYS)
    changed = f"last changed on {_day(facts.last_changed_on)}"
    if facts.status == "draft":
        if today < abandoned_on:
            return decided(RetentionOutcome.KEEP, abandoned_on, f"Kept until {_day(abandoned_on)}: a draft, {changed}.")
        return decided(
            RetentionOutcome.DELETE,
            abandoned_on,
            f"Delete: a draft never submitted, {changed}, more than {UNSUBMITTED_REFERRAL_DAYS} days ago.",
        )
    if facts.status == "returned":
        due_on, reason = abandoned_on, f"returned as incomplete and not sent again, {changed}"
    elif facts.status == "transferred":
        start = facts.submitted_on or facts.last_changed_on
        due_on = years_after(start, policy.years)
        period = f"{policy.years} year{'s' if policy.years != 1 else ''}"
        reason = f"transferred to another MARAC; submitted on {_day(start)}, kept for {period}"
    else:
        return decided(RetentionOutcome.KEEP, None, "Kept: waiting for the coordinator's decision.")
    if today < due_on:
        return decided(RetentionOutcome.KEEP, due_on, f"Kept until {_day(due_on)}: {reason}.")
    if facts.emptied:
        return decided(RetentionOutcome.ALREADY_ANONYMISED, due_on, f"Already emptied: {reason}.")
    return decided(RetentionOutcome.ANONYMISE, due_on, f"Empty (the row stays for the boards' counts): {reason}.")
