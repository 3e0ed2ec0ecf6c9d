"""Moving one person on a case off the person record a same-person check wrongly matched them to: to a new record
made from what the case's referral said about them, or to another record held at the MARAC that the coordinator
chooses. Another woman's case on her record follows her into subject access drafts and repeat figures, so the
wrong match is undone here, in one transaction; the record the case leaves keeps its other cases untouched."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from cases.models import Case, CaseParty, PartyRole
from cases.restriction import is_named_on
from people import linkage
from people.models import Address, Person, PersonLink
from referrals.decisions import (
    Party,
    address_on_referral,
    case_repeats_recompute,
    parties_of,
    person_for,  # as acceptance makes a record from the referral, so that both make the same record
)
from referrals.models import MatchDecision, Referral, ReferralStatus

CORRECT = "cases.correct_party"


class PartyCorrectionRefused(Exception):
    """Nothing was changed; the message says why and what to do instead."""


STALE = (
    "Nothing was changed: this case was changed by someone else since you opened this page. Check the case again "
    "before correcting who is on it."
)
RESTRICTED = (
    "Nothing was changed: this case is restricted and you are not named on it. Ask a coordinator named on the case "
    "to correct it."
)
NO_REFERRAL = (
    "This case was imported from another system without its referral, so nothing here says who this person is "
    "except the record they are on: a new record cannot be made for them. If the right person record is held "
    "here, choose it by its number instead. If it is not, ask your OpenMARAC administrator to add it from the "
    "imported data first; until then, do not change the record the case is on to fit (it is someone else's)."
)
UNKNOWN_PARTY = (
    "This person cannot be matched to one person on the case's referral (two people on it were put on the same "
    "record), so a new record cannot be made from it. Choose the right person record by its number instead."
)
NOT_HELD = "There is no person record with that number at this MARAC that you can see. Check the number."
SAME_RECORD = "This case is already on that person record. Choose another, or make a new record."
ALREADY_ON_CASE = "That person record is already on this case in the same role. Choose another, or make a new record."


@dataclass(frozen=True)
class OnReferral:
    """What the case's referral said about this person on the case, and where on it ("victim", "perpetrators.0")."""

    referral: Referral
    party: Party
    victim: Party


def referral_party(case_party: CaseParty) -> OnReferral | None:
    """The person on the accepted referral this party of the case was made from; None for a case imported without
    its referral, or where two people on the referral were put on the same record (so the case has fewer parties).
    Accepting made the case's parties in the referral's order, one each, and a correction changes the record a party
    is on but never the party: so the parties in the order they were made are the referral's, one for one."""
    referral = Referral.objects.filter(case_id=case_party.case_id, status=ReferralStatus.ACCEPTED).first()
    if referral is None:
        return None
    parties = parties_of(referral)
    made = list(CaseParty.objects.filter(case_id=case_party.case_id).order_by("pk"))
    if [party.role for party in parties] != [each.role for each in made]:
        return None
    party = parties[[each.pk for each in made].index(case_party.pk)]
    return OnReferral(referral, party, parties[0])


def case_party_correct(
    *, case: Case, case_party: CaseParty, based_on_version: int, to_person_id: int | None, by: Any
) -> Person:
    """Move this party of the case to a new record made from the referral (`to_person_id` None) or to the record
    chosen. Under the case's lock: refused if the case changed since the page (STALE), is restricted and `by` is not
    named on it, or the record chosen cannot take it. The referral's same-person answer for the wrong record becomes
    "not the same"; the two records are recorded as not the same person; whether each case of both is a repeat is
    decided again; all audited by ids."""
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        party = CaseParty.objects.select_for_update().filter(pk=case_party.pk, case=current).first()
        if current.version != based_on_version or party is None or party.person_id != case_party.person_id:
            raise PartyCorrectionRefused(STALE)
        if current.restricted and not is_named_on(by, current.pk):
            raise PartyCorrectionRefused(RESTRICTED)
        old = Person.objects.select_for_update().get(pk=party.person_id)
        on_referral = referral_party(party)
        if to_person_id is None:
            new = _new_record(current, on_referral, by=by)
        else:
            new = _chosen_record(current, party, to_person_id, by=by)
        _move(current, party, old=old, new=new, on_referral=on_referral, made=to_person_id is None, by=by)
    return new


def _new_record(case: Case, on_referral: OnReferral | None, *, by: Any) -> Person:
    if on_referral is None:
        has_referral = Referral.objects.filter(case_id=case.pk).exists()
        raise PartyCorrectionRefused(UNKNOWN_PARTY if has_referral else NO_REFERRAL)
    referral, party = on_referral.referral, on_referral.party
    address = address_on_referral(party, on_referral.victim)
    person = person_for(referral, party, {}, address=address, by=by)
    audit_record(
        action=AuditAction.CREATE,
        obj=person,
        user=by,
        summary=f"Person record made from referral {referral.pk} ({party.key}) to correct case {case.pk}",
    )
    return person


