"""The coordinator's side of the front door: same-person checks, then accept (creating the case, listing it,
starting the IDVA clock and telling children's services), return as incomplete, or transfer to another MARAC.
The coordinator does not screen beyond the criteria (BD Criteria for Referral)."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import Role
from accounts.selectors import role_emails
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseParty, CaseStatus, PartyRole
from marac.models import Marac
from meetings import agenda_services
from meetings.models import (
    Listing,
    Meeting,
    MeetingState,
    MeetingStatus,
    Outcome,
)
from meetings.services import is_ordinary_meeting_time, meetings_ensure_ahead
from people import linkage
from people.matching import PersonKey, dates_of_birth_to_search, match_reason
from people.models import Address, MatchModel, Person, PersonLink, ReferralSuggestions
from referrals import calendar, jurisdiction, references, repeats
from referrals.models import ChildrenNotification, IdvaAllocation, MatchDecision, Referral, ReferralStatus, Transfer
from referrals.risk import ADULT_AGE, age_on
from referrals.sections import SECTIONS_BY_SLUG
from referrals.services import cleaned_section, criteria_decision, decision_as_data, referral_facts
from web.links import site_link
from web.mail import send_one, send_to_each

logger = logging.getLogger(__name__)

LISTING_DAYS_AHEAD = 120  # the meetings made ahead of today for a referral to be listed at (meetings_ensure_ahead)
IDVA_ALLOCATION_HOURS = 48  # BD IDSVA: "allocated within 48 hours"
CHILDREN_CHASE_WORKING_DAYS = 2  # BED 4: chased if not confirmed after 2 working days
# A candidate this likely must be decided on before accepting: the same name (spelling and punctuation set aside) and
# date of birth, or the model's "likely", at which another MARAC holding a match is told (linkage.ELSEWHERE_THRESHOLD).
STRONG_MATCH_STRENGTH = 2
STRONG_MATCH_PROBABILITY = linkage.ELSEWHERE_THRESHOLD


class NotSubmitted(Exception):
    """Only a submitted referral can be decided."""


class EmergencyListingRefused(Exception):
    """Listing at the emergency MARAC would lose or overrule what a meeting already holds: the message says what,
    and nothing was changed."""


ORDINARY_MEETING_AT_THAT_TIME = (
    "The ordinary MARAC meets at that time: list the case there, or choose another time for the emergency MARAC."
)


class CriteriaNotMetHere(Exception):
    """A referral transferred in that does not meet this MARAC's criteria: it is not accepted as it stands."""

    message = (
        "This referral does not meet this MARAC's criteria, so it cannot be accepted as it stands. Return it to the "
        "referrer as incomplete (they can add what is missing, such as professional judgement with their reasons), "
        "or transfer it on."
    )


class ReferenceTaken(Exception):
    """The case reference was taken at the same moment (by another MARAC sharing the prefix, or an import): nothing
    was saved, and accepting again takes the next number."""


@dataclass(frozen=True)
class Party:
    key: str  # "victim", "perpetrators.0", "children.1"
    role: str
    data: dict[str, Any]

    @property
    def label(self) -> str:
        name = f"{self.data.get('given_name', '')} {self.data.get('family_name', '')}".strip()
        return name or self.data.get("description", "") or "Not named"


@dataclass(frozen=True)
class Candidate:
    person: Person
    reason: str
    strength: int  # 3 exact, 2 normalised, 1 partial, 0 suggested by the model only
    decision: str | None
    # In a restricted case the viewer is not named on: shown only as "a possible match exists", no details.
    hidden: bool = False
    # From the MARAC's matching model (Splink), when it suggested this person.
    probability: float | None = None
    comparisons: tuple[linkage.Comparison, ...] = ()

    @property
    def percentage(self) -> str:
        return linkage.percentage(self.probability) if self.probability is not None else ""

    @property
    def strong(self) -> bool:
        """Too likely to be the same person to make a new record without the coordinator deciding first."""
        return self.strength >= STRONG_MATCH_STRENGTH or (self.probability or 0) >= STRONG_MATCH_PROBABILITY


@dataclass(frozen=True)
class PartyMatches:
    party: Party
    candidates: list[Candidate]
    # Other MARACs of the region holding a likely match: their names and coordinators only.
    elsewhere: list[linkage.Elsewhere]


@dataclass(frozen=True)
class MatchCheck:
    parties: list[PartyMatches]
    model: MatchModel | None  # None: the MARAC's model has not been trained, only the exact checks ran


def parties_of(referral: Referral) -> list[Party]:
    parties = [Party("victim", PartyRole.VICTIM, cleaned_section(referral, SECTIONS_BY_SLUG["victim"]))]
    for slug, role in (("perpetrators", PartyRole.PERPETRATOR), ("children", PartyRole.CHILD)):
        for index, raw in enumerate(referral.content.get(slug, [])):
            parties.append(Party(f"{slug}.{index}", role, cleaned_section(referral, SECTIONS_BY_SLUG[slug], raw)))
    return parties


def party_words(key: str) -> str:
    """A person on the referral by their place on it, never their name ("the victim", "child 2"): these words go
    into messages, which may be kept in a cookie between pages."""
    slug, _, index = key.partition(".")
    name = {"perpetrators": "perpetrator", "children": "child"}.get(slug)
    return f"{name} {int(index) + 1}" if name and index.isdigit() else "the victim"


class UndecidedMatches(Exception):
    """Someone on the referral has a strong possible match held here that nobody has decided on: accepting would make
    a new record for someone who is probably held already, splitting their history. Nothing was saved."""

    def __init__(self, party_keys: list[str]) -> None:
        who = [party_words(key) for key in party_keys]
        listed = who[0] if len(who) == 1 else f"{', '.join(who[:-1])} and {who[-1]}"
        super().__init__(
            f"The referral was not accepted: first decide whether {listed} {'is' if len(who) == 1 else 'are'} "
            "someone already held here. Under “Is anyone on this referral already known here?”, choose “Same person” "
            "or “Not the same person” for each possible match with the same name and date of birth, or that the "
            "matching model finds likely. Nothing was saved."
        )


