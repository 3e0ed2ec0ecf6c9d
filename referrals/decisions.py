"""The coordinator's side of the front door: same-person checks, then accept (creating the case, listing it,
starting the IDVA clock and telling children's services), return as incomplete, or transfer to another MARAC.
The coordinator does not screen beyond the criteria (BD Criteria for Referral)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseParty, CaseStatus, PartyRole
from marac.models import Marac
from meetings.models import Listing
from meetings.services import meetings_ensure_ahead
from people.matching import PersonKey, dates_of_birth_to_search, match_reason
from people.models import Address, Person
from referrals import calendar, repeats
from referrals.models import ChildrenNotification, IdvaAllocation, MatchDecision, Referral, ReferralStatus, Transfer
from referrals.sections import SECTIONS_BY_SLUG
from referrals.services import cleaned_section

IDVA_ALLOCATION_HOURS = 48  # BD IDSVA: "allocated within 48 hours"
CHILDREN_CHASE_WORKING_DAYS = 2  # BED 4: chased if not confirmed after 2 working days


class NotSubmitted(Exception):
    """Only a submitted referral can be decided."""


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
    strength: int
    decision: str | None
    # In a restricted case the viewer is not named on: shown only as "a possible match exists", no details.
    hidden: bool = False


def parties_of(referral: Referral) -> list[Party]:
    parties = [Party("victim", PartyRole.VICTIM, cleaned_section(referral, SECTIONS_BY_SLUG["victim"]))]
    for slug, role in (("perpetrators", PartyRole.PERPETRATOR), ("children", PartyRole.CHILD)):
        for index, raw in enumerate(referral.content.get(slug, [])):
            parties.append(Party(f"{slug}.{index}", role, cleaned_section(referral, SECTIONS_BY_SLUG[slug], raw)))
    return parties


def match_candidates(referral: Referral, party: Party, *, viewer: Any = None) -> list[Candidate]:
    """People already held at this MARAC who may be this party, strongest first, with the coordinator's answer."""
    key = PersonKey(
        party.data.get("given_name", ""), party.data.get("family_name", ""), party.data.get("date_of_birth")
    )
    if key.date_of_birth is None:
        return []
    decisions = dict(
        MatchDecision.objects.filter(referral=referral, party=party.key).values_list("person_id", "decision")
    )
    held = Person.objects.filter(marac=referral.marac, date_of_birth__in=dates_of_birth_to_search(key.date_of_birth))
    hidden = _people_in_cases_hidden_from(viewer, referral.marac_id)
    candidates = []
    for person in held:
        reason = match_reason(key, PersonKey(person.given_name, person.family_name, person.date_of_birth))
        if reason:
            candidates.append(
                Candidate(person, reason.words, reason.strength, decisions.get(person.pk), person.pk in hidden)
            )
    return sorted(candidates, key=lambda candidate: -candidate.strength)


def _people_in_cases_hidden_from(viewer: Any, marac_id: int) -> set[int]:
    if viewer is None:
        return set()
    from cases.restriction import visible_given_restrictions

    hidden_cases = Case.objects.filter(marac_id=marac_id, restricted=True).exclude(visible_given_restrictions(viewer))
    return set(CaseParty.objects.filter(case__in=hidden_cases).values_list("person_id", flat=True))


def match_decide(*, referral: Referral, party_key: str, person: Person, decision: str, by: Any) -> MatchDecision:
    with transaction.atomic():
        if decision == MatchDecision.Decision.CONFIRMED:
            # One confirmed person per party: confirming another replaces the earlier choice.
            MatchDecision.objects.filter(referral=referral, party=party_key, decision=decision).delete()
        match, _ = MatchDecision.objects.update_or_create(
            referral=referral, party=party_key, person=person, defaults={"decision": decision, "decided_by": by}
        )
        audit_record(
            action=AuditAction.CHANGE,
            obj=referral,
            user=by,
            summary=f"Same-person check for {party_key}: person {person.pk} {decision}",
        )
    return match


