"""Retention at one MARAC: the dry-run report (which cases are due, which are held, and why) and applying it.
Anonymising keeps every row the boards count (cases, parties, listings with their outcomes, actions, genders,
ethnicities, age at referral) and removes what identifies; deleting removes the case and, of its people, those
in no other case. The audit trail is never touched: its entries hold ids only, and they outlive the records."""

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Model, ProtectedError, Q, QuerySet, RestrictedError
from django.utils import timezone

from actions.models import Action, ActionResolution
from audit.models import (
    AuditAction,
    AuditEvent,
    DeletedRestrictedCase,
    DeletedRestrictedCaseUser,
    DeletedRestrictedRecord,
)
from audit.selectors import records_of_case, records_of_person
from audit.services import audit_record
from cases.models import Case, CaseParty, LegalHold, PartyRole
from cases.restriction import visible_given_restrictions
from governance.models import DisclosureRequest
from governance.retention import (
    CaseFacts,
    ReferralDecision,
    ReferralFacts,
    RetentionDecision,
    RetentionOutcome,
    RetentionPolicy,
    decide_referral_retention,
    decide_retention,
    year_only_birth_date,
)
from marac.models import Marac
from meetings.models import ChildResearch, Listing, MinuteAmendment, ProcessLink, Research, VictimVoice
from people.linkage import same_person_ids
from people.models import NationalRejection, Person
from referrals.models import ContactAttempt, Referral, Transfer

ANONYMISED = "Anonymised"
ANONYMISED_SUMMARY = "Retention: anonymised case"  # the mark that a case was anonymised (see _anonymised_ids)
RESEARCH_TEXT_FIELDS = [
    "about_victim",
    "about_perpetrator",
    "about_children",
    "proceedings",
    "upcoming_conferences",
    "plan_support",
    "contact_arrangements",
    "non_abusing_parent_support",
    "abusing_parent_work",
    "collusion_concerns",
    "links_to_other_families",
]


@dataclass(frozen=True)
class ReportRow:
    reference: str
    decision: RetentionDecision
    result: str = ""  # after applying: what was done, in words with ids only
    restricted: bool = False  # a restricted case: in the report only for the scheduler and the users named on it


@dataclass(frozen=True)
class ReferralRow:
    """A referral that never became a case, named by its number only."""

    decision: ReferralDecision
    result: str = ""

    @property
    def label(self) -> str:
        return f"Referral {self.decision.referral_id}"

    reference = label  # the pages' tables name a row by its reference
    restricted = False  # only a case can be restricted


@dataclass
class RetentionReport:
    marac_id: int
    policy: RetentionPolicy
    today: date
    rows: list[ReportRow] = field(default_factory=list)
    referral_rows: list[ReferralRow] = field(default_factory=list)

    @property
    def referral_counts(self) -> dict[str, int]:
        """What was done to referrals that never became a case (after applying: rows with a result)."""
        done = [row.decision.outcome for row in self.referral_rows if row.result]
        return {
            "referrals_deleted": done.count(RetentionOutcome.DELETE),
            "referrals_emptied": done.count(RetentionOutcome.ANONYMISE),
        }

    @property
    def referrals_due(self) -> list[ReferralRow]:
        return [row for row in self.referral_rows if row.decision.changes_something]

    def count(self, outcome: RetentionOutcome) -> int:
        return sum(1 for row in self.rows if row.decision.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome.value: self.count(outcome) for outcome in RetentionOutcome}

    @property
    def due(self) -> list[ReportRow]:
        return [row for row in self.rows if row.decision.changes_something]

    @property
    def held(self) -> list[ReportRow]:
        return [row for row in self.rows if row.decision.outcome == RetentionOutcome.HELD]

    @property
    def restricted(self) -> list[ReportRow]:
        return [row for row in self.rows if row.restricted]

    def summary(self) -> str:
        counts = self.counts
        text = (
            f"{counts['anonymise']} to anonymise, {counts['delete']} to delete, {counts['held']} under legal hold, "
            f"{counts['keep']} not yet due, {counts['already_anonymised']} already anonymised"
        )
        outcomes = [row.decision.outcome for row in self.referral_rows]
        if outcomes:
            text += (
                f"; referrals that never became a case: {outcomes.count(RetentionOutcome.DELETE)} drafts to delete, "
                f"{outcomes.count(RetentionOutcome.ANONYMISE)} to empty"
            )
        return text