def undecided_strong_matches(parties: list[PartyMatches]) -> list[str]:
    """The parties (by key) not yet confirmed as anyone who have a strong candidate nobody has decided on. A
    candidate in a restricted case the coordinator is not named on does not count: they cannot decide on it, and
    the page tells them whom to ask."""
    return [
        entry.party.key
        for entry in parties
        if not any(candidate.decision == MatchDecision.Decision.CONFIRMED for candidate in entry.candidates)
        and any(_to_decide(candidate) for candidate in entry.candidates)
    ]


def _to_decide(candidate: Candidate) -> bool:
    return candidate.strong and candidate.decision is None and not candidate.hidden


def _refuse_undecided_strong_matches(
    referral: Referral, parties: list[Party], confirmed: dict[str, Person], *, by: Any
) -> None:
    """As the decision page showed them: the exact checks now, and the model's suggestions as worked out for the page
    (not run again here, under the referral's lock) for the people on the referral as it was last submitted."""
    stored = linkage.suggestions_kept(referral)
    matches = [
        PartyMatches(
            party, match_candidates(referral, party, viewer=by, suggested=linkage.suggested_for(stored, party.key)), []
        )
        for party in parties
        if party.key not in confirmed
    ]
    undecided = undecided_strong_matches(matches)
    if undecided:
        raise UndecidedMatches(undecided)


# The key of party_fingerprint's digests. Changing SECRET_KEY changes them all: the same-person checks of referrals
# waiting for a decision are then asked again, never taken for someone else.
PARTY_FINGERPRINT_SALT = "openmarac.referrals.match_decision.party"


def party_fingerprint(party: Party) -> str:
    """Who a person on the referral is, as a same-person decision records it: their name (spaces, punctuation and
    capitals set aside) and date of birth, digested with a key derived from SECRET_KEY (as people.national's keys),
    so that the decision stands only for them and the table holds nothing that reads as them."""
    born = party.data.get("date_of_birth")
    identity = [
        _compact(str(party.data.get("given_name") or "")),
        _compact(str(party.data.get("family_name") or "")),
        born.isoformat() if isinstance(born, date) else "",
    ]
    return salted_hmac(PARTY_FINGERPRINT_SALT, "\n".join(identity), algorithm="sha256").hexdigest()


def decision_stands(match: MatchDecision, party: Party, referral: Referral) -> bool:
    """Whether a same-person decision is about the person now at its place on the referral, never about someone the
    referral named there before it was returned. One made before decisions recorded their person stands only if it
    was made since the referral was last submitted (a submitted referral's people cannot change)."""
    if match.party != party.key:
        return False
    if match.party_fingerprint:
        return match.party_fingerprint == party_fingerprint(party)
    return referral.submitted_at is not None and match.decided_at >= referral.submitted_at


def match_decisions_set_aside(referral: Referral, parties: list[Party]) -> list[MatchDecision]:
    """The referral's same-person decisions that do not stand for the people on it now (decision_stands), including
    any for a place on it that is gone (a perpetrator removed)."""
    by_key = {party.key: party for party in parties}
    return [
        match
        for match in referral.match_decisions.order_by("pk")
        if match.party not in by_key or not decision_stands(match, by_key[match.party], referral)
    ]


class MatchDecisionsSetAside(Exception):
    """Same-person decisions about people the referral no longer names at their places (left from a return made
    before returning cleared them): accepting on them could attach the case, and the referral's address, to someone
    else. Nothing was accepted; referral_accept clears them, so the page shows those people to be checked again."""

    def __init__(self, matches: list[MatchDecision]) -> None:
        self.matches = matches
        who = [party_words(key) for key in sorted({match.party for match in matches})]
        listed = who[0] if len(who) == 1 else f"{', '.join(who[:-1])} and {who[-1]}"
        super().__init__(
            f"The referral was not accepted: the same-person checks for {listed} were made when the referral named "
            "someone else there, so they have been cleared. Check the people on the referral again, then accept."
        )


def _match_decisions_clear(referral: Referral, matches: list[MatchDecision], *, by: Any, because: str) -> None:
    """Deletes the decisions, audited with what they were (places on the referral, person record ids, answers)."""
    if not matches:
        return
    cleared = [{"party": match.party, "person": match.person_id, "decision": match.decision} for match in matches]
    MatchDecision.objects.filter(pk__in=[match.pk for match in matches]).delete()
    audit_record(
        action=AuditAction.CHANGE,
        obj=referral,
        user=by,
        summary=f"Same-person checks cleared ({len(cleared)}): {because}",
        changes={"match_decisions_cleared": cleared},
    )


