"""The conference before the day: meetings, the agenda, information-only listings, cases held over, and the case list.

Reads that apply need-to-know come first (the gates every agenda view uses), then the writes. Each write runs in one
transaction with its audit entry, and takes the rows it guards with select_for_update()."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import CASE_ROLES, roles_at
from actions.models import Action
from audit.models import AuditAction
from audit.services import audit_cases_seen, audit_record
from cases.models import Case, CaseParty, CaseRestriction, CaseStatus, PartyRole
from cases.restriction import visible_given_restrictions
from cases.selectors import restricted_case_reason
from marac.models import Marac
from meetings import agenda, emergency_rules
from meetings.case_list_document import CaseListRow
from meetings.models import (
    CaseListReceipt,
    CaseListRemoval,
    Listing,
    ListingKind,
    Meeting,
    MeetingState,
    MeetingStatus,
    Outcome,
    ProcessLink,
    Research,
    VictimVoice,
)
from meetings.services import is_ordinary_meeting_time, meetings_ensure_ahead
from people.models import Person, person_name
from referrals import calendar, jurisdiction
from referrals.models import Referral
from web.links import site_link
from web.mail import send_one

PAST_MEETINGS_SHOWN = 12


class AgendaRefused(Exception):
    """A change the rules do not allow; the reasons are in words for the page."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


# Reading --------------------------------------------------------------------------------------------------------------


def meetings_of_marac(*, marac: Marac, today: date | None = None) -> tuple[list[Meeting], list[Meeting]]:
    """The MARAC's coming meetings (its series generated ahead, emergency meetings included) and its recent past."""
    today = today or timezone.localdate()
    meetings_ensure_ahead(marac=marac, start=today)
    base = Meeting.objects.filter(marac=marac).select_related("state")
    upcoming = list(base.filter(starts_at__gte=timezone.now()).order_by("starts_at"))
    past = list(base.filter(starts_at__lt=timezone.now()).order_by("-starts_at")[:PAST_MEETINGS_SHOWN])
    return upcoming, past


def get_meeting_for_user(*, user: Any, pk: int, permission: str = "meetings.view_agenda") -> Meeting:
    """The one gate for a meeting: the meeting if the user holds `permission` at its MARAC, else 404."""
    # With its state (a left join): the case list and the live pages ask whether it is released or running.
    meeting = Meeting.objects.select_related("marac", "state").filter(pk=pk).first()
    return _meeting_through_gate(user=user, meeting=meeting, permission=permission)


def _meeting_through_gate(*, user: Any, meeting: Meeting | None, permission: str) -> Meeting:
    if meeting is None or not user.has_perm(permission, meeting):
        raise Http404
    return meeting


def get_listing_for_user(*, user: Any, meeting_pk: int, listing_pk: int, permission: str) -> Listing:
    """A listing of a meeting through the meeting's gate: 404 if either is not there or not the user's to see."""
    # One query: the listing with its case, and its meeting with what the meeting gate reads (MARAC, state).
    listing = (
        Listing.objects.select_related("case", "meeting__marac", "meeting__state")
        .filter(pk=listing_pk, meeting_id=meeting_pk)
        .first()
    )
    if listing is None:
        raise Http404
    _meeting_through_gate(user=user, meeting=listing.meeting, permission=permission)
    if not may_see_case_list(user=user, meeting=listing.meeting):  # a representative, before the list is out
        raise Http404
    if listing.case.restricted:  # 404 unless named on the case, and then a reason first
        restricted_case_reason(user=user, case_id=listing.case_id)
    return listing


def meeting_state(meeting: Meeting) -> MeetingState:
    state, _ = MeetingState.objects.get_or_create(meeting=meeting)
    return state


def meeting_state_if_any(meeting: Meeting) -> MeetingState | None:
    if Meeting.state.is_cached(meeting):  # read with the meeting by the gate (get_meeting_for_user)
        return getattr(meeting, "state", None)
    return MeetingState.objects.filter(meeting=meeting).first()


def working_calendar(marac: Marac) -> calendar.WorkingCalendar:
    return calendar.calendar_from_marac(marac, marac.closure_days.values_list("day", flat=True))


def case_list_release_time(meeting: Meeting) -> datetime:
    return calendar.case_list_release(meeting.starts_at, calendar=working_calendar(meeting.marac))


def case_list_released(meeting: Meeting) -> bool:
    state = meeting_state_if_any(meeting)
    return state is not None and state.case_list_released_at is not None


def may_see_case_list(*, user: Any, meeting: Meeting) -> bool:
    """The coordinator and chair prepare the list; the representatives see it once it has been released."""
    return bool(user.has_perm("meetings.manage_agenda", meeting)) or case_list_released(meeting)


def case_lists_visible_filter(*, user: Any, marac: Any, through: str = "") -> Q:
    """may_see_case_list as a filter, for many meetings at once (`through`: the path to the meeting, "meeting__");
    `marac`: anything with the MARAC's marac_id, for has_perm."""
    if user.has_perm("meetings.manage_agenda", marac):
        return Q()
    return Q(**{f"{through}state__case_list_released_at__isnull": False})