def retention_policy_of(marac: Marac) -> RetentionPolicy:
    return RetentionPolicy(years=marac.retention_years, action=marac.retention_action)


# --- The report -----------------------------------------------------------------------------------------------------


def _last_hearings(cases: list[Case]) -> dict[int, date]:
    """A case's hearings are Case.heard_on and the meetings it was listed at; the latest counts."""
    latest = {case.pk: case.heard_on for case in cases if case.heard_on}
    listed = Listing.objects.filter(case_id__in=[case.pk for case in cases]).values_list(
        "case_id", "meeting__starts_at"
    )
    for case_id, starts_at in listed:
        day = timezone.localdate(starts_at)
        if case_id not in latest or day > latest[case_id]:
            latest[case_id] = day
    return latest


def _anonymised_ids(marac_id: int) -> set[int]:
    events = AuditEvent.objects.filter(
        marac_id=marac_id,
        object_type="cases.case",
        action=AuditAction.CHANGE,
        summary__startswith=ANONYMISED_SUMMARY,
    )
    return {int(object_id) for object_id in events.values_list("object_id", flat=True)}


# A hold keeps a person's history, not one referral: a domestic homicide review examines the victim's earlier
# contact with agencies and the perpetrator's history, previous partners included (the statutory DHR guidance), and
# court proceedings likewise. So an active hold on a case keeps every case in which its victim or a perpetrator
# (or a record confirmed to be the same person, PersonLink) is the victim or a perpetrator. Children and other
# household members do not carry it on: their other cases are other families'.
HOLD_CARRIED_BY = (PartyRole.VICTIM, PartyRole.PERPETRATOR)


def _victims_and_perpetrators(case_ids: set[int]) -> dict[int, set[int]]:
    people: dict[int, set[int]] = {case_id: set() for case_id in case_ids}
    for case_id, victim_id in Case.objects.filter(pk__in=case_ids).values_list("pk", "victim_id"):
        people[case_id].add(victim_id)
    parties = CaseParty.objects.filter(case_id__in=case_ids, role__in=HOLD_CARRIED_BY)
    for case_id, person_id in parties.values_list("case_id", "person_id"):
        people[case_id].add(person_id)
    return people


def _holds_over(cases: list[Case]) -> dict[int, set[int]]:
    """Each of these cases that an active legal hold keeps, with the cases whose holds keep it (itself, if it has
    its own). Every active hold counts, on a case the viewer may see or not: one they cannot see still keeps."""
    holding = set(LegalHold.objects.filter(lifted_at__isnull=True).values_list("case_id", flat=True))
    if not holding:
        return {}
    held_people = _victims_and_perpetrators(holding)
    groups = same_person_ids({person for people in held_people.values() for person in people})
    holds_on_person: dict[int, set[int]] = {}
    for hold_case, people in held_people.items():
        for same in {same for person in people for same in groups[person]}:
            holds_on_person.setdefault(same, set()).add(hold_case)
    ours = _victims_and_perpetrators({case.pk for case in cases})
    held = {
        case_id: {hold for person in people for hold in holds_on_person.get(person, ())}
        for case_id, people in ours.items()
    }
    for case_id in holding & held.keys():
        held[case_id].add(case_id)
    return {case_id: holds for case_id, holds in held.items() if holds}


def cases_whose_holds_keep(*, case: Case) -> set[int]:
    """The other cases whose active legal holds keep this one (HOLD_CARRIED_BY): for the case page, which says so.
    Every active hold counts, on a case the viewer may see or not; the caller decides which it may name."""
    return _holds_over([case]).get(case.pk, set()) - {case.pk}


def _held_with(decision: RetentionDecision, holds: set[int], references: dict[int, str]) -> RetentionDecision:
    """A case kept by another case's hold says which: named when the viewer may see that case, and otherwise
    only as another case, never by its reference."""
    if decision.outcome != RetentionOutcome.HELD or decision.case_id in holds:
        return decision
    named = sorted(references[case_id] for case_id in holds if case_id in references)
    if len(named) == 1:
        source = f"case {named[0]}'s legal hold"
    elif named:
        source = f"the legal holds of cases {', '.join(named[:-1])} and {named[-1]}"
    else:
        source = "a legal hold on another case"
    return replace(
        decision,
        reason=f"{decision.reason} Held with {source}: a hold keeps every case of its victim and perpetrator.",
    )