def _match_decisions_set_aside_clear(referral: Referral, *, by: Any) -> None:
    """After a refused acceptance (MatchDecisionsSetAside), in a transaction of its own: under the referral's lock,
    so a decision made again meanwhile (which then stands) is kept."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.SUBMITTED:
            return
        because = "made about someone the referral no longer names there; to be checked again before accepting"
        _match_decisions_clear(current, match_decisions_set_aside(current, parties_of(current)), by=by, because=because)


def match_check(referral: Referral, *, viewer: Any) -> MatchCheck:
    """For each person on the referral: the exact and normalised candidates, the model's suggestions and any
    likely match at another MARAC of the region. The model runs once per model version, not on every view; once
    the referral is decided, what was worked out is shown as it was."""
    parties = parties_of(referral)
    if referral.status == ReferralStatus.SUBMITTED:
        stored = linkage.referral_suggestions(
            referral=referral, parties=[(party.key, party.data) for party in parties], by=viewer
        )
    else:
        stored = ReferralSuggestions.objects.filter(referral=referral).first()
    model = linkage.current_model(referral.marac_id)
    return MatchCheck(
        parties=[
            PartyMatches(
                party,
                match_candidates(referral, party, viewer=viewer, suggested=linkage.suggested_for(stored, party.key)),
                linkage.elsewhere_for(stored, party.key),
            )
            for party in parties
        ],
        model=model,
    )


def match_candidates(
    referral: Referral, party: Party, *, viewer: Any = None, suggested: list[linkage.Suggested] | None = None
) -> list[Candidate]:
    """People already held at this MARAC who may be this party, strongest first, with the coordinator's answer:
    exact and normalised name and date of birth matches, then the model's suggestions by probability. A person
    recorded as not the same as the one this party was confirmed to be is not suggested again."""
    decisions = {
        match.person_id: match.decision
        for match in MatchDecision.objects.filter(referral=referral, party=party.key)
        if decision_stands(match, party, referral)  # never a decision about someone named there before
    }
    by_model = {entry.person_id: entry for entry in suggested or []}
    exact = _exact_matches(referral, party)
    people = {person.pk: person for person, _ in exact}
    people.update(Person.objects.in_bulk([pk for pk in by_model if pk not in people]))
    excluded = _not_to_suggest(referral, party, decisions)
    hidden = _people_in_cases_hidden_from(viewer, referral.marac_id)
    reasons = {person.pk: reason for person, reason in exact}
    candidates = []
    for pk, person in people.items():
        if pk in excluded or person.marac_id != referral.marac_id:
            continue
        reason, model_entry = reasons.get(pk), by_model.get(pk)
        candidates.append(
            Candidate(
                person,
                reason.words if reason else "Suggested by the matching model",
                reason.strength if reason else 0,
                decisions.get(pk),
                pk in hidden,
                model_entry.probability if model_entry else None,
                model_entry.comparisons if model_entry else (),
            )
        )
    return sorted(candidates, key=lambda candidate: (-candidate.strength, -(candidate.probability or 0)))


def _exact_matches(referral: Referral, party: Party) -> list[tuple[Person, Any]]:
    key = PersonKey(
        party.data.get("given_name", ""), party.data.get("family_name", ""), party.data.get("date_of_birth")
    )
    if key.date_of_birth is None:
        return []
    held = Person.objects.filter(marac=referral.marac, date_of_birth__in=dates_of_birth_to_search(key.date_of_birth))
    found = []
    for person in held:
        reason = match_reason(key, PersonKey(person.given_name, person.family_name, person.date_of_birth))
        if reason:
            found.append((person, reason))
    return found


def _not_to_suggest(referral: Referral, party: Party, decisions: dict[int, str]) -> set[int]:
    """People recorded as not the same as the person this party was confirmed to be; and, once the referral is
    accepted, the people the acceptance itself created."""
    excluded: set[int] = set()
    confirmed = [pk for pk, decision in decisions.items() if decision == MatchDecision.Decision.CONFIRMED]
    for low, high in linkage.rejected_pairs(confirmed):
        excluded |= {low, high} - set(confirmed)
    if referral.case_id is not None:
        created = set(CaseParty.objects.filter(case_id=referral.case_id).values_list("person_id", flat=True))
        excluded |= created - set(decisions)
    return excluded


def _people_in_cases_hidden_from(viewer: Any, marac_id: int) -> set[int]:
    return linkage.people_hidden_from(viewer, marac_id)


class MatchAlreadyDecided(Exception):
    """The coordinator's answer for this person on the referral differs from one already recorded (by a colleague, or
    in another window): nothing was changed. `match` is the decision standing."""

    def __init__(self, match: MatchDecision) -> None:
        super().__init__("This person on the referral was already decided on")
        self.match = match


class MatchingClosed(Exception):
    """The referral was decided: its same-person checks are kept as they were when it was. Those of an accepted
    referral made its case, which changing them here would not change."""

    ACCEPTED = (
        "This referral has been accepted, so its same-person checks can no longer be changed here: the case was made "
        "with them, and changing them would not move the case. Nothing was changed. If a person on the case was "
        "matched to the wrong person record, do not correct that record to fit the referral (it is someone else's): "
        "on the case's page, choose “Not this person record?” next to them to move the case to a new record made "
        "from the referral, or to the right record held here."
    )
    DECIDED = (
        "This referral has already been decided, so its same-person checks can no longer be changed. Nothing was "
        "changed."
    )

    def __init__(self, *, accepted: bool) -> None:
        super().__init__(self.ACCEPTED if accepted else self.DECIDED)


class ReferralChangedSinceShown(Exception):
    """The referral was returned and sent back since the decision page was shown, so the people on it may have
    changed or moved place (a perpetrator removed moves the next one up): a same-person answer or an acceptance from
    that page could be about someone else. Nothing was saved."""

    message = (
        "The referral has changed since that page was shown: it was returned to the referrer and sent back, and the "
        "people on it may have changed. Nothing was saved: check the people on it again."
    )


def match_decide(
    *,
    referral: Referral,
    party_key: str,
    person: Person,
    decision: str,
    by: Any,
    replacing: datetime | None = None,
    shown_version: int | None = None,
) -> MatchDecision:
    """The coordinator's answer to "is this person on the referral someone we already hold?". An answer already
    recorded is only reversed by a change asked for with it on screen, `replacing` naming when it was made (as
    people.linkage.possible_duplicate_decide): otherwise MatchAlreadyDecided. The same answer again changes nothing.
    The answer is recorded with who the person on the referral is (party_fingerprint), and only for the referral's
    version the page showed (`shown_version`): otherwise ReferralChangedSinceShown."""
    with transaction.atomic():
        # Under the referral's lock, as accepting takes it: no answer lands after the case was made from the others.
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.SUBMITTED:
            raise MatchingClosed(accepted=current.status == ReferralStatus.ACCEPTED)
        party = next((party for party in parties_of(current) if party.key == party_key), None)
        if party is None or (shown_version is not None and shown_version != current.version):
            raise ReferralChangedSinceShown
        standing = (
            MatchDecision.objects.select_for_update().filter(referral=referral, party=party_key, person=person).first()
        )
        if standing is not None and not decision_stands(standing, party, current):
            standing = None  # about someone named there before: replaced below, whatever it said
        if standing is not None and standing.decision != decision and standing.decided_at != replacing:
            raise MatchAlreadyDecided(standing)
        if decision == MatchDecision.Decision.CONFIRMED:
            # One confirmed person per party: confirming another replaces the earlier choice.
            MatchDecision.objects.filter(referral=referral, party=party_key, decision=decision).delete()
        match, _ = MatchDecision.objects.update_or_create(
            referral=referral,
            party=party_key,
            person=person,
            defaults={"decision": decision, "decided_by": by, "party_fingerprint": party_fingerprint(party)},
        )
        changed = f" (changed from {standing.decision})" if standing and standing.decision != decision else ""
        audit_record(
            action=AuditAction.CHANGE,
            obj=referral,
            user=by,
            summary=f"Same-person check for {party_key}: person {person.pk} {decision}{changed}",
        )
    return match


def person_for(
    referral: Referral, party: Party, confirmed: dict[str, Person], *, address: "ReferralAddress | None", by: Any
) -> Person:
    """The person this party is: the one the coordinator confirmed (the referral's address becoming their current
    one), or a new record made from the referral."""
    if party.key in confirmed:
        person = confirmed[party.key]
        if address is not None:
            _address_now(referral, person, address, by=by)
        return person
    data = party.data
    person = Person.objects.create(
        marac=referral.marac,
        given_name=data.get("given_name", ""),
        family_name=data.get("family_name", ""),
        description=data.get("description", ""),
        date_of_birth=data.get("date_of_birth"),
        gender=data.get("gender") or "not_known",
        ethnicity=data.get("ethnicity") or "not_known",
        sexuality=data.get("sexuality") or "not_known",
        has_disability={"yes": True, "no": False}.get(data.get("has_disability", "")),
        disability_details=data.get("disability_details", ""),
        first_language=data.get("first_language", ""),
        needs_interpreter=data.get("needs_interpreter") == "yes",
    )
    if address is not None:
        address.held_by(person).save()
    return person


@dataclass(frozen=True)
class ReferralAddress:
    """A party's address as the referral gives it, with whether it is kept confidential."""

    line_1: str
    line_2: str
    town: str
    postcode: str
    safe_to_post: bool
    confidential: bool

    def held_by(self, person: Person, *, lived_from: date | None = None) -> Address:
        return Address(
            person=person,
            line_1=self.line_1,
            line_2=self.line_2,
            town=self.town,
            postcode=self.postcode,
            lived_from=lived_from,
            safe_to_post=self.safe_to_post,
            confidential=self.confidential,
        )

    def is_at(self, line_1: str, postcode: str) -> bool:
        return _same_place((self.line_1, self.postcode), (line_1, postcode))