@dataclass(frozen=True)
class ListedPerson:
    """What the agenda shows of a party to a listed case: a name and a date of birth."""

    pk: int
    given_name: str
    family_name: str
    description: str
    date_of_birth: date | None

    def __str__(self) -> str:
        return person_name(self.given_name, self.family_name, self.description)


@dataclass(frozen=True)
class ListedParty:
    role: str
    person: ListedPerson


@dataclass(frozen=True)
class Child:
    person: ListedPerson
    age: int | None
    in_permanent_care: bool | None


@dataclass(frozen=True)
class AgendaRow:
    """One listed case with the facts the agenda rules need (meetings.agenda.AgendaFacts)."""

    listing: Listing
    children: list[Child]
    perpetrators: list[ListedPerson]
    has_children: bool
    victim_pregnant: bool
    information_only: bool
    brought_forward: bool
    position: int | None
    refusals: list[str] = field(default_factory=list)
    victim_pregnancy_not_known: bool = False
    victim_is_child: bool = False


@dataclass(frozen=True)
class Agenda:
    meeting: Meeting
    slots: list[agenda.Slot[AgendaRow]]
    finish: datetime
    held_over: list[Listing]  # the listings at later meetings that this meeting's cases were held over to


def _permanent_care_answers(referral_content: dict[str, Any] | None) -> dict[tuple[str, str, str], bool | None]:
    """What the referral said about each child's care, keyed by name and date of birth as typed."""
    answers: dict[tuple[str, str, str], bool | None] = {}
    for raw in (referral_content or {}).get("children", []) or []:
        key = (str(raw.get("given_name", "")).strip().lower(), str(raw.get("family_name", "")).strip().lower(),
               str(raw.get("date_of_birth", "")))  # fmt: skip
        answer = raw.get("in_permanent_care")
        answers[key] = True if answer == "yes" else False if answer == "no" else None
    return answers