def _person_for(referral: Referral, party: Party, confirmed: dict[str, Person]) -> Person:
    if party.key in confirmed:
        return confirmed[party.key]
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
    if data.get("address_line_1"):
        Address.objects.create(
            person=person,
            line_1=data["address_line_1"],
            line_2=data.get("address_line_2", ""),
            town=data.get("town", ""),
            postcode=data.get("postcode", ""),
            safe_to_post=data.get("safe_to_post") == "yes",
        )
    return person


def _repeat(referral: Referral, victim: Person, perpetrators: list[Person], today: date) -> repeats.RepeatDecision:
    earlier = Case.objects.filter(marac=referral.marac, victim=victim, heard_on__isnull=False).prefetch_related(
        "parties"
    )
    hearings = [
        repeats.PreviousHearing(
            marac_id=case.marac_id,
            heard_on=case.heard_on,  # type: ignore[arg-type]  # filtered on heard_on__isnull=False
            victim_id=victim.pk,
            perpetrator_ids=frozenset(p.person_id for p in case.parties.all() if p.role == PartyRole.PERPETRATOR),
            information_only=case.information_only,
        )
        for case in earlier
    ]
    new = repeats.NewReferral(
        marac_id=referral.marac_id,
        referred_on=today,
        victim_id=victim.pk,
        perpetrator_ids=frozenset(person.pk for person in perpetrators),
    )
    return repeats.decide_repeat(new, hearings, repeats.repeat_definition_from_marac(referral.marac))


def _listing(referral: Referral, marac: Marac) -> calendar.ListingDecision:
    meetings = meetings_ensure_ahead(marac=marac, start=timezone.localdate(referral.submitted_at))
    working = calendar.calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))
    urgent = bool(cleaned_section(referral, SECTIONS_BY_SLUG["criteria"]).get("urgent"))
    assert referral.submitted_at is not None  # only submitted referrals are listed
    return calendar.meeting_for_referral(
        referral.submitted_at,
        [m.starts_at for m in meetings],
        urgent=urgent,
        calendar=working,
    )


def _asks_for_actions(referral: Referral) -> bool:
    """BD Cases for information only: a referrer who asks for specific actions needs a full discussion."""
    return bool(cleaned_section(referral, SECTIONS_BY_SLUG["about"]).get("specific_actions"))


def _next_reference(marac: Marac, year: int) -> str:
    prefix = "".join(word[0] for word in marac.name.split() if word[0].isalpha()).upper()[:3] or "MAR"
    count = Case.objects.filter(marac=marac, reference__startswith=f"{prefix}-{year}-").count()
    return f"{prefix}-{year}-{count + 1:04d}"


def idva_due_by(referral: Referral) -> datetime:
    assert referral.submitted_at is not None  # accepted referrals were submitted
    return referral.submitted_at + timedelta(hours=IDVA_ALLOCATION_HOURS)


def referral_accept(*, referral: Referral, by: Any) -> Referral:
    with transaction.atomic():
        current = Referral.objects.select_for_update().select_related("marac").get(pk=referral.pk)
        if current.status != ReferralStatus.SUBMITTED:
            raise NotSubmitted
        marac, today = current.marac, timezone.localdate()
        confirmed = {
            match.party: match.person
            for match in current.match_decisions.filter(decision=MatchDecision.Decision.CONFIRMED).select_related(
                "person"
            )
        }
        parties = parties_of(current)
        people = [(party, _person_for(current, party, confirmed)) for party in parties]
        victim = people[0][1]
        perpetrators = [person for party, person in people if party.role == PartyRole.PERPETRATOR]
        repeat = _repeat(current, victim, perpetrators, today)
        listing = _listing(current, marac)
        meeting = marac.meetings.filter(starts_at=listing.meeting_start).first() if listing.meeting_start else None
        victim_data = parties[0].data
        case = Case.objects.create(
            marac=marac,
            reference=_next_reference(marac, today.year),
            victim=victim,
            status=CaseStatus.LISTED if meeting else CaseStatus.REFERRED,
            referred_on=today,
            referring_agency=current.referring_agency,
            referred_by=current.referrer,
            is_repeat=repeat.repeat,
            victim_pregnant=victim_data.get("pregnant") == "yes",
            dash_score=current.criteria_result.get("dash_score"),
        )
        for party, person in people:
            CaseParty.objects.get_or_create(case=case, person=person, role=party.role)
        if meeting is not None:
            Listing.objects.create(meeting=meeting, case=case, specific_actions_requested=_asks_for_actions(current))
        IdvaAllocation.objects.create(case=case, due_by=idva_due_by(current))
        children = [party for party in parties if party.role == PartyRole.CHILD]
        if children or case.victim_pregnant:
            working = calendar.calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))
            ChildrenNotification.objects.create(
                case=case,
                sent_at=timezone.now(),
                chase_due_on=calendar.add_working_days(today, CHILDREN_CHASE_WORKING_DAYS, calendar=working),
            )
        current.status, current.case, current.meeting = ReferralStatus.ACCEPTED, case, meeting
        current.listing_explanation = f"{listing.reason} {repeat.reason}"[:400]
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