def _same_place(one: tuple[str, str], other: tuple[str, str]) -> bool:
    """The same first line and postcode, however they were typed ("7 Hidewell Lane", "NB7 7HL" and "7, hidewell
    lane", "nb77hl")."""
    return [_compact(text) for text in one] == [_compact(text) for text in other]


def _compact(text: str) -> str:
    return "".join(char for char in text.lower() if char.isalnum())


def victim_address_is_confidential(victim: dict[str, Any]) -> bool:
    """The victim's address is kept confidential unless the referrer said the perpetrator knows it. Not answered (a
    draft begun before it was asked, an API client or import that does not send it) counts as confidential too:
    hiding an address she could safely have shown costs a representative a phone call to the coordinator; showing
    one the perpetrator is looking for can cost her life."""
    return victim.get("perpetrator_knows_address") != "yes"


def address_on_referral(party: Party, victim: Party) -> ReferralAddress | None:
    data = party.data
    if not data.get("address_line_1"):
        return None
    return ReferralAddress(
        line_1=data["address_line_1"],
        line_2=data.get("address_line_2", ""),
        town=data.get("town", ""),
        postcode=data.get("postcode", ""),
        safe_to_post=data.get("safe_to_post") == "yes",
        confidential=_kept_confidential(party, victim),
    )


def _kept_confidential(party: Party, victim: Party) -> bool:
    """Where the victim's address is confidential, so is the address of anyone recorded at it (showing theirs would
    show hers), and of every child not in permanent care away from her: a child lives with her, and a child's
    address typed a little differently from hers is still hers."""
    if not victim_address_is_confidential(victim.data):
        return False
    if party.role == PartyRole.VICTIM or _same_place(_first_line_and_postcode(party), _first_line_and_postcode(victim)):
        return True
    return party.role == PartyRole.CHILD and party.data.get("in_permanent_care") != "yes"


def _first_line_and_postcode(party: Party) -> tuple[str, str]:
    return party.data.get("address_line_1") or "", party.data.get("postcode") or ""


def _address_now(referral: Referral, person: Person, address: ReferralAddress, *, by: Any) -> None:
    """The referral's address becomes the current address of a person already held: the addresses they had are
    kept, ended the day before the referral, and the new one is theirs from that day (so reports place their
    earlier cases where they lived then). The same address already current is kept, made confidential or not safe
    to post if the referral says so; never less so, which is a coordinator's decision on the person's page."""
    referred_on = _referred_on(referral)
    held = list(Address.objects.select_for_update().filter(person=person, lived_to__isnull=True).order_by("pk"))
    same = next((current for current in held if address.is_at(current.line_1, current.postcode)), None)
    if same is not None:
        changes = {
            "confidential": same.confidential or address.confidential,
            "safe_to_post": same.safe_to_post and address.safe_to_post,
        }
        changed = [name for name, value in changes.items() if getattr(same, name) != value]
        if not changed:
            return
        for name in changed:
            setattr(same, name, changes[name])
        same.save(update_fields=changed)
        summary = f"Address {same.pk} of person {person.pk} made {' and '.join(_tightened(name) for name in changed)}"
        audit_changes: dict[str, Any] = {"address": same.pk, **{name: changes[name] for name in changed}}
    else:
        for current in held:
            current.lived_to = max(referred_on - timedelta(days=1), current.lived_from or date.min)
            current.save(update_fields=["lived_to"])
        new = address.held_by(person, lived_from=referred_on)
        new.save()
        summary = f"Current address of person {person.pk} is now address {new.pk}; ended: {_ids(held) or 'none'}"
        audit_changes = {"address": new.pk, "ended": [current.pk for current in held], "confidential": new.confidential}
    # A page on the person opened before this (a correction, say) is out of date: it must not save over it.
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=timezone.now())
    audit_record(
        action=AuditAction.CHANGE,
        obj=person,
        user=by,
        summary=f"From accepted referral {referral.pk}: {summary}",
        changes=audit_changes,
    )


def _tightened(field: str) -> str:
    return {"confidential": "confidential", "safe_to_post": "not safe to post to"}[field]