def _referral_contents(case_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The referrals of these cases, decrypted. The content is encrypted and read whole, and only the children's
    answers are wanted from it: callers ask only for the cases with children."""
    if not case_ids:
        return {}
    referrals = Referral.objects.filter(case_id__in=case_ids).only("case_id", "content")
    return {referral.case_id: referral.content for referral in referrals if referral.case_id is not None}


def _children(parties: list[ListedParty], on: date, referral_content: dict[str, Any] | None) -> list[Child]:
    children = []
    answers = None
    for party in parties:
        if party.role != PartyRole.CHILD:
            continue
        if answers is None:
            answers = _permanent_care_answers(referral_content)
        person = party.person
        key = (person.given_name.strip().lower(), person.family_name.strip().lower(), str(person.date_of_birth or ""))
        children.append(Child(person, agenda.age_on(person.date_of_birth, on), answers.get(key)))
    return children


def _with_children(parties: list[ListedParty]) -> bool:
    return any(party.role == PartyRole.CHILD for party in parties)


def information_only_facts(
    listing: Listing, children: list[Child], *, referrer_view_recorded: bool | None = None
) -> agenda.InformationOnlyFacts:
    return agenda.InformationOnlyFacts(
        children_not_in_permanent_care=agenda.children_who_count([child.in_permanent_care for child in children]),
        victim_pregnant=listing.case.victim_pregnant,  # None: not known, which refuses it too
        vulnerable_adult=listing.vulnerable_adult,
        specific_actions_requested=listing.specific_actions_requested,
        referrer_disagrees=listing.referrer_disagrees,
        referrer_view_recorded=bool(listing.referrer_view)
        if referrer_view_recorded is None
        else referrer_view_recorded,
        victim_age_when_referred=agenda.age_on(listing.case.victim.date_of_birth, listing.case.referred_on),
    )


def _row(listing: Listing, on: date, parties: list[ListedParty], referral_content: dict[str, Any] | None) -> AgendaRow:
    children = _children(parties, on, referral_content)
    facts = information_only_facts(listing, children, referrer_view_recorded=True)
    return AgendaRow(
        listing=listing,
        children=children,
        perpetrators=[party.person for party in parties if party.role == PartyRole.PERPETRATOR],
        has_children=bool(children),  # in permanent care or not: BD heard first "all cases with children"
        victim_pregnant=bool(facts.victim_pregnant),  # yes only, as the agenda page and the API show it
        information_only=listing.kind == ListingKind.INFORMATION_ONLY,
        brought_forward=listing.brought_forward,
        position=listing.position,
        refusals=agenda.information_only_refusals(facts),
        victim_pregnancy_not_known=facts.victim_pregnant is None,
        victim_is_child=agenda.victim_is_child(facts.victim_age_when_referred),
    )


def _listings(meeting: Meeting, viewer: Any = None) -> Any:
    listings = Listing.objects.filter(meeting=meeting)
    if viewer is not None:  # a restricted case is on the agenda only for those named on it
        listings = listings.filter(visible_given_restrictions(viewer, through="case"))
    return listings.select_related("case__victim", "case__referring_agency", "held_over_from").order_by("id")


def parties_by_case(case_ids: list[int]) -> dict[int, list[ListedParty]]:
    """The listed cases' parties in one query, with what the agenda shows of each person (a name, a date of
    birth): the agenda of a full meeting reads a hundred or more of them, on every case list and live meeting page,
    so as plain values rather than model instances."""
    shown = ("person_id", "person__given_name", "person__family_name", "person__description", "person__date_of_birth")
    rows = CaseParty.objects.filter(case_id__in=case_ids).order_by("id").values_list("case_id", "role", *shown)
    by_case: dict[int, list[ListedParty]] = {case_id: [] for case_id in case_ids}
    for case_id, role, *person in rows:
        by_case[case_id].append(ListedParty(role, ListedPerson(*person)))
    return by_case


def meeting_agenda(*, meeting: Meeting, viewer: Any = None, with_held_over: bool = True) -> Agenda:
    """The cases in hearing order with their slots. Cases held over or transferred are not heard here.
    `with_held_over=False` leaves out the listings this meeting's cases were held over to (the case list and the
    live meeting do not show them)."""
    on = timezone.localtime(meeting.starts_at).date()
    gone = {Outcome.HELD_OVER, Outcome.TRANSFERRED}
    listings = [listing for listing in _listings(meeting, viewer) if listing.outcome not in gone]
    parties = parties_by_case([listing.case_id for listing in listings])
    contents = _referral_contents([case_id for case_id, listed in parties.items() if _with_children(listed)])
    rows = [_row(listing, on, parties[listing.case_id], contents.get(listing.case_id)) for listing in listings]
    slots = agenda.agenda_slots(
        agenda.agenda_order(rows),
        starts_at=meeting.starts_at,
        minutes_per_case=meeting.marac.minutes_per_case,
        minutes_per_information_case=meeting.marac.minutes_per_information_case,
    )
    held_over = (
        list(Listing.objects.filter(held_over_from=meeting).select_related("meeting", "case")) if with_held_over else []
    )
    return Agenda(meeting, slots, agenda.predicted_finish(slots, starts_at=meeting.starts_at), held_over)


def _name(person: Person | ListedPerson) -> str:
    return str(person)


def case_list_rows(agenda_: Agenda) -> list[CaseListRow]:
    rows = []
    for number, slot in enumerate(agenda_.slots, start=1):
        row, case = slot.item, slot.item.listing.case
        rows.append(
            CaseListRow(
                number=number,
                reference=case.reference,
                victim_name=_name(case.victim),
                victim_date_of_birth=case.victim.date_of_birth,
                perpetrators=[_name(person) for person in row.perpetrators],
                children=[(_name(child.person), child.age) for child in row.children],
                referring_agency=case.referring_agency.name,
                repeat=case.is_repeat,
                information_only=row.information_only,
                slot_starts_at=timezone.localtime(slot.starts_at),
            )
        )
    return rows


@dataclass(frozen=True)
class CaseListAdditions:
    """Cases put on the agenda, or taken off it, after the case list went to some of its representatives, who have had
    no list since: as one viewer may know of them (restricted cases only for those named on them)."""

    cases: int  # added
    since: datetime  # when the earliest of those representatives was sent the list
    representatives: int
    removed: int = (
        0  # taken off the list before this one began: held over, moved to an emergency MARAC or taken off the agenda
    )


_NOT_HEARD_HERE = (Outcome.HELD_OVER, Outcome.TRANSFERRED)  # not on this meeting's case list (meeting_agenda)


def _on_case_list(meeting: Meeting) -> Any:
    return Listing.objects.filter(meeting=meeting, listed_at__isnull=False).exclude(outcome__in=_NOT_HEARD_HERE)


@dataclass(frozen=True)
class _ListChange:
    case_id: int
    restricted: bool
    at: datetime
    added: bool  # False: taken off the list


def _list_changes(meeting: Meeting, *, since: datetime, viewer: Any) -> list[_ListChange]:
    """The cases put on the meeting's case list after `since`, and those taken off it before the meeting began: held
    over (the listing at the next meeting says when) or moved to an emergency MARAC (CaseListRemoval), that `viewer`
    may see: every case for None."""
    added = _on_case_list(meeting).filter(listed_at__gt=since)
    held_over = Listing.objects.filter(held_over_from=meeting, listed_at__gt=since, listed_at__lt=meeting.starts_at)
    moved = CaseListRemoval.objects.filter(meeting=meeting, removed_at__gt=since, removed_at__lt=meeting.starts_at)
    changes = []
    for rows, was_added in (
        (added.values_list("case_id", "case__restricted", "listed_at"), True),
        (held_over.values_list("case_id", "case__restricted", "listed_at"), False),
        (moved.values_list("case_id", "case__restricted", "removed_at"), False),
    ):
        if viewer is not None:
            rows = rows.filter(visible_given_restrictions(viewer, through="case"))
        changes += [_ListChange(case_id, restricted, at, was_added) for case_id, restricted, at in rows if at]
    return changes


def _receipts_to_update(
    meeting: Meeting, receipts: Any, *, viewer: Any
) -> list[tuple[CaseListReceipt, list[_ListChange]]]:
    """Of these receipts, those of representatives (still holding a role here) sent the list before a change they
    may see, each with those changes. A restricted case is a change only for those named on it: telling anyone else
    that the list has changed, or counting them, would give away a case hidden from them. `viewer`: only the changes
    they may see count, as they send the update and are told how many it goes to."""
    representatives = {user.pk for user in _recipients(meeting)}
    receipts = [receipt for receipt in receipts if receipt.user_id in representatives]
    if not receipts:
        return []
    changes = _list_changes(meeting, since=min(receipt.sent_at for receipt in receipts), viewer=viewer)
    named: dict[int, set[int]] = {}
    restricted = CaseRestriction.objects.filter(case_id__in=[change.case_id for change in changes if change.restricted])
    for case_id, user_id in restricted.values_list("case_id", "user_id"):
        named.setdefault(case_id, set()).add(user_id)
    due = []
    for receipt in receipts:
        seen = [
            change
            for change in changes
            if change.at > receipt.sent_at
            and (not change.restricted or receipt.user_id in named.get(change.case_id, ()))
        ]
        if seen:
            due.append((receipt, seen))
    return due


def case_list_additions(*, meeting: Meeting, viewer: Any = None) -> CaseListAdditions | None:
    """What the meeting page says once a released case list has changed (BD MARAC List: the list is circulated to
    the representatives, so one that gained or lost a case after it went out goes again). None when nobody holds an
    earlier list. `viewer`: the cases and representatives counted are those of the changes they may see."""
    if meeting_state_if_any(meeting) is None:
        return None
    due = _receipts_to_update(meeting, CaseListReceipt.objects.filter(meeting=meeting), viewer=viewer)
    if not due:
        return None
    changes = {change for _, seen in due for change in seen}
    return CaseListAdditions(
        cases=len({change.case_id for change in changes if change.added}),
        since=min(receipt.sent_at for receipt, _ in due),
        representatives=len(due),
        removed=len({change.case_id for change in changes if not change.added}),
    )


def case_list_receipts(*, meeting: Meeting) -> list[CaseListReceipt]:
    return list(
        CaseListReceipt.objects.filter(meeting=meeting).select_related("user__agency").order_by("user__full_name")
    )


# Writing --------------------------------------------------------------------------------------------------------------


def listing_is_open(listing: Listing) -> bool:
    """A listing can still be changed until it has an outcome (heard, closed, held over, transferred)."""
    return not listing.outcome


def meeting_still_to_start(meeting: Meeting) -> bool:
    """Not started (or closed) early by the chair. Its time may have come: see the callers."""
    return not MeetingState.objects.filter(meeting=meeting).exclude(status=MeetingStatus.SCHEDULED).exists()


def listing_in_use(listing: Listing) -> bool:
    """Anything a meeting holds of the listing that removing it would lose: its hearing begun or settled, research,
    the victim's voice, actions or links to other processes. Such a listing is never deleted (taken off the agenda, or
    moved to an emergency MARAC by referrals.decisions): it is held over or settled at its meeting instead."""
    return (
        listing.started_at is not None
        or bool(listing.outcome)
        or not meeting_still_to_start(listing.meeting)
        or Research.objects.filter(listing=listing).exists()
        or VictimVoice.objects.filter(listing=listing).exists()
        or Action.objects.filter(listing=listing).exists()
        or ProcessLink.objects.filter(listing=listing).exists()
    )


def _locked_listing(listing: Listing) -> Listing:
    current = Listing.objects.select_for_update().select_related("meeting__marac", "case").get(pk=listing.pk)
    if not listing_is_open(current):
        raise AgendaRefused(["This case already has an outcome at this meeting, so its listing cannot change."])
    return current


def _refuse_if_sent_away(listing: Listing) -> None:
    """A case referred to another MARAC is that MARAC's to hear (referrals.jurisdiction): it is not held over or
    brought forward here. Under the case's lock, which case_transfer takes too, so a transfer made at the same moment
    is seen; the listing's lock is taken first, as the live meeting takes them."""
    case = Case.objects.select_for_update().get(pk=listing.case_id)
    if refusal := jurisdiction.case_listing_refusal(case):
        raise AgendaRefused([refusal])