def referral_return(*, referral: Referral, reasons: str, by: Any) -> Referral:
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.SUBMITTED:
            raise NotSubmitted
        current.status, current.return_reasons = ReferralStatus.RETURNED, reasons
        current.decided_at, current.decided_by = timezone.now(), by
        current.version += 1
        current.save()
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary="Returned referral as incomplete")
        transaction.on_commit(lambda: _tell_referrer(current, "returned"))
    return current


def referral_transfer(*, referral: Referral, to_marac: Marac, reason: str, by: Any) -> Transfer:
    """A MARAC-to-MARAC referral: the receiving MARAC gets a new submitted referral carrying the referral's content;
    the sending MARAC keeps its own record, marked transferred."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.SUBMITTED or to_marac.pk == current.marac_id:
            raise NotSubmitted
        received = Referral.objects.create(
            marac=to_marac,
            referrer=current.referrer,
            referring_agency=current.referring_agency,
            status=ReferralStatus.SUBMITTED,
            content=current.content,
            instrument=current.instrument,
            criteria_result=current.criteria_result,
            submitted_at=timezone.now(),
        )
        transfer = Transfer.objects.create(
            from_referral=current, to_marac=to_marac, to_referral=received, reason=reason, transferred_by=by
        )
        current.status, current.decided_at, current.decided_by = ReferralStatus.TRANSFERRED, timezone.now(), by
        current.version += 1
        current.save()
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary=f"Transferred to MARAC {to_marac.pk}")
        audit_record(action=AuditAction.CREATE, obj=received, user=by, summary=f"Received by transfer {transfer.pk}")
    return transfer


def _tell_referrer(referral: Referral, what: str) -> None:
    """The email says there is something to see and links to it: never a name, an address or a reason."""
    link = str(getattr(settings, "OPENMARAC_SITE_URL", "")) + reverse("referrals:overview", args=[referral.pk])
    send_mail(
        subject=f"OpenMARAC: referral {referral.pk} has been {what}",
        message=f"There is an update on a referral you made. Sign in to see it:\n\n{link}\n",
        from_email=None,
        recipient_list=[referral.referrer.email],
    )


def referral_list_at_emergency_meeting(*, referral: Referral, starts_at: datetime, by: Any) -> Referral:
    """BD Emergency MARAC: a case that cannot wait is heard at an emergency meeting called for it."""
    with transaction.atomic():
        current = Referral.objects.select_for_update(of=("self",)).select_related("case").get(pk=referral.pk)
        if current.status != ReferralStatus.ACCEPTED or current.case is None:
            raise NotSubmitted
        meeting, _ = current.marac.meetings.get_or_create(starts_at=starts_at, defaults={"is_emergency": True})
        current.meeting = meeting
        current.listing_explanation = f"Listed at an emergency MARAC on {calendar.format_moment(starts_at)}."
        current.version += 1
        current.save()
        Case.objects.filter(pk=current.case.pk).update(status=CaseStatus.LISTED)
        Listing.objects.filter(case=current.case, meeting__starts_at__gt=timezone.now()).exclude(
            meeting=meeting
        ).delete()
        Listing.objects.get_or_create(meeting=meeting, case=current.case)
        audit_record(
            action=AuditAction.CHANGE, obj=current, user=by, summary=f"Listed at emergency meeting {meeting.pk}"
        )
    return current