def _ids(addresses: list[Address]) -> str:
    return ", ".join(str(address.pk) for address in addresses)


def _repeat(
    referral: Referral, victim: Person, perpetrators: list[Person], referred_on: date
) -> repeats.RepeatDecision:
    return _repeat_of(
        referral, victim_id=victim.pk, perpetrator_ids=[person.pk for person in perpetrators], referred_on=referred_on
    )


def _repeat_of(
    referral: Referral,
    *,
    victim_id: int,
    perpetrator_ids: list[int],
    referred_on: date,
    case_id: int | None = None,
) -> repeats.RepeatDecision:
    """Earlier hearings of the victim, including those under a record confirmed to be the same person; each
    person is counted as one, whichever of their records a case holds. Restricted cases count too: whether a case
    is a repeat is a fact about the victim, and no one reading the answer learns which case it was (see _accept).
    `case_id`: the referral's own case, when deciding again for a case made already, which is no earlier hearing."""
    same = linkage.same_person_ids([victim_id, *perpetrator_ids])

    def one(person_id: int) -> int:
        return min(same.get(person_id, {person_id}))

    victim_records = same.get(victim_id, {victim_id})
    earlier = (
        Case.objects.filter(marac=referral.marac, victim_id__in=victim_records, heard_on__isnull=False)
        .exclude(pk__in=[case_id] if case_id else [])
        .prefetch_related("parties")
    )
    hearings = [
        repeats.PreviousHearing(
            marac_id=case.marac_id,
            heard_on=case.heard_on,  # type: ignore[arg-type]  # filtered on heard_on__isnull=False
            victim_id=one(victim_id),
            perpetrator_ids=frozenset(one(p.person_id) for p in case.parties.all() if p.role == PartyRole.PERPETRATOR),
            information_only=case.information_only,
        )
        for case in earlier
    ]
    new = repeats.NewReferral(
        marac_id=referral.marac_id,
        referred_on=referred_on,
        victim_id=one(victim_id),
        perpetrator_ids=frozenset(one(person_id) for person_id in perpetrator_ids),
        incidents=_history_incidents(referral),
    )
    return repeats.decide_repeat(new, hearings, repeats.repeat_definition_from_marac(referral.marac))


def case_repeats_recompute(*, person_ids: Iterable[int], by: Any, because: str) -> list[Case]:
    """Whether each case is a repeat, decided again after a same-person decision joined or parted these people's
    records (`because` says which, for the audit trail). The cases are those of everyone now the same person as
    any of them, as victim or perpetrator, each decided as it was when accepted: by the same rule, against the
    hearings before it, with the MARAC's repeat definition as it is now. Only the cases whose answer changes are
    saved, each audited. A case imported from another system keeps the answer it came with: it may rest on hearings
    that were never imported. The referrer is never told: the answer is on the case, and their referral's page
    says nothing of it."""
    same = linkage.same_person_ids(person_ids)
    everyone = set().union(*same.values())
    parties = CaseParty.objects.filter(person_id__in=everyone, role__in=[PartyRole.VICTIM, PartyRole.PERPETRATOR])
    involved = {
        *parties.values_list("case_id", flat=True),
        *Case.objects.filter(victim_id__in=everyone).values_list("pk", flat=True),
    }
    made_from = Referral.objects.filter(case_id__in=involved).select_related("marac")
    referrals = {referral.case_id: referral for referral in made_from if referral.case_id is not None}
    changed = []
    for case in Case.objects.select_for_update().filter(pk__in=referrals).prefetch_related("parties").order_by("pk"):
        perpetrator_ids = [party.person_id for party in case.parties.all() if party.role == PartyRole.PERPETRATOR]
        decision = _repeat_of(
            referrals[case.pk],
            victim_id=case.victim_id,
            perpetrator_ids=perpetrator_ids,
            referred_on=case.referred_on,
            case_id=case.pk,
        )
        if decision.repeat == case.is_repeat:
            continue
        case.is_repeat = decision.repeat
        case.save(update_fields=["is_repeat", "updated_at"])
        audit_record(
            action=AuditAction.CHANGE,
            obj=case,
            user=by,
            summary=f"{'Now a repeat' if case.is_repeat else 'No longer a repeat'}, decided again after {because}",
            changes={"is_repeat": case.is_repeat},
        )
        changed.append(case)
    return changed


def _history_incidents(referral: Referral) -> tuple[repeats.RepeatIncident, ...]:
    """The referral's history, each event with the referrer's answer to "would it be a crime?": only "no" makes it
    not criminal (BD Repeat Referrals: "an incident not involving criminal behaviour"); "not known" may be one."""
    items = (cleaned_section(referral, SECTIONS_BY_SLUG["history"], raw) for raw in referral.content.get("history", []))
    return tuple(
        repeats.RepeatIncident(occurred_on=item["happened_on"], criminal=item.get("is_crime") != "no")
        for item in items
        if item
    )


def _referred_on(referral: Referral) -> date:
    """The day of the referral, from which the repeat window runs back and by which reports count the case: the day
    it was submitted to this MARAC, however long it waited for a decision. For one received by transfer, the day it
    reached this MARAC (its own submitted_at, as for its listing and IDVA clock), not the referrer's first submission
    elsewhere: BD Referrals to other MARACs makes the transfer a referral to this MARAC, and a case sent on months
    after its hearing would otherwise be dated into a reporting period already closed."""
    assert referral.submitted_at is not None  # only submitted referrals are accepted
    return timezone.localdate(referral.submitted_at)


# CAM 4.3: for a victim of 16 or 17, children's social care "still has a safeguarding duty to these young people".
def _victim_is_a_child(victim_data: dict[str, Any], referred_on: date) -> bool:
    born = victim_data.get("date_of_birth")
    return born is not None and born <= referred_on and age_on(born, referred_on) < ADULT_AGE