def _save(listing: Listing, *fields: str) -> None:
    listing.version += 1
    listing.save(update_fields=[*fields, "version"])


class EmergencyDayNeedsConfirming(Exception):
    """The emergency MARAC would fall on a weekend, a bank holiday or a closure day, or outside working hours: the
    coordinator confirms, having read which (emergency_rules.emergency_warning)."""


class EmergencyDateRefused(AgendaRefused):
    """The day of the emergency MARAC is not plausible (emergency_rules.emergency_date_error): a typing slip, refused
    whoever calls, with the message the form gives."""


def require_emergency_date_plausible(starts_at: datetime) -> None:
    error = emergency_rules.emergency_date_error(timezone.localtime(starts_at).date(), today=timezone.localdate())
    if error:
        raise EmergencyDateRefused([error])


def require_emergency_day_confirmed(*, marac: Marac, starts_at: datetime, confirmed: bool) -> None:
    """Raises EmergencyDayNeedsConfirming, naming the day, for an emergency MARAC on a day that is not a working
    day, unless the coordinator has confirmed it: calling one from the agenda and listing a referral at one alike.
    An implausible day (EmergencyDateRefused) is refused first, confirmed or not."""
    require_emergency_date_plausible(starts_at)
    if confirmed:
        return
    warning = emergency_rules.emergency_warning(timezone.localtime(starts_at), working_calendar(marac))
    if warning:
        raise EmergencyDayNeedsConfirming(warning)