def _report_for(cases: list[Case], marac: Marac, today: date) -> RetentionReport:
    ids = [case.pk for case in cases]
    holds = _holds_over(cases)
    held = set(holds)
    references = {case.pk: case.reference for case in cases}
    disclosed = set(DisclosureRequest.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
    anonymised, hearings = _anonymised_ids(marac.pk), _last_hearings(cases)
    policy = retention_policy_of(marac)
    report = RetentionReport(marac_id=marac.pk, policy=policy, today=today)
    for case in cases:
        facts = CaseFacts(
            case_id=case.pk,
            referred_on=case.referred_on,
            last_hearing=hearings.get(case.pk),
            has_active_hold=case.pk in held,
            already_anonymised=case.pk in anonymised,
            in_disclosure_register=case.pk in disclosed,
        )
        decision = _held_with(
            decide_retention(facts, today=today, policy=policy), holds.get(case.pk, set()), references
        )
        report.rows.append(ReportRow(case.reference, decision, restricted=case.restricted))
    report.rows.sort(key=lambda row: (row.decision.outcome, row.reference))
    return report


def _referral_rows(referrals: list[Referral], policy: RetentionPolicy, today: date) -> list[ReferralRow]:
    rows = []
    for referral in referrals:
        facts = ReferralFacts(
            referral_id=referral.pk,
            status=referral.status,
            last_changed_on=timezone.localdate(referral.updated_at),
            submitted_on=timezone.localdate(referral.submitted_at) if referral.submitted_at else None,
            emptied="anonymised_on" in (referral.content or {}),
        )
        rows.append(ReferralRow(decide_referral_retention(facts, today=today, policy=policy)))
    return sorted(rows, key=lambda row: (row.decision.outcome, row.decision.referral_id))


def _never_cases(marac: Marac) -> QuerySet[Referral]:
    return Referral.objects.filter(marac=marac, case__isnull=True).order_by("pk")


def _cases_for(marac: Marac, user: Any) -> QuerySet[Case]:
    """The MARAC's cases that retention is reported and applied on by `user`: a restricted case only if they are
    named on it, as on every other page (cases/restriction.py). None is the scheduler, which applies the policy to
    every case."""
    cases = Case.objects.filter(marac=marac)
    return cases if user is None else cases.filter(visible_given_restrictions(user))


def retention_report(*, marac: Marac, today: date, viewer: Any) -> RetentionReport:
    """The dry run: what applying retention today would do to each case at the MARAC (that `viewer` may see; every
    case for the scheduler, None), and to each referral that never became a case. Changes nothing."""
    report = _report_for(list(_cases_for(marac, viewer).order_by("pk")), marac, today)
    report.referral_rows = _referral_rows(list(_never_cases(marac)), report.policy, today)
    return report


def retention_report_audit(*, report: RetentionReport, by: Any) -> None:
    """The dry run's counts in one entry, restricted cases left out: everyone who may read the MARAC's trail sees
    it. Each restricted case's outcome goes in an entry about the case, which only those named on it see."""
    restricted = report.restricted
    audit_record(
        action=AuditAction.VIEW,
        object_type="governance.retention",
        marac_id=report.marac_id,
        user=by,
        summary=f"Retention dry run: {replace(report, rows=[r for r in report.rows if not r.restricted]).summary()}",
    )
    for row in restricted:
        audit_record(
            action=AuditAction.VIEW,
            object_type="cases.case",
            object_id=str(row.decision.case_id),
            marac_id=report.marac_id,
            user=by,
            summary=f"Retention dry run: case {row.decision.case_id} {row.decision.outcome.value}",
        )


# --- Applying -------------------------------------------------------------------------------------------------------


def retention_apply(
    *,
    marac: Marac,
    today: date,
    by: Any,
    only_case_ids: set[int] | None = None,
    only_referral_ids: set[int] | None = None,
) -> RetentionReport:
    """Apply retention at one MARAC, in one transaction, the cases locked so a legal hold placed meanwhile
    (legal_hold_place locks the case too) is seen. `only_case_ids`, `only_referral_ids`: what a coordinator
    confirmed; a case or referral that stopped being due since is left alone. Confirming cases alone touches no
    referral; with neither (the scheduler), everything due is applied. A restricted case is applied to by the
    scheduler (`by` None) and the users named on it only: for anyone else it is left alone, as a case that does not
    exist is."""
    if only_referral_ids is None and only_case_ids is not None:
        only_referral_ids = set()
    with transaction.atomic():
        # Every case at the MARAC is locked, not only those `by` may see: a hold placed meanwhile on one they cannot
        # see keeps that case's victim's and perpetrator's other cases too (_holds_over).
        list(Case.objects.filter(marac=marac).select_for_update().order_by("pk").values_list("pk", flat=True))
        cases = list(_cases_for(marac, by).order_by("pk"))
        report = _report_for(cases, marac, today)
        due = [r for r in report.due if only_case_ids is None or r.decision.case_id in only_case_ids]
        settled = _anonymised_ids(marac.pk) | {r.decision.case_id for r in due}
        by_id = {case.pk: case for case in cases}
        results = {}
        for row in due:
            case = by_id[row.decision.case_id]
            if row.decision.outcome == RetentionOutcome.DELETE:
                results[case.pk] = _delete_case(case, today=today, by=by)
            else:
                results[case.pk] = _anonymise_case(case, settled=settled, today=today, by=by)
        report.rows = [
            ReportRow(row.reference, row.decision, results.get(row.decision.case_id, "")) for row in report.rows
        ]
        report.referral_rows = _apply_to_referrals(marac, today=today, by=by, only=only_referral_ids)
    return report


def _apply_to_referrals(marac: Marac, *, today: date, by: Any, only: set[int] | None) -> list[ReferralRow]:
    """The referrals that never became a case, locked (a referrer saving a draft, or the coordinator deciding,
    waits, and is then refused as stale or finds it gone), decided again and applied."""
    referrals = list(_never_cases(marac).select_for_update())
    by_id = {referral.pk: referral for referral in referrals}
    rows = []
    for row in _referral_rows(referrals, retention_policy_of(marac), today):
        referral_id = row.decision.referral_id
        if not row.decision.changes_something or (only is not None and referral_id not in only):
            rows.append(row)
            continue
        referral = by_id[referral_id]
        if row.decision.outcome == RetentionOutcome.DELETE:
            referral.delete()
            result, action = "deleted", AuditAction.DELETE
        else:
            _clear_referral(referral, today)
            result, action = "emptied: its content, return reasons and transfer reason cleared", AuditAction.CHANGE
        audit_record(
            action=action,
            object_type="referrals.referral",
            object_id=str(referral_id),
            marac_id=marac.pk,
            user=by,
            summary=f"Retention: referral {referral_id} {result} ({row.decision.outcome.value}); never a case",
        )
        rows.append(ReferralRow(row.decision, result))
    return rows


def _party_ids(case: Case) -> set[int]:
    return set(case.parties.values_list("person_id", flat=True)) | {case.victim_id}


def _people_elsewhere(person_ids: set[int], *, except_case_ids: set[int]) -> set[int]:
    """Of these people, those who are in a case not in `except_case_ids`: their record is still needed."""
    in_parties = CaseParty.objects.filter(person_id__in=person_ids).exclude(case_id__in=except_case_ids)
    as_victim = Case.objects.filter(victim_id__in=person_ids).exclude(pk__in=except_case_ids)
    return set(in_parties.values_list("person_id", flat=True)) | set(as_victim.values_list("victim_id", flat=True))


def _changed(model: type[Model]) -> dict[str, Any]:
    """What a bulk update must also set so that the records read as changed: a new version (their ETags change, and
    a page or partner holding the old one is refused) and, where kept, the time of the change (a partner system
    syncing with ?since= sees the anonymisation and drops what it copied)."""
    names = {field.name for field in model._meta.concrete_fields}
    changed: dict[str, Any] = {}
    if "version" in names:
        changed["version"] = F("version") + 1
    if "updated_at" in names:
        changed["updated_at"] = timezone.now()
    return changed


def _clear_case_text(case: Case, today: date) -> None:
    on_case = Q(listing__case=case)
    Case.objects.filter(pk=case.pk).update(**_changed(Case))
    Listing.objects.filter(case=case).update(
        risks_minute="", decisions_minute="", referrer_view="", held_over_reason="", **_changed(Listing)
    )
    # A minute's amendments keep the minute as it was: cleared with it.
    MinuteAmendment.objects.filter(on_case).update(
        risks_before="", decisions_before="", risks_after="", decisions_after="", reason=""
    )
    Research.objects.filter(on_case).update(**dict.fromkeys(RESEARCH_TEXT_FIELDS, ""), **_changed(Research))
    ChildResearch.objects.filter(research__listing__case=case).update(notes="")
    VictimVoice.objects.filter(on_case).update(victim_views="", child_voice="", **_changed(VictimVoice))
    ProcessLink.objects.filter(on_case).update(note="")
    Action.objects.filter(Q(case=case) | on_case).update(description=ANONYMISED, completion_note="", **_changed(Action))
    ActionResolution.objects.filter(Q(action__case=case) | Q(action__listing__case=case)).update(
        reason="", superseded_note=""
    )
    ContactAttempt.objects.filter(allocation__case=case).update(note="")
    referral = Referral.objects.filter(case=case).first()
    if referral is not None:
        _clear_referral(referral, today)


def _clear_referral(referral: Referral, today: date) -> None:
    # Saved, not updated in bulk: Referral.content is an encrypted field, written through the model.
    referral.content = {"anonymised_on": today.isoformat()}
    referral.return_reasons = ""
    referral.listing_explanation = ""
    referral.version += 1
    referral.save(update_fields=["content", "return_reasons", "listing_explanation", "updated_at", "version"])
    # The reason, and what the sending MARAC held when it sent the case on (its minutes, its actions), both sides.
    for transfer in Transfer.objects.filter(Q(from_referral=referral) | Q(to_referral=referral)):
        transfer.reason, transfer.sender_summary = "", {}
        transfer.save(update_fields=["reason", "sender_summary"])


def _anonymise_person(person: Person, *, referred_on: date, by: Any) -> None:
    person.given_name = person.family_name = ANONYMISED
    person.description = person.disability_details = ""
    if person.date_of_birth:
        person.date_of_birth = year_only_birth_date(person.date_of_birth, referred_on)
    person.version += 1
    person.save()
    person.aliases.all().delete()
    person.addresses.all().delete()
    person.national_matches.all().delete()  # nobody should be told to ask about an anonymised record
    NationalRejection.objects.filter(Q(person=person) | Q(other_person=person)).delete()
    audit_record(
        action=AuditAction.CHANGE,
        obj=person,
        user=by,
        summary=(
            f"Retention: anonymised person {person.pk}: names, date of birth to year, addresses, aliases,"
            " national possible matches and decisions on them"
        ),
    )


def _first_referred_on(person_id: int) -> date:
    dates = Case.objects.filter(Q(victim_id=person_id) | Q(parties__person_id=person_id)).values_list(
        "referred_on", flat=True
    )
    return min(dates)


def _anonymise_case(case: Case, *, settled: set[int], today: date, by: Any) -> str:
    _clear_case_text(case, today)
    people = _party_ids(case)
    kept = _people_elsewhere(people, except_case_ids=settled)
    anonymised = sorted(people - kept)
    for person in Person.objects.filter(pk__in=anonymised).exclude(given_name=ANONYMISED, family_name=ANONYMISED):
        _anonymise_person(person, referred_on=_first_referred_on(person.pk), by=by)
    result = f"anonymised; people {_ids(anonymised)} anonymised"
    if kept:
        result += f"; people {_ids(kept)} kept: in another case still held"
    audit_record(
        action=AuditAction.CHANGE,
        obj=case,
        user=by,
        summary=f"{ANONYMISED_SUMMARY} {case.pk}: minutes, research, actions and referral text cleared; {result}",
        changes={"people_anonymised": anonymised, "people_kept": sorted(kept)},
    )
    return result


def _ids(ids: set[int] | list[int]) -> str:
    return ", ".join(str(pk) for pk in sorted(ids)) or "none"


def _delete_case(case: Case, *, today: date, by: Any) -> str:
    """Delete in the order the PROTECT foreign keys need: actions, then listings (their research, children's
    research, victim's voice and process links go with them), the referral, the case (its parties, holds,
    restrictions and follow-up go with it), and last the people no other case holds. A restricted case leaves who
    was named on it and which records were part of it (_keep_hidden), so its trail stays hidden as it was."""
    people = _party_ids(case)
    try:
        with transaction.atomic():
            hidden = _keep_hidden(case)
            people_records = {person_id: records_of_person(person_id) for person_id in people} if hidden else {}
            counts = _delete_case_rows(case, today)
    except (ProtectedError, RestrictedError) as error:
        found = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", [])
        blockers = sorted({obj._meta.label_lower for obj in found})
        result = f"not deleted: still referred to by {', '.join(blockers)}"
        audit_record(action=AuditAction.VIEW, obj=case, user=by, summary=f"Retention: case {case.pk} {result}")
        return result
    orphaned = people - _people_elsewhere(people, except_case_ids=set())
    orphaned -= set(ChildResearch.objects.filter(child_id__in=orphaned).values_list("child_id", flat=True))
    if hidden is not None:
        _keep_people_hidden(hidden, people_records, kept=people - orphaned)
    for person_id in sorted(orphaned):
        Person.objects.filter(pk=person_id).delete()
        audit_record(
            action=AuditAction.DELETE,
            object_type="people.person",
            object_id=str(person_id),
            marac_id=case.marac_id,
            user=by,
            summary=f"Retention: deleted person {person_id} with case {case.pk}: in no other case",
        )
    kept = people - orphaned
    result = f"deleted with {counts}; people {_ids(orphaned)} deleted"
    if kept:
        result += f"; people {_ids(kept)} kept: in another case"
    audit_record(
        action=AuditAction.DELETE,
        object_type="cases.case",
        object_id=str(case.pk),
        marac_id=case.marac_id,
        user=by,
        summary=f"Retention: deleted case {case.pk} {result}",
        changes={"people_deleted": sorted(orphaned), "people_kept": sorted(kept)},
    )
    return result


def _keep_hidden(case: Case) -> DeletedRestrictedCase | None:
    """Before a restricted case is deleted (its restrictions with it): who was named on it and the records that are
    part of it, so that the trail's entries about them stay hidden from everyone else (audit/selectors.py)."""
    if not case.restricted:
        return None
    hidden = DeletedRestrictedCase.objects.create(case_id=case.pk, deleted_at=timezone.now())
    named = case.restrictions.values_list("user_id", flat=True)
    DeletedRestrictedCaseUser.objects.bulk_create(
        DeletedRestrictedCaseUser(deleted_case=hidden, user_id=user_id) for user_id in named
    )
    DeletedRestrictedRecord.objects.bulk_create(
        DeletedRestrictedRecord(deleted_case=hidden, object_type=label, object_id=object_id)
        for label, object_id in records_of_case(case)
    )
    return hidden


def _keep_people_hidden(
    hidden: DeletedRestrictedCase, records: dict[int, list[tuple[str, str]]], *, kept: set[int]
) -> None:
    """The people of the deleted restricted case: every entry about one deleted with it stays hidden; of one kept
    (in another case), only the entries up to the deletion, as their later ones belong to that other case."""
    DeletedRestrictedRecord.objects.bulk_create(
        DeletedRestrictedRecord(
            deleted_case=hidden,
            object_type=label,
            object_id=object_id,
            hidden_until=hidden.deleted_at if person_id in kept else None,
        )
        for person_id, person_records in records.items()
        for label, object_id in person_records
    )


def _delete_case_rows(case: Case, today: date) -> str:
    listings = Listing.objects.filter(case=case)
    actions, _ = Action.objects.filter(Q(case=case) | Q(listing__case=case)).delete()
    listing_count = listings.count()
    listings.delete()
    referral = Referral.objects.filter(case=case).first()
    if referral is not None:
        _remove_referral(referral, today)
    Case.objects.filter(pk=case.pk).delete()
    return f"{listing_count} listings, {actions} actions and their research"


def _remove_referral(referral: Referral, today: date) -> None:
    # A transferred referral is also the other MARAC's record (referrals/models.py Transfer): it stays,
    # emptied and detached from the case; any other referral goes with its case.
    if Transfer.objects.filter(Q(from_referral=referral) | Q(to_referral=referral)).exists():
        referral.case = None
        _clear_referral(referral, today)
        referral.save(update_fields=["case"])
    else:
        referral.delete()


def retention_apply_all(*, today: date) -> dict[int, RetentionReport]:
    """For the scheduler: at each MARAC, the dry run reported in the audit, then applied."""
    applied: dict[int, RetentionReport] = {}
    for marac in Marac.objects.order_by("pk"):
        retention_report_audit(report=retention_report(marac=marac, today=today, viewer=None), by=None)
        applied[marac.pk] = retention_apply(marac=marac, today=today, by=None)
    return applied