def _links_from_rejections(referral: Referral, people: list[tuple[Party, Person]]) -> None:
    """A candidate the coordinator said is not this party is, from now on, recorded as not the same person as the
    one the party became, so the pair is never suggested again. An earlier link between them stands."""
    person_of = {party.key: person for party, person in people}
    stored = linkage.suggestions_kept(referral)
    rejected = referral.match_decisions.filter(decision=MatchDecision.Decision.REJECTED).select_related("person")
    for match in rejected:
        person = person_of.get(match.party)
        if person is None or person.pk == match.person_id or person.marac_id != match.person.marac_id:
            continue
        low, high = sorted((person.pk, match.person_id))
        if PersonLink.objects.filter(person_a_id=low, person_b_id=high).exists():
            continue
        suggested = {entry.person_id: entry for entry in linkage.suggested_for(stored, match.party)}
        linkage.person_link_decide(
            person=person,
            other=match.person,
            decision=PersonLink.Decision.REJECTED,
            by=match.decided_by,
            probability=suggested[match.person_id].probability if match.person_id in suggested else None,
        )


def _listing(referral: Referral, marac: Marac) -> calendar.ListingDecision:
    """The meeting the referral is listed at: the first whose deadline it met that has not started (its ordinary
    meetings from the day it was submitted, and the coming months' from today however long it waited)."""
    assert referral.submitted_at is not None  # only submitted referrals are listed
    submitted_on, today = timezone.localdate(referral.submitted_at), timezone.localdate()
    waited = max((today - submitted_on).days, 0)
    meetings = meetings_ensure_ahead(marac=marac, start=submitted_on, days_ahead=waited + LISTING_DAYS_AHEAD)
    working = calendar.calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))
    urgent = bool(cleaned_section(referral, SECTIONS_BY_SLUG["criteria"]).get("urgent"))
    return calendar.meeting_for_referral(
        referral.submitted_at,
        [m.starts_at for m in meetings],
        urgent=urgent,
        calendar=working,
        started=_meetings_started(meetings),
    )


def _meetings_started(meetings: list[Meeting]) -> set[datetime]:
    """The meetings no case can be listed at any more: their time has come, or they were started (or closed) early.
    As agenda_services.meeting_still_to_start, for many meetings at once."""
    now = timezone.now()
    running = set(
        MeetingState.objects.filter(meeting__in=meetings)
        .exclude(status=MeetingStatus.SCHEDULED)
        .values_list("meeting_id", flat=True)
    )
    return {meeting.starts_at for meeting in meetings if meeting.starts_at <= now or meeting.pk in running}


def _asks_for_actions(referral: Referral) -> bool:
    """BD Cases for information only: a referrer who asks for specific actions needs a full discussion."""
    return bool(cleaned_section(referral, SECTIONS_BY_SLUG["about"]).get("specific_actions"))


def idva_due_by(referral: Referral) -> datetime:
    assert referral.submitted_at is not None  # accepted referrals were submitted
    return referral.submitted_at + timedelta(hours=IDVA_ALLOCATION_HOURS)


def referral_accept(*, referral: Referral, by: Any, shown_version: int | None = None) -> Referral:
    """Accepts the referral as the page showed it (`shown_version`): otherwise ReferralChangedSinceShown, since one
    returned and sent back since may name other people, whose matches the coordinator has not seen."""
    try:
        return _accept(referral, by, shown_version)
    except MatchDecisionsSetAside:
        _match_decisions_set_aside_clear(referral, by=by)  # so that the page shows them to be decided again
        raise
    except IntegrityError as error:
        # The only unique value the acceptance invents is the case reference; the transaction was rolled back whole.
        logger.warning("Accepting referral %s collided on a unique value; nothing was saved", referral.pk)
        raise ReferenceTaken from error


def criteria_met_here(referral: Referral) -> bool:
    """Whether the referral met the criteria of the MARAC it is at when it reached it. A referral is submitted only
    when it meets its MARAC's criteria; one transferred in was checked against the receiving MARAC's own, and may not
    meet them (a higher DASH threshold, say). Older records with no stored decision count as met."""
    return referral.criteria_result.get("met", True) is not False


def _accept(referral: Referral, by: Any, shown_version: int | None) -> Referral:
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.SUBMITTED:
            raise NotSubmitted
        if shown_version is not None and shown_version != current.version:
            raise ReferralChangedSinceShown
        if not criteria_met_here(current):
            raise CriteriaNotMetHere
        parties = parties_of(current)
        if set_aside := match_decisions_set_aside(current, parties):
            raise MatchDecisionsSetAside(set_aside)
        # One acceptance at a time per MARAC, so two coordinators accepting at once never take the same reference.
        marac, today = Marac.objects.select_for_update().get(pk=current.marac_id), timezone.localdate()
        referred_on = _referred_on(current)
        confirmed = {
            match.party: match.person
            for match in current.match_decisions.filter(decision=MatchDecision.Decision.CONFIRMED).select_related(
                "person"
            )
        }
        _refuse_undecided_strong_matches(current, parties, confirmed, by=by)
        people = [
            (party, person_for(current, party, confirmed, address=address_on_referral(party, parties[0]), by=by))
            for party in parties
        ]
        _links_from_rejections(current, people)
        victim = people[0][1]
        perpetrators = [person for party, person in people if party.role == PartyRole.PERPETRATOR]
        repeat = _repeat(current, victim, perpetrators, referred_on)
        listing = _listing(current, marac)
        meeting = marac.meetings.filter(starts_at=listing.meeting_start).first() if listing.meeting_start else None
        victim_data = parties[0].data
        case = Case.objects.create(
            marac=marac,
            reference=references.case_reference_next(marac, today.year),
            victim=victim,
            status=CaseStatus.LISTED if meeting else CaseStatus.REFERRED,
            referred_on=referred_on,
            referring_agency=current.referring_agency,
            referred_by=current.referrer,
            is_repeat=repeat.repeat,
            victim_pregnant=_known_answer(victim_data.get("pregnant")),
            dash_score=current.criteria_result.get("dash_score"),
        )
        for party, person in people:
            CaseParty.objects.get_or_create(case=case, person=person, role=party.role)
        if meeting is not None:
            Listing.objects.create(
                meeting=meeting,
                case=case,
                specific_actions_requested=_asks_for_actions(current),
                emergency_item=listing.listing == calendar.Listing.EMERGENCY_ITEM,
            )
        IdvaAllocation.objects.create(case=case, due_by=idva_due_by(current))
        children = [party for party in parties if party.role == PartyRole.CHILD]
        if children or case.victim_pregnant or _victim_is_a_child(victim_data, referred_on):
            working = calendar.calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))
            ChildrenNotification.objects.create(
                case=case,
                sent_at=timezone.now(),
                chase_due_on=calendar.add_working_days(today, CHILDREN_CHASE_WORKING_DAYS, calendar=working),
            )
        current.status, current.case, current.meeting = ReferralStatus.ACCEPTED, case, meeting
        # The listing only: the repeat answer speaks of earlier cases, and the referrer, who reads this, sees the
        # progress of their own referral and nothing else (a restricted earlier case must look as if it did not
        # exist). Coordinators see whether it is a repeat on the case and the decision page.
        current.listing_explanation = listing.reason[:400]
        current.decided_at, current.decided_by = timezone.now(), by
        current.version += 1
        current.save()
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"Accepted referral as case {case.pk}; {'repeat' if repeat.repeat else 'not a repeat'}",
        )
        audit_record(action=AuditAction.CREATE, obj=case, user=by, summary="Case created from an accepted referral")
        transaction.on_commit(lambda: _tell_referrer(current, "accepted"))
    return current