ORDINARY_MEETING_AT_THAT_TIME = (
    "The ordinary MARAC meets at that time: list the case there, or choose another time for the emergency MARAC."
)


# BD Emergency MARAC: "the case cannot wait until the next scheduled MARAC"; the coordinator calls one. Any day will
# do, but one that is not a working day only once the coordinator has confirmed it (`non_working_day_confirmed`).
def meeting_call_emergency(
    *, marac: Marac, starts_at: datetime, by: Any, non_working_day_confirmed: bool = False
) -> Meeting:
    if starts_at <= timezone.now():
        raise AgendaRefused(["An emergency MARAC must be in the future."])
    require_emergency_day_confirmed(marac=marac, starts_at=starts_at, confirmed=non_working_day_confirmed)
    if is_ordinary_meeting_time(marac=marac, starts_at=starts_at):
        raise AgendaRefused([ORDINARY_MEETING_AT_THAT_TIME])
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(marac=marac, starts_at=starts_at, is_emergency=True)
            MeetingState.objects.create(meeting=meeting)
            audit_record(action=AuditAction.CREATE, obj=meeting, user=by, summary="Called an emergency MARAC")
    except IntegrityError:
        raise AgendaRefused(["There is already a meeting of this MARAC at that time."]) from None
    return meeting


def listing_bring_forward(*, listing: Listing, by: Any) -> Listing:
    """BD MARAC List: a case asked to be heard at the beginning; it goes after any already brought forward."""
    with transaction.atomic():
        current = _locked_listing(listing)
        if current.brought_forward:
            return current
        _refuse_if_sent_away(current)
        taken = Listing.objects.filter(meeting=current.meeting, brought_forward=True).values_list("position", flat=True)
        current.brought_forward, current.position = True, max((p for p in taken if p is not None), default=0) + 1
        _save(current, "brought_forward", "position")
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary="Brought forward on the agenda")
    return current


def listing_send_back(*, listing: Listing, by: Any) -> Listing:
    """Undo bringing a case forward: it goes back to its place by the ordinary order."""
    with transaction.atomic():
        current = _locked_listing(listing)
        current.brought_forward, current.position = False, None
        _save(current, "brought_forward", "position")
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary="Returned to its place on the agenda")
    return current


def _children_of(listing: Listing) -> list[Child]:
    parties = parties_by_case([listing.case_id])[listing.case_id]
    content = _referral_contents([listing.case_id]).get(listing.case_id) if _with_children(parties) else None
    return _children(parties, timezone.localtime(listing.meeting.starts_at).date(), content)


def listing_information_only_refusals(*, listing: Listing) -> list[str]:
    return agenda.information_only_refusals(information_only_facts(listing, _children_of(listing)))


def _capacity(listing: Listing, by: Any) -> agenda.Capacity | None:
    return agenda.information_only_capacity(
        roles=roles_at(by, listing.meeting.marac_id),
        user_id=by.pk,
        chair_id=listing.information_only_decided_by_chair_id,
        coordinator_id=listing.information_only_decided_by_coordinator_id,
    )


def _agree(listing: Listing, capacity: agenda.Capacity, by: Any) -> None:
    if capacity == agenda.Capacity.CHAIR:
        listing.information_only_decided_by_chair = by
    else:
        listing.information_only_decided_by_coordinator = by
    agreed = agenda.information_only_agreed(
        chair_id=listing.information_only_decided_by_chair_id,
        coordinator_id=listing.information_only_decided_by_coordinator_id,
        refusals=[],
    )
    if agreed:
        listing.kind = ListingKind.INFORMATION_ONLY
        Case.objects.filter(pk=listing.case_id).update(
            information_only=True, version=F("version") + 1, updated_at=timezone.now()
        )


def listing_propose_information_only(
    *,
    listing: Listing,
    referrer_view: str,
    referrer_disagrees: bool,
    vulnerable_adult: bool,
    specific_actions_requested: bool,
    by: Any,
) -> list[str]:
    """Record the referrer's view and the facts; where nothing rules it out, record the proposer's agreement.
    Returns the reasons it is refused (empty when the proposal stands). The facts are kept either way."""
    with transaction.atomic():
        current = _locked_listing(listing)
        current.referrer_view, current.referrer_disagrees = referrer_view, referrer_disagrees
        current.vulnerable_adult, current.specific_actions_requested = vulnerable_adult, specific_actions_requested
        refusals = listing_information_only_refusals(listing=current)
        capacity = _capacity(current, by)
        if refusals:  # what was agreed before no longer stands
            current.kind = ListingKind.FULL
            current.information_only_decided_by_chair = current.information_only_decided_by_coordinator = None
        elif capacity is None:
            raise AgendaRefused(["You have already agreed, or your role has nothing left to agree."])
        else:
            _agree(current, capacity, by)
        _save(current, "referrer_view", "referrer_disagrees", "vulnerable_adult", "specific_actions_requested",
              "information_only_decided_by_chair", "information_only_decided_by_coordinator", "kind")  # fmt: skip
        summary = "Information-only listing refused" if refusals else f"Information-only listing agreed by {capacity}"
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary=summary, changes={"refusals": refusals})
    return refusals