def _chosen_record(case: Case, party: CaseParty, person_id: int, *, by: Any) -> Person:
    hidden = linkage.people_hidden_from(by, case.marac_id)
    chosen = Person.objects.select_for_update().filter(pk=person_id, marac_id=case.marac_id).first()
    if chosen is None or chosen.pk in hidden:
        raise PartyCorrectionRefused(NOT_HELD)
    if chosen.pk == party.person_id:
        raise PartyCorrectionRefused(SAME_RECORD)
    if CaseParty.objects.filter(case=case, person=chosen, role=party.role).exists():
        raise PartyCorrectionRefused(ALREADY_ON_CASE)
    return chosen


def _move(
    case: Case, party: CaseParty, *, old: Person, new: Person, on_referral: OnReferral | None, made: bool, by: Any
) -> None:
    party.person = new
    party.save(update_fields=["person"])
    changed = ["version", "updated_at"]
    if party.role == PartyRole.VICTIM and case.victim_id == old.pk:
        case.victim = new
        changed.append("victim")
    case.version += 1
    case.save(update_fields=changed)
    if on_referral is not None:
        _answers_corrected(on_referral, old=old, new=new, made=made, by=by)
        _address_given_back(on_referral, old=old, by=by)
    audit_record(
        action=AuditAction.CHANGE,
        obj=case,
        user=by,
        summary=f"Case party {party.pk} ({party.role}) moved from person {old.pk} to person {new.pk}",
        changes={"party": party.pk, "from_person": old.pk, "to_person": new.pk},
    )
    if not PersonLink.objects.filter(person_a_id=min(old.pk, new.pk), person_b_id=max(old.pk, new.pk)).exists():
        # Never suggested as the same again; a link already decided (either way) is the coordinator's, and stands.
        linkage.person_link_decide(person=new, other=old, decision=PersonLink.Decision.REJECTED, by=by)
    because = f"case {case.pk} moved from person {old.pk} to person {new.pk}"
    case_repeats_recompute(person_ids=[old.pk, new.pk], by=by, because=because)


def _answers_corrected(on_referral: OnReferral, *, old: Person, new: Person, made: bool, by: Any) -> None:
    """The referral's same-person answers as they should have been, so nothing reading them learns the wrong match:
    the wrong record "not the same", and a record chosen instead the one confirmed (one per party, as match_decide)."""
    referral, key = on_referral.referral, on_referral.party.key
    rejected, confirmed = MatchDecision.Decision.REJECTED, MatchDecision.Decision.CONFIRMED
    MatchDecision.objects.update_or_create(
        referral=referral, party=key, person=old, defaults={"decision": rejected, "decided_by": by}
    )
    summary = f"Same-person check for {key}: person {old.pk} {rejected}, corrected on case {referral.case_id}"
    if not made:
        MatchDecision.objects.filter(referral=referral, party=key, decision=confirmed).delete()
        MatchDecision.objects.update_or_create(
            referral=referral, party=key, person=new, defaults={"decision": confirmed, "decided_by": by}
        )
        summary += f"; person {new.pk} {confirmed}"
    audit_record(action=AuditAction.CHANGE, obj=referral, user=by, summary=summary)


def _address_given_back(on_referral: OnReferral, *, old: Person, by: Any) -> None:
    """Accepting made the referral's address the current address of the record confirmed, ending the ones it had
    (decisions._address_now): on the wrong record, that put this person's address (perhaps where she fled to) on
    someone else's record, and ended theirs. Undone where nothing has changed them since: the address accepting
    added is removed (the new record has its own), and the ones it ended are current again."""
    referral = on_referral.referral
    made = (
        AuditEvent.objects.filter(
            object_type=Person._meta.label_lower,
            object_id=str(old.pk),
            summary__startswith=f"From accepted referral {referral.pk}: Current address of person {old.pk} is now",
        )
        .order_by("-pk")
        .first()
    )
    if made is None:
        return
    added = Address.objects.select_for_update().filter(pk=made.changes.get("address"), person=old).first()
    address = address_on_referral(on_referral.party, on_referral.victim)
    if (
        added is None
        or added.lived_to is not None
        or address is None
        or not address.is_at(added.line_1, added.postcode)
    ):
        return
    ended = Address.objects.filter(pk__in=made.changes.get("ended", []), person=old, lived_to__isnull=False)
    ended_ids = sorted(ended.values_list("pk", flat=True))
    ended.update(lived_to=None)
    added.delete()
    Person.objects.filter(pk=old.pk).update(version=F("version") + 1, updated_at=timezone.now())
    audit_record(
        action=AuditAction.CHANGE,
        obj=old,
        user=by,
        summary=f"Address {made.changes.get('address')} added by accepting referral {referral.pk} removed (it was "
        f"another person's); current again: {', '.join(map(str, ended_ids)) or 'none'}",
        changes={"removed_address": made.changes.get("address"), "current_again": ended_ids},
    )


def addresses_from_referral(*, person: Person, on_referral: OnReferral | None) -> bool:
    """Whether the record the case left still holds an address the same as the one the referral gave for this
    person (one changed since accepting, so not undone by the correction, or one the record already had)."""
    if on_referral is None:
        return False
    address = address_on_referral(on_referral.party, on_referral.victim)
    if address is None:
        return False
    return any(address.is_at(line_1, postcode) for line_1, postcode in _first_lines(person))


def _first_lines(person: Person) -> list[tuple[str, str]]:
    return [(held.line_1, held.postcode) for held in Address.objects.filter(person=person)]