class ReferrerCannotCorrect(Exception):
    message = (
        "This referral cannot be returned: its referrer does not make referrals at this MARAC (it came by transfer "
        "from another), so they could not correct it here. Ask the sending MARAC's coordinator for what is missing, "
        "or transfer it on."
    )


def referrer_can_correct(referral: Referral) -> bool:
    """Whether a returned referral could be corrected and sent again: its referrer makes referrals at its MARAC. A
    referral transferred here from another MARAC keeps that MARAC's referrer, who usually does not."""
    return bool(referral.referrer.is_active and referral.referrer.has_perm("referrals.make_referral", referral.marac))


def referral_return(*, referral: Referral, reasons: str, by: Any) -> Referral:
    """Back to the referrer to correct. It may come back naming other people, or the same people in other places (a
    perpetrator removed moves the next one up): the same-person checks and the model's suggestions were about the
    people as they were, so they are cleared, to be made again when it is sent back."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.SUBMITTED:
            raise NotSubmitted
        if not referrer_can_correct(current):
            raise ReferrerCannotCorrect
        current.status, current.return_reasons = ReferralStatus.RETURNED, reasons
        current.decided_at, current.decided_by = timezone.now(), by
        current.version += 1
        current.save()
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary="Returned referral as incomplete")
        ReferralSuggestions.objects.filter(referral=current).delete()
        because = "the referral was returned, and may come back naming other people; to be made again when it is sent"
        _match_decisions_clear(current, list(current.match_decisions.order_by("pk")), by=by, because=because)
        transaction.on_commit(lambda: _tell_referrer(current, "returned"))
    return current


def referral_transfer(
    *, referral: Referral, to_marac: Marac | None, to_marac_name: str = "", reason: str, by: Any
) -> Transfer:
    """A MARAC-to-MARAC referral: the receiving MARAC gets a new submitted referral carrying the referral's content;
    the sending MARAC keeps its own record, marked transferred. A MARAC outside this installation (to_marac None,
    named in to_marac_name) gets nothing from here: the transfer is recorded, and the coordinator sends it on."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.SUBMITTED or (to_marac is not None and to_marac.pk == current.marac_id):
            raise NotSubmitted
        if (to_marac is None) == (not to_marac_name):
            raise ValueError("A transfer goes to one MARAC: in this installation, or outside it by name")
        received = None if to_marac is None else received_referral(current, to_marac)
        transfer = Transfer.objects.create(
            from_referral=current,
            to_marac=to_marac,
            to_marac_name=to_marac_name,  # empty when to_marac is given (checked above)
            to_referral=received,
            reason=reason,
            transferred_by=by,
        )
        current.status, current.decided_at, current.decided_by = ReferralStatus.TRANSFERRED, timezone.now(), by
        current.version += 1
        current.save()
        if to_marac is None:
            where = f"a MARAC outside this installation (transfer {transfer.pk})"
        else:
            where = f"MARAC {to_marac.pk}"
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary=f"Transferred to {where}")
        if received is not None:
            met = "met" if criteria_met_here(received) else "not met"
            summary = f"Received by transfer {transfer.pk}; this MARAC's criteria {met}"
            audit_record(action=AuditAction.CREATE, obj=received, user=by, summary=summary)
        # Not the receiving MARAC's name: where a victim has moved to stays behind the sign-in.
        transaction.on_commit(lambda: _tell_referrer(current, "transferred to another MARAC"))
        if received is not None:
            arrived = received
            transaction.on_commit(lambda: _tell_of_transferred_referral(arrived))
    return transfer


def received_referral(sent: Referral, to_marac: Marac) -> Referral:
    """The receiving MARAC's own submitted referral, saved: the referral as the referrer made it (their content,
    instrument and consent), checked against the receiving MARAC's criteria. For a referral transferred before it
    became a case here, and for a case sent on after it was heard (referrals.case_transfers)."""
    received = Referral(
        marac=to_marac,
        referrer=sent.referrer,
        referring_agency=sent.referring_agency,
        status=ReferralStatus.SUBMITTED,
        content=sent.content,
        instrument=sent.instrument,
        information_sharing_consent=sent.information_sharing_consent,
        idva_referral_consent=sent.idva_referral_consent,
        # The time it reached this MARAC, from which its listing and IDVA clock run there; the referrer's own
        # submission is first_submitted_at, which follows the Transfer back.
        submitted_at=timezone.now(),
    )
    received.criteria_result = _criteria_at_receiving_marac(received, submitted_on=first_submitted_at(sent))
    received.save()
    return received


# BD Referrals to other MARACs: "a referral will be made ... to the local MARAC Coordinator in the area where the
# victim re-locates"; a referral there is judged by that MARAC's own criteria (DOMAIN.md step 2: thresholds, what
# counts towards escalation and automatic criteria differ by MARAC), not the sending MARAC's. They are checked as of
# the day the referrer submitted, as the sending MARAC checked them, so a delay in transferring moves no event out of
# the escalation window.
def _criteria_at_receiving_marac(received: Referral, *, submitted_on: datetime | None) -> dict[str, Any]:
    today = timezone.localdate(submitted_on) if submitted_on is not None else timezone.localdate()
    decision = criteria_decision(received, today=today)
    return {**decision_as_data(decision), "dash_score": referral_facts(received).dash_score}