def listing_agree_information_only(*, listing: Listing, by: Any) -> Listing:
    """The other side agrees. The rules are checked again, as facts may have changed since the proposal."""
    with transaction.atomic():
        current = _locked_listing(listing)
        refusals = listing_information_only_refusals(listing=current)
        if refusals:
            raise AgendaRefused(refusals)
        capacity = _capacity(current, by)
        if capacity is None:
            raise AgendaRefused(["You have already agreed, or your role has nothing left to agree."])
        _agree(current, capacity, by)
        _save(current, "information_only_decided_by_chair", "information_only_decided_by_coordinator", "kind")
        audit_record(
            action=AuditAction.CHANGE, obj=current, user=by, summary=f"Information-only listing agreed by {capacity}"
        )
    return current


def listing_recheck_information_only(*, listing: Listing, by: Any) -> list[str]:
    """BD Cases for information only: "If once listed in this way a partner agency identifies information which would
    indicate the listing is inappropriate e.g. the presence of children ... the case will be moved on the MARAC agenda
    to be discussed as a full case." Returns the reasons it moved back (empty when it stays as it is)."""
    with transaction.atomic():
        current = Listing.objects.select_for_update().select_related("meeting__marac", "case").get(pk=listing.pk)
        pending = current.information_only_decided_by_chair_id or current.information_only_decided_by_coordinator_id
        if current.kind != ListingKind.INFORMATION_ONLY and not pending:
            return []
        refusals = listing_information_only_refusals(listing=current)
        if not refusals:
            return []
        current.kind = ListingKind.FULL
        current.information_only_decided_by_chair = current.information_only_decided_by_coordinator = None
        _save(current, "kind", "information_only_decided_by_chair", "information_only_decided_by_coordinator")
        Case.objects.filter(pk=current.case_id).update(
            information_only=False, version=F("version") + 1, updated_at=timezone.now()
        )
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary="Moved back to a full case: information only no longer allowed",
            changes={"refusals": refusals},
        )
    return refusals


def _next_meeting(meeting: Meeting) -> Meeting | None:
    after = max(meeting.starts_at, timezone.now())
    meetings_ensure_ahead(marac=meeting.marac, start=timezone.localtime(after).date())
    return (
        Meeting.objects.filter(marac=meeting.marac, starts_at__gt=after, is_emergency=False)
        .order_by("starts_at")
        .first()
    )


# BD Deadlines: "held over to the next MARAC meeting"; the reason is kept with the new listing.
def listing_hold_over(*, listing: Listing, reason: str, by: Any) -> Listing:
    with transaction.atomic():
        current = _locked_listing(listing)
        _refuse_if_sent_away(current)
        target = _next_meeting(current.meeting)
        if target is None:
            raise AgendaRefused(["There is no next meeting of this MARAC scheduled to hold the case over to."])
        if Listing.objects.filter(meeting=target, case=current.case).exists():
            raise AgendaRefused(["This case is already listed at the next meeting."])
        held = Listing.objects.create(
            meeting=target,
            case=current.case,
            kind=current.kind,
            held_over_from=current.meeting,
            held_over_reason=reason,
            information_only_decided_by_chair=current.information_only_decided_by_chair,
            information_only_decided_by_coordinator=current.information_only_decided_by_coordinator,
            referrer_view=current.referrer_view,
            referrer_disagrees=current.referrer_disagrees,
            specific_actions_requested=current.specific_actions_requested,
            vulnerable_adult=current.vulnerable_adult,
        )
        current.outcome = Outcome.HELD_OVER
        _save(current, "outcome")
        audit_record(action=AuditAction.CHANGE, obj=current, user=by, summary=f"Held over to meeting {target.pk}")
        audit_record(
            action=AuditAction.CREATE, obj=held, user=by, summary=f"Held over from meeting {current.meeting_id}"
        )
    return held


def listings_delete_moved(*, listings: list[Listing]) -> None:
    """Delete the listings of a case moved to an emergency MARAC (referrals.decisions), in the caller's transaction
    and under its audit entry. Each takes the case off its meeting's case list, which is recorded (CaseListRemoval)
    so that those who were sent that list are told it changed, as they are of a case held over. A listing made before
    listed_at was kept was on its case list all the same, so it is recorded too."""
    with transaction.atomic():
        CaseListRemoval.objects.bulk_create(
            CaseListRemoval(meeting_id=listing.meeting_id, case_id=listing.case_id) for listing in listings
        )
        Listing.objects.filter(pk__in=[listing.pk for listing in listings]).delete()


MEETING_STARTED = "This meeting has started, so its cases can no longer be taken off its agenda."
LISTING_IN_USE = (
    "Agencies have recorded research, the victim's voice, actions or links to other processes for this case at this "
    "meeting, so it cannot be taken off the agenda. Hold it over, or hear it and record its outcome."
)


def listing_removal_refusal(listing: Listing) -> str | None:
    """Why the listing cannot be taken off its meeting's agenda now; None when it can (see listing_in_use)."""
    if listing.outcome:
        return "This case already has an outcome at this meeting, so it cannot be taken off the agenda."
    if listing.meeting.starts_at <= timezone.now() or not meeting_still_to_start(listing.meeting):
        return MEETING_STARTED
    if listing_in_use(listing):
        return LISTING_IN_USE
    return None


def listing_take_off_agenda(*, listing: Listing, reason: str, by: Any) -> None:
    """Take a case off the agenda of a meeting still to come (a victim who moved away for good, to be referred to their
    new MARAC), with the reason in the audit entry. The listing is deleted, as one moved to an emergency MARAC is, so
    the case leaves the case list and those sent it are told it changed (CaseListRemoval). A case listed nowhere else
    still to come goes back to "Referred", as one left unheard at a meeting does: it can be listed again or sent on."""
    with transaction.atomic():
        current = Listing.objects.select_for_update().select_related("meeting", "case").filter(pk=listing.pk).first()
        if current is None:
            raise AgendaRefused(["This case has already been taken off this meeting's agenda."])
        if refusal := listing_removal_refusal(current):
            raise AgendaRefused([refusal])
        case = Case.objects.select_for_update().get(pk=current.case_id)
        listings_delete_moved(listings=[current])
        status = _status_once_off_agenda(case, current.meeting)
        # On the case, as the listing is gone: the case's history says when and why it left the meeting.
        audit_record(
            action=AuditAction.CHANGE,
            obj=case,
            marac_id=case.marac_id,
            user=by,
            summary=f"Case {case.pk} taken off the agenda of meeting {current.meeting_id}",
            changes={"listing_removed": current.pk, "reason": reason, "status": status},
        )


def _status_once_off_agenda(case: Case, meeting: Meeting) -> dict[str, str] | None:
    """The case goes back to "Referred" unless it is listed at another meeting still to come; the referral no longer
    names this meeting as the one it is to be heard at. Returns the status change, if any, for the audit entry."""
    Referral.objects.filter(case=case, meeting=meeting).update(
        meeting=None, listing_explanation="", version=F("version") + 1, updated_at=timezone.now()
    )
    still_listed = (
        Listing.objects.filter(case=case, outcome="", meeting__starts_at__gt=timezone.now())
        .exclude(meeting=meeting)
        .exists()
    )
    if case.status != CaseStatus.LISTED or still_listed:
        return None
    case.status = CaseStatus.REFERRED
    case.version += 1
    case.save(update_fields=["status", "version", "updated_at"])
    return {"from": CaseStatus.LISTED.value, "to": CaseStatus.REFERRED.value}


def case_list_is_due(*, meeting: Meeting, now: datetime) -> bool:
    """BD MARAC List: "circulated after 12 noon five working days before the meeting". An emergency MARAC cannot keep
    to that, so its list may go whenever the coordinator has it ready."""
    return meeting.is_emergency or now >= case_list_release_time(meeting)


def _recipients(meeting: Meeting) -> list[User]:
    """The representatives of this MARAC: everyone holding a case role here, and nobody else."""
    return list(
        User.objects.filter(
            Q(role_grants__marac=meeting.marac, role_grants__role__in=[Role(role).value for role in CASE_ROLES]),
            is_active=True,
        ).distinct()
    )


def _tell_recipient(meeting: Meeting, user: User, *, changed: bool = False) -> None:
    """No names, no references, no number of cases: only that there is something to see (the list, or the list
    changed since it was sent to them), and where."""
    day = calendar.format_day(timezone.localtime(meeting.starts_at).date())
    link = site_link("meetings_agenda:case_list", meeting.pk)
    news = "has changed since it was sent to you" if changed else "is ready"
    send_one(
        subject=f"OpenMARAC: a MARAC case list {'has changed' if changed else 'is ready'}",
        message=f"The case list for the MARAC meeting on {day} {news}. Sign in to see it:\n\n{link}\n",
        address=user.email,
    )