def first_submitted_at(referral: Referral) -> datetime | None:
    """When the referrer submitted it: for a referral received by transfer (perhaps more than once), the submission
    at the first MARAC, not the time it was transferred here (which the received referral's own submitted_at is)."""
    seen = {referral.pk}
    current = referral
    while (
        before := Transfer.objects.filter(to_referral=current).select_related("from_referral").first()
    ) is not None and before.from_referral_id not in seen:
        current = before.from_referral
        seen.add(current.pk)
    return current.submitted_at


def tell_receiving_coordinators(received: Referral, *, subject: str, news: str) -> None:
    """The receiving MARAC's coordinators, one message each, are told a referral is waiting: the news (its MARAC's
    name, nothing about the people in it or where it came from) and a link."""
    recipients = role_emails(marac_id=received.marac_id, role=Role.COORDINATOR)
    if not recipients:
        return
    link = site_link("referrals:decision", received.pk)
    message = f"{news} It is waiting for a decision. Sign in to see it:\n\n{link}\n"
    send_to_each(subject=f"OpenMARAC: {subject}", message=message, recipients=recipients)


def _tell_of_transferred_referral(received: Referral) -> None:
    name = received.marac.name
    tell_receiving_coordinators(
        received,
        subject=f"a referral has been transferred to {name}",
        news=f"Another MARAC has transferred a referral to {name}.",
    )


def _known_answer(answer: object) -> bool | None:
    """A yes or no question's answer on the case: True, False, or None where it is not known (or was not given)."""
    return {"yes": True, "no": False}.get(str(answer)) if answer else None


def _tell_referrer(referral: Referral, what: str) -> None:
    """The email says there is something to see and links to it: never a name, an address or a reason."""
    link = site_link("referrals:overview", referral.pk)
    send_one(
        subject=f"OpenMARAC: referral {referral.pk} has been {what}",
        message=f"There is an update on a referral you made. Sign in to see it:\n\n{link}\n",
        address=referral.referrer.email,
    )


def referral_list_at_emergency_meeting(
    *, referral: Referral, starts_at: datetime, by: Any, non_working_day_confirmed: bool = False
) -> Referral:
    """BD Emergency MARAC: a case that cannot wait is heard at an emergency meeting called for it. A new meeting on a
    day that is not a working day only once the coordinator has confirmed it (EmergencyDayNeedsConfirming), as when
    calling one from the agenda. Refused, with nothing saved, for a case sent to another MARAC (referrals.jurisdiction).
    """
    with transaction.atomic():
        current = Referral.objects.select_for_update(of=("self",)).select_related("case").get(pk=referral.pk)
        if current.status != ReferralStatus.ACCEPTED or current.case is None:
            raise NotSubmitted
        # A case sent to another MARAC is that MARAC's to hear. The referral's lock keeps a transfer out (case_transfer
        # takes it first); the status is checked again as it is written, below.
        if refusal := jurisdiction.case_listing_refusal(current.case):
            raise EmergencyListingRefused(refusal)
        meeting = current.marac.meetings.filter(starts_at=starts_at).first()
        ordinary = meeting is not None and not meeting.is_emergency
        if ordinary or is_ordinary_meeting_time(marac=current.marac, starts_at=starts_at):
            raise EmergencyListingRefused(ORDINARY_MEETING_AT_THAT_TIME)
        if meeting is None:  # an emergency MARAC already called at that time was confirmed when it was called
            agenda_services.require_emergency_day_confirmed(
                marac=current.marac, starts_at=starts_at, confirmed=non_working_day_confirmed
            )
            meeting, _ = current.marac.meetings.get_or_create(starts_at=starts_at, defaults={"is_emergency": True})
            if not meeting.is_emergency:  # the series put its meeting there a moment ago
                raise EmergencyListingRefused(ORDINARY_MEETING_AT_THAT_TIME)
        if not agenda_services.meeting_still_to_start(meeting):
            raise EmergencyListingRefused(
                f"The MARAC on {calendar.format_meeting_time(starts_at)} has already started: choose another time."
            )
        # The case leaves the meetings ahead it was listed at, but only where nothing has been said or written of it.
        # A listing held over is settled (the record that it was held over stays): the case is listed at the meeting
        # it was held over to, and that listing is the one that moves.
        moved = list(
            Listing.objects.select_for_update()
            .filter(case=current.case, meeting__starts_at__gt=timezone.now())
            .exclude(meeting=meeting)
            .exclude(outcome=Outcome.HELD_OVER)
            .select_related("meeting")
        )
        for listing in moved:
            if agenda_services.listing_in_use(listing):
                when = calendar.format_meeting_time(listing.meeting.starts_at)
                raise EmergencyListingRefused(
                    f"This case is also listed at the MARAC on {when}, "
                    "where its hearing has started or agencies have recorded research, the victim's voice or "
                    "actions for it. Nothing was changed: hold it over or settle it at that meeting first."
                )
        current.meeting = meeting
        current.listing_explanation = f"Listed at an emergency MARAC on {calendar.format_meeting_time(starts_at)}."
        current.version += 1
        current.save()
        # Not over "Transferred": a meeting recording that outcome since the check above wins, and nothing is saved.
        listed = Case.objects.filter(pk=current.case.pk).exclude(status=CaseStatus.TRANSFERRED)
        if not listed.update(status=CaseStatus.LISTED, version=F("version") + 1, updated_at=timezone.now()):
            raise EmergencyListingRefused(jurisdiction.listing_refusal(status=CaseStatus.TRANSFERRED, sent_to=None))
        # Each meeting it leaves has the case taken off its case list: those sent that list are told it changed.
        agenda_services.listings_delete_moved(listings=moved)
        Listing.objects.get_or_create(meeting=meeting, case=current.case)
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"Listed at emergency meeting {meeting.pk}",
            changes={
                "listings_removed": sorted(listing.pk for listing in moved),
                "taken_off_case_lists_of_meetings": sorted(listing.meeting_id for listing in moved),
            },
        )
    return current