def case_list_release(*, meeting: Meeting, by: Any, now: datetime | None = None) -> list[CaseListReceipt]:
    """Send the case list to the representatives who have not had it. Information-only listings are checked again
    first, so the list that goes out is right. Returns the receipts made now."""
    now = now or timezone.now()
    _refuse_if_closed(meeting, done="released")
    if not case_list_is_due(meeting=meeting, now=now):
        due = calendar.format_moment(case_list_release_time(meeting))
        raise AgendaRefused([f"The case list cannot be released before {due}, five working days before the meeting."])
    for listing in Listing.objects.filter(meeting=meeting, outcome=""):
        listing_recheck_information_only(listing=listing, by=by)
    with transaction.atomic():
        state = meeting_state(meeting)
        state = MeetingState.objects.select_for_update().get(pk=state.pk)
        already = set(CaseListReceipt.objects.filter(meeting=meeting).values_list("user_id", flat=True))
        made = [
            CaseListReceipt.objects.create(meeting=meeting, user=user, sent_at=now)
            for user in _recipients(meeting)
            if user.pk not in already
        ]
        if state.case_list_released_at is None:
            state.case_list_released_at = now
        state.version += 1
        state.save(update_fields=["case_list_released_at", "version"])
        audit_record(
            action=AuditAction.CHANGE,
            obj=meeting,
            user=by,
            summary=f"Released the case list to {len(made)} representatives",
            changes={"recipients": [receipt.user_id for receipt in made]},
        )
        for receipt in made:
            transaction.on_commit(functools.partial(_tell_recipient, meeting, receipt.user))
    return made


def _refuse_if_closed(meeting: Meeting, *, done: str) -> None:
    """A closed meeting's case list is what it was: "This meeting has closed, so its case list can no longer be
    <done>"."""
    if MeetingState.objects.filter(meeting=meeting, status=MeetingStatus.CLOSED).exists():
        raise AgendaRefused([f"This meeting has closed, so its case list can no longer be {done}."])


def case_list_send_update(*, meeting: Meeting, by: Any, now: datetime | None = None) -> list[CaseListReceipt]:
    """Send the case list again to the representatives who had it before a case was added to it or taken off it
    (and still hold a role here), each only if they and `by` may see that case (_receipts_to_update). Their receipts
    say when they were last sent it, and that they have not opened this one yet. Returns the receipts sent now; empty
    when there was nobody to send it to."""
    now = now or timezone.now()
    _refuse_if_closed(meeting, done="sent")
    if not case_list_released(meeting):
        raise AgendaRefused(["The case list has not been released yet: release it first."])
    for listing in Listing.objects.filter(meeting=meeting, outcome=""):
        listing_recheck_information_only(listing=listing, by=by)
    with transaction.atomic():
        state = MeetingState.objects.select_for_update().get(meeting=meeting)  # one send at a time
        receipts = (
            CaseListReceipt.objects.filter(meeting=meeting).select_related("user").select_for_update(of=("self",))
        )
        due = _receipts_to_update(meeting, receipts.order_by("id"), viewer=by)
        for receipt, _ in due:
            receipt.sent_at, receipt.opened_at = now, None
            receipt.save(update_fields=["sent_at", "opened_at"])
            transaction.on_commit(functools.partial(_tell_recipient, meeting, receipt.user, changed=True))
        state.version += 1
        state.save(update_fields=["version"])
        _audit_update_sent(meeting, due, by=by)
    return [receipt for receipt, _ in due]


def _audit_update_sent(meeting: Meeting, due: list[tuple[CaseListReceipt, list[_ListChange]]], *, by: Any) -> None:
    """Who was sent the update, in the meeting's entry if a case anyone may see changed for them; a representative
    sent it for restricted cases alone goes in an entry about each such case, which only those named on it see, as
    the meeting's entry would tell everyone reading the trail that a hidden case changed the list."""
    open_ = [receipt.user_id for receipt, seen in due if any(not change.restricted for change in seen)]
    if open_ or not due:
        audit_record(
            action=AuditAction.CHANGE,
            obj=meeting,
            user=by,
            summary=f"Sent the changed case list to {len(open_)} representatives",
            changes={"recipients": open_},
        )
    by_case: dict[int, list[int]] = {}
    for receipt, seen in due:
        if receipt.user_id not in open_:
            for change in seen:
                by_case.setdefault(change.case_id, []).append(receipt.user_id)
    for case_id, user_ids in sorted(by_case.items()):
        audit_record(
            action=AuditAction.CHANGE,
            object_type="cases.case",
            object_id=str(case_id),
            marac_id=meeting.marac_id,
            user=by,
            summary=f"Sent the changed case list of meeting {meeting.pk} to {len(user_ids)} representatives "
            "named on this restricted case",
            changes={"recipients": user_ids},
        )


def case_ids_on(agenda_: Agenda) -> list[int]:
    """The cases a case list made from the agenda shows, in its order."""
    return [slot.item.listing.case_id for slot in agenda_.slots]


def case_list_opened(*, meeting: Meeting, user: Any, case_ids: list[int], as_document: bool = False) -> None:
    """Record the first time a recipient opens the list (on the page or as a Word document), and every opening in
    the audit trail: the meeting's entry, and one for each case shown, so that "who has seen this case" (the case's
    own trail, a subject access export) includes it."""
    action = AuditAction.EXPORT if as_document else AuditAction.VIEW
    how = "Downloaded the case list as a Word document" if as_document else "Opened the case list"
    with transaction.atomic():
        CaseListReceipt.objects.filter(meeting=meeting, user=user, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )
        audit_record(action=action, obj=meeting, user=user, summary=how)
        audit_cases_seen(case_ids=case_ids, action=action, user=user, summary=f"{how} of meeting {meeting.pk}")
