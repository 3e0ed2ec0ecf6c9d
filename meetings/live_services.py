"""The conference itself (BD The MARAC meeting; Observers; Action planning): the register and the confidentiality
agreement, starting and closing the meeting, one case at a time with its minute, outcome and links to other
processes. Every write is audited in the same transaction; summaries name ids and fields, never what was typed."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.permissions import CASE_ROLES, roles_at
from actions.models import Action
from actions.services import action_record, standard_actions_create
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseParty, CaseStatus, PartyRole
from cases.restriction import visible_given_restrictions
from marac.models import Agency, MaracAgency
from meetings import live_rules
from meetings.agenda_services import AgendaRefused, listing_hold_over, meeting_agenda
from meetings.models import (
    AgreementAfterClose,
    Attendance,
    AttendanceCapacity,
    Listing,
    Meeting,
    MeetingState,
    MeetingStatus,
    Outcome,
    ProcessLink,
    Research,
)
from referrals import jurisdiction


class LiveRefused(Exception):
    """A step the rules do not allow; the message says why, in words for the page."""


class MeetingClosed(LiveRefused):
    """A write on a meeting that has closed: its live pages are read-only."""


class MeetingNotStarted(LiveRefused):
    """A write of the meeting's record (a minute, an action, an outcome, a link) before the chair has started it."""


class StaleMinute(Exception):
    """Someone saved the minute first. Carries the listing as saved now, so the page can show both versions."""

    def __init__(self, current: Listing) -> None:
        super().__init__("Someone else saved this minute first")
        self.current = current


class StaleOutcome(LiveRefused):
    """Someone recorded a different outcome first. Carries the listing as saved now, so the page can name it."""

    def __init__(self, current: Listing, chosen: str) -> None:
        now = current.get_outcome_display() if current.outcome else "no outcome"
        yours = Outcome(chosen).label
        super().__init__(
            f"Someone else recorded the outcome \u201c{now}\u201d for this case while you had the page open. "
            f"Your choice, \u201c{yours}\u201d, has not been saved: record it again if the outcome should change."
        )
        self.current = current


# --- Reading --------------------------------------------------------------------------------------------------------


def _ordered(meeting: Meeting, viewer: Any = None) -> list[Listing]:
    # THE ONE PLACE the live meeting takes its hearing order: the agenda's own rule (children and pregnant victims
    # first, information-only last; held-over and transferred cases are not heard). Swap here if the agenda changes.
    return [slot.item.listing for slot in meeting_agenda(meeting=meeting, viewer=viewer, with_held_over=False).slots]


def listings_in_order(meeting: Meeting, viewer: Any = None) -> list[Listing]:
    ordered = _ordered(meeting, viewer)
    # A case transferred during the meeting leaves the agenda's order but was heard here: keep it on the list.
    shown = {listing.pk for listing in ordered}
    heard = Listing.objects.filter(meeting=meeting, started_at__isnull=False).exclude(pk__in=shown)
    if viewer is not None:
        heard = heard.filter(visible_given_restrictions(viewer, through="case"))
    # Only what the live meeting's list shows of them (its other listings come whole from the agenda).
    heard = heard.select_related("case").only("kind", "started_at", "ended_at", "outcome", "case__reference")
    return ordered + list(heard.order_by("started_at"))


@dataclass(frozen=True)
class HeldOver:
    listing: Listing  # the case's listing at this meeting (its outcome: held over)
    to: Meeting  # the meeting it was held over to


def held_over(meeting: Meeting, viewer: Any = None) -> list[HeldOver]:
    """The cases this meeting held over (at its close, or before it), each with the meeting it went to, in the
    order they were held over; restricted ones left out for a viewer not named on them."""
    later = Listing.objects.filter(held_over_from=meeting).select_related("meeting")
    if viewer is not None:
        later = later.filter(visible_given_restrictions(viewer, through="case"))
    to_by_case = {listing.case_id: listing.meeting for listing in later.order_by("id")}
    here = Listing.objects.filter(meeting=meeting, outcome=Outcome.HELD_OVER, case_id__in=to_by_case)
    here = here.select_related("case").only("kind", "outcome", "started_at", "ended_at", "case__reference")
    return [HeldOver(listing=listing, to=to_by_case[listing.case_id]) for listing in here.order_by("id")]


def next_listing(meeting: Meeting, current: Listing, viewer: Any) -> Listing | None:
    """The first case in hearing order, after or before this one, that has not been heard yet and that the viewer may
    see: a restricted case is heard by those named on it, never opened in the name of someone who may not see it."""
    waiting = [
        listing for listing in _ordered(meeting, viewer) if listing.pk != current.pk and listing.ended_at is None
    ]
    return waiting[0] if waiting else None


def state_of(meeting: Meeting) -> MeetingState:
    state, _ = MeetingState.objects.get_or_create(meeting=meeting)
    return state


def meeting_is_running(state: MeetingState) -> bool:
    return state.status == MeetingStatus.IN_PROGRESS


# The live pages ask two things on every request; each is one statement written out once, rather than built by the
# ORM each time (building and compiling the subqueries cost more than the queries they saved).
def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


# Each core agency of the MARAC, with what the register says of it at the meeting: someone present (as
# representative or deputy), or a written submission on the register or sent with the research for any of its cases.
_CORE_AGENCIES_SQL = f"""
    SELECT core.agency_id, agency.name,
        EXISTS (SELECT 1 FROM {_table(Attendance)} attendance
                WHERE attendance.meeting_id = %(meeting)s AND attendance.agency_id = core.agency_id
                AND attendance.present AND attendance.capacity NOT IN (%(written)s, %(observer)s)),
        EXISTS (SELECT 1 FROM {_table(Attendance)} attendance
                WHERE attendance.meeting_id = %(meeting)s AND attendance.agency_id = core.agency_id
                AND attendance.capacity = %(written)s)
        OR EXISTS (SELECT 1 FROM {_table(Research)} research
                   INNER JOIN {_table(Listing)} listing ON listing.id = research.listing_id
                   WHERE listing.meeting_id = %(meeting)s AND research.agency_id = core.agency_id
                   AND research.is_written_submission)
    FROM {_table(MaracAgency)} core INNER JOIN {_table(Agency)} agency ON agency.id = core.agency_id
    WHERE core.marac_id = %(marac)s AND core.is_core
    ORDER BY agency.name
"""  # noqa: S608 - fixed table names; every value is a parameter

# Whether the user signed the meeting's confidentiality agreement (on the register, or after the meeting closed: as
# confidentiality.has_signed), and how many children are on the listed case.
_LISTING_FACTS_SQL = f"""
    SELECT EXISTS (SELECT 1 FROM {_table(Attendance)}
                   WHERE meeting_id = %(meeting)s AND user_id = %(user)s AND confidentiality_signed_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM {_table(AgreementAfterClose)} WHERE meeting_id = %(meeting)s AND user_id = %(user)s),
        (SELECT COUNT(*) FROM {_table(CaseParty)} WHERE case_id = %(case)s AND role = %(child)s)
"""  # noqa: S608 - fixed table names; every value is a parameter


def core_agencies_missing(meeting: Meeting) -> list[str]:
    """The core agencies with no one present and no written submission (the rule: live_rules). The register's
    other agencies cannot change which core agencies are missing, so only the core agencies' entries are read."""
    params: dict[str, int | str] = {
        "meeting": meeting.pk,
        "marac": meeting.marac_id,
        "written": str(AttendanceCapacity.WRITTEN_SUBMISSION),
        "observer": str(AttendanceCapacity.OBSERVER),
    }
    with connection.cursor() as cursor:
        cursor.execute(_CORE_AGENCIES_SQL, params)
        rows = cursor.fetchall()
    return live_rules.core_agencies_missing(
        core_agencies=[(agency_id, name) for agency_id, name, _, _ in rows],
        register=[
            live_rules.RegisterEntry(agency_id=agency_id, present=bool(present), written_submission=bool(written))
            for agency_id, _, present, written in rows
        ],
    )


@dataclass(frozen=True)
class ListingFacts:
    signed: bool  # the viewer has signed this meeting's confidentiality agreement
    children: int  # children on the listed case


def listing_facts(listing: Listing, user: Any) -> ListingFacts:
    """Two questions the live case page asks, in one statement: has the viewer signed the confidentiality agreement
    (confidentiality.has_signed: asked before anything of the case is shown) and how many children are on the case
    (children_count)."""
    params = {"meeting": listing.meeting_id, "user": user.pk, "case": listing.case_id, "child": PartyRole.CHILD.value}
    with connection.cursor() as cursor:
        cursor.execute(_LISTING_FACTS_SQL, params)
        signed, children = cursor.fetchone()
    return ListingFacts(signed=bool(signed), children=children)


def children_count(listing: Listing) -> int:
    return listing.case.parties.filter(role=PartyRole.CHILD).count()


def plan_warnings(listing: Listing) -> list[str]:
    for_whom = set(Action.objects.filter(listing=listing).values_list("for_whom", flat=True))
    return live_rules.plan_warnings(for_whom=for_whom, children=children_count(listing))


def timer_for(listing: Listing) -> live_rules.Timer | None:
    marac = listing.meeting.marac
    slot = live_rules.slot_minutes(
        information_only=listing.kind == "information_only",
        minutes_per_case=marac.minutes_per_case,
        minutes_per_information_case=marac.minutes_per_information_case,
    )
    # A discussion that has ended is timed to its end: how long it took, not how long ago it began.
    return live_rules.case_timer(started_at=listing.started_at, slot=slot, now=listing.ended_at or timezone.now())


# --- The register and the confidentiality agreement -----------------------------------------------------------------


def attendance_record(
    *, meeting: Meeting, agency: Agency, user: Any, capacity: str, present: bool, by: Any
) -> Attendance:
    """A line of the register: who came for which agency, as representative or deputy, or a written submission."""
    if capacity == AttendanceCapacity.OBSERVER:
        raise LiveRefused("Add observers with the observer form.")
    with transaction.atomic():
        # The meeting's state first (the lock order of every live write): two people adding the same person at the
        # same moment add them once.
        _locked_state(meeting)
        refusal = register_refusal(meeting, user=user, agency=agency) if user is not None else None
        if refusal:
            raise LiveRefused(refusal)
        row = Attendance.objects.create(
            meeting=meeting,
            agency=agency,
            user=user,
            capacity=capacity,
            present=present and capacity != AttendanceCapacity.WRITTEN_SUBMISSION,
        )
        _audit(row, by, AuditAction.CREATE, f"Added agency {agency.pk} to the register as {capacity}")
    return row


def attendance_mark(*, attendance: Attendance, present: bool, by: Any) -> Attendance:
    with transaction.atomic():
        row = Attendance.objects.select_for_update().get(pk=attendance.pk)
        row.present = present
        row.save(update_fields=["present"])
        _audit(row, by, AuditAction.CHANGE, "Marked present" if present else "Marked as apologies")
    return row


def observer_add(*, meeting: Meeting, name: str, organisation: str, by: Any) -> Attendance:
    """An observer the coordinator agreed to before the meeting; refused past the limit."""
    with transaction.atomic():
        # Locking the meeting's state serialises two people adding the second observer at the same moment.
        state = MeetingState.objects.select_for_update().get(pk=state_of(meeting).pk)
        observers = meeting.attendance.filter(capacity=AttendanceCapacity.OBSERVER).count()
        refusal = live_rules.observer_refusal(
            observers_so_far=observers, meeting_started=state.status != MeetingStatus.SCHEDULED
        )
        if refusal:
            raise LiveRefused(refusal)
        row = Attendance.objects.create(
            meeting=meeting,
            capacity=AttendanceCapacity.OBSERVER,
            observer_name=name,
            observer_organisation=organisation,
            observer_approved_by=by,
        )
        _audit(row, by, AuditAction.CREATE, "Agreed an observer for the meeting")
    return row


def observer_remove(*, attendance: Attendance, by: Any) -> None:
    """An observer agreed in error comes off the register, freeing their place; only before the meeting starts, as
    they are only agreed before it starts (live_rules.observer_refusal): after that the register is the record."""
    with transaction.atomic():
        # The meeting's state first (the lock order of every live write): a start landing now waits for this.
        state = MeetingState.objects.select_for_update().get(pk=state_of(attendance.meeting).pk)
        row = Attendance.objects.select_for_update().filter(pk=attendance.pk).first()
        if row is None:
            return
        if row.capacity != AttendanceCapacity.OBSERVER:
            raise LiveRefused("Only an observer can be removed from the register.")
        if state.status != MeetingStatus.SCHEDULED:
            raise LiveRefused("The meeting has started, so the observers on its register stay on it.")
        _audit(row, by, AuditAction.DELETE, f"Removed observer {row.pk} from the register")
        row.delete()


def observer_signature_record(*, attendance: Attendance, by: Any) -> Attendance:
    """Observers have no accounts: the coordinator records that they signed the agreement in person."""
    with transaction.atomic():
        row = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if row.capacity != AttendanceCapacity.OBSERVER:
            raise LiveRefused("Only an observer's signature is recorded for them; everyone else signs in the app.")
        if row.confidentiality_signed_at is None:
            row.confidentiality_signed_at = timezone.now()
            row.save(update_fields=["confidentiality_signed_at"])
            _audit(row, by, AuditAction.CHANGE, "Recorded an observer's signed confidentiality agreement")
    return row


def _capacity_for(user: Any, meeting: Meeting) -> str:
    membership = MaracAgency.objects.filter(marac_id=meeting.marac_id, agency_id=user.agency_id).first()
    if membership and membership.deputies.filter(pk=user.pk).exists() and membership.representative_id != user.pk:
        return AttendanceCapacity.DEPUTY
    return AttendanceCapacity.REPRESENTATIVE


def confidentiality_sign(*, meeting: Meeting, user: Any) -> Attendance | AgreementAfterClose:
    """BD Information shared at the MARAC: everyone signs the confidentiality agreement at each meeting. Signing
    before or during the meeting puts the person on the register as present, if the coordinator had not already.
    Signing after it has closed only lets them read it (_sign_after_close): the register is left as it was."""
    if not roles_at(user, meeting.marac_id) & CASE_ROLES:
        raise LiveRefused("Only people with a role at this MARAC can sign its confidentiality agreement.")
    with transaction.atomic():
        # The meeting's state first (the lock order of every live write), so a signature and the close never cross:
        # one made as the meeting closes is either on the register before the close or kept apart after it.
        if live_rules.meeting_is_closed(_locked_state(meeting).status):
            return _sign_after_close(meeting, user)
        row = Attendance.objects.select_for_update().filter(meeting=meeting, user=user).first()
        if row is None:
            capacity = _capacity_for(user, meeting)
            row = Attendance(meeting=meeting, user=user, agency_id=user.agency_id, capacity=capacity)
        if row.confidentiality_signed_at is None:
            row.confidentiality_signed_at = timezone.now()
            row.present = True
            row.save()
            _audit(row, user, AuditAction.CHANGE, "Signed the confidentiality agreement for the meeting")
    return row


def _sign_after_close(meeting: Meeting, user: Any) -> Attendance | AgreementAfterClose:
    """Someone reading a closed meeting's minutes (a representative who was not there, a chair amending them): when
    and by whom is recorded and audited, and nothing on the register changes, neither a line of their own nor,
    if they had one (they attended, or sent apologies), that line. Signing again changes nothing."""
    signed = Attendance.objects.filter(meeting=meeting, user=user, confidentiality_signed_at__isnull=False).first()
    if signed is not None:  # signed at the meeting
        return signed
    agreement, created = AgreementAfterClose.objects.get_or_create(
        meeting=meeting, user=user, defaults={"signed_at": timezone.now()}
    )
    if created:
        summary = f"Signed the confidentiality agreement after meeting {meeting.pk} closed; register unchanged"
        _audit(agreement, user, AuditAction.CREATE, summary)
    return agreement


def register_refusal(meeting: Meeting, *, user: Any, agency: Any) -> str | None:
    """Why `user` may not be put on the meeting's register for `agency` (live_rules.register_refusal), or None: read
    by the register form, and again by attendance_record under the meeting's lock."""
    their_agency = user.agency
    return live_rules.register_refusal(
        person_agency_id=their_agency.pk if their_agency is not None else None,
        person_agency_name=their_agency.name if their_agency is not None else "",
        agency_id=agency.pk,
        already_on_register=Attendance.objects.filter(meeting=meeting, user=user).exists(),
    )


def register_lines(meeting: Meeting) -> QuerySet[Attendance]:
    """The register's lines, observers apart, each with `signed_after_close_at`: when that person signed the
    agreement after the meeting closed, for a line the coordinator added after the close. The register page shows it
    as what it is; it is never the line's signature at the meeting (`confidentiality_signed_at`) nor attendance."""
    after_close = AgreementAfterClose.objects.filter(meeting=OuterRef("meeting"), user=OuterRef("user"))
    lines = meeting.attendance.exclude(capacity=AttendanceCapacity.OBSERVER).select_related("agency", "user")
    lines = lines.annotate(signed_after_close_at=Subquery(after_close.values("signed_at")[:1]))
    return lines.order_by("agency__name", "id")


def _register_line(row: Attendance) -> live_rules.RegisterLine:
    if row.capacity == AttendanceCapacity.OBSERVER:
        agency, name = f"{row.observer_organisation} (observer)", row.observer_name
    else:
        owner = row.agency or (row.user.agency if row.user is not None else None)
        agency, name = (owner.name if owner else ""), (row.user.full_name if row.user is not None else "")
    return live_rules.RegisterLine(
        agency=agency,
        name=name,
        present=row.present,
        signed=row.confidentiality_signed_at is not None,
        written_submission=row.capacity == AttendanceCapacity.WRITTEN_SUBMISSION,
    )


def present_without_agreement(meeting: Meeting) -> list[live_rules.RegisterLine]:
    """Everyone marked present on the register, observers included, who has not signed the meeting's confidentiality
    agreement (live_rules.present_without_agreement), by agency (or an observer's organisation) and name."""
    rows = meeting.attendance.select_related("agency", "user__agency").order_by("agency__name", "id")
    return live_rules.present_without_agreement([_register_line(row) for row in rows])


def agreements_after_close(meeting: Meeting) -> Sequence[AgreementAfterClose]:
    """Who signed to read the meeting after it closed, first signed first: shown beside the register, not on it."""
    return list(meeting.agreements_after_close.select_related("user__agency").order_by("signed_at", "id"))


# --- Running the meeting --------------------------------------------------------------------------------------------


def _locked_state(meeting: Meeting) -> MeetingState:
    return MeetingState.objects.select_for_update().get(pk=state_of(meeting).pk)


def _require_not_closed(meeting: Meeting) -> MeetingState:
    """The guard of every write through the live pages, taken under the meeting state's row lock: closing the
    meeting takes the same lock, so a minute saved as the chair closes lands either before the close or not at all.
    Lock order everywhere: the meeting's state, then the listing, then the case."""
    state = _locked_state(meeting)
    if live_rules.meeting_is_closed(state.status):
        raise MeetingClosed(live_rules.CLOSED_MEETING_REFUSAL)
    return state


class StartNeedsConfirming(Exception):
    """The meeting is not scheduled for today: the chair confirms, having read when it is scheduled."""


class UnheardCases(Exception):
    """Cases the meeting has not heard: the chair says what happens to each before the meeting closes."""

    def __init__(self, listings: list[Listing]) -> None:
        super().__init__(f"{len(listings)} listed cases have not been heard")
        self.listings = listings


class CasesWithoutOutcome(Exception):
    """Cases heard at the meeting with no outcome recorded: the chair records each one (on its page, or in the close
    form) before the meeting closes, rather than the case being left "Heard" with no decision."""

    def __init__(self, listings: list[Listing]) -> None:
        super().__init__(f"{len(listings)} cases heard have no outcome")
        self.listings = listings


def meeting_start(*, meeting: Meeting, by: Any, other_day_confirmed: bool = False) -> MeetingState:
    """Start the meeting: refused until its case list has been released; on any day but its own, only once the
    chair has confirmed (StartNeedsConfirming carries the words naming the day it is scheduled for)."""
    with transaction.atomic():
        state = _require_not_closed(meeting)
        if state.status != MeetingStatus.SCHEDULED:
            raise LiveRefused("This meeting has already started.")
        refusal = live_rules.meeting_start_refusal(case_list_released=state.case_list_released_at is not None)
        if refusal:
            raise LiveRefused(refusal)
        warning = live_rules.meeting_start_warning(
            scheduled_day=timezone.localtime(meeting.starts_at).date(), today=timezone.localdate()
        )
        if warning and not other_day_confirmed:
            raise StartNeedsConfirming(warning)
        _set_status(state, MeetingStatus.IN_PROGRESS, by)
    return state


def unheard_listings(meeting: Meeting, viewer: Any = None) -> list[Listing]:
    """The cases on the agenda never opened and with no outcome, in hearing order; restricted ones left out for a
    viewer not named on them (None: every one)."""
    unheard = [
        listing
        for listing in _ordered(meeting)
        if live_rules.listing_is_unheard(started_at=listing.started_at, outcome=listing.outcome)
    ]
    return _seen_by(viewer, unheard)


def listings_without_outcome(meeting: Meeting, viewer: Any = None) -> list[Listing]:
    """The cases opened at the meeting with no outcome recorded, in the order they were opened; restricted ones left
    out for a viewer not named on them (None: every one)."""
    heard = Listing.objects.filter(meeting=meeting, started_at__isnull=False).select_related("case")
    undecided = [
        listing
        for listing in heard.order_by("started_at", "id")
        if live_rules.listing_needs_outcome(started_at=listing.started_at, outcome=listing.outcome)
    ]
    return _seen_by(viewer, undecided)


def _seen_by(viewer: Any, listings: list[Listing]) -> list[Listing]:
    if viewer is None or not any(listing.case.restricted for listing in listings):
        return listings
    seen = Listing.objects.filter(pk__in=[listing.pk for listing in listings])
    seen_ids = set(seen.filter(visible_given_restrictions(viewer, through="case")).values_list("pk", flat=True))
    return [listing for listing in listings if listing.pk in seen_ids]


def needs_outcome(listing: Listing) -> bool:
    """Whether the case, as saved now, was heard and has no outcome yet."""
    current = Listing.objects.only("started_at", "outcome").get(pk=listing.pk)
    return live_rules.listing_needs_outcome(started_at=current.started_at, outcome=current.outcome)


def meeting_close(
    *,
    meeting: Meeting,
    by: Any,
    choices: Mapping[int, str] | None = None,
    reason: str = "",
    outcomes: Mapping[int, str] | None = None,
    hidden_choice: str = live_rules.HOLD_OVER,
) -> MeetingState:
    """Close the meeting. Any case not heard needs a choice (`choices`, by listing id: hold it over to the next
    meeting, or leave it unheard) and a reason; without a choice for every one, UnheardCases lists them. Any case
    heard with no outcome needs one (`outcomes`, by listing id: review, closed or transferred); without one for
    every such case, CasesWithoutOutcome lists them. Holding over, leaving unheard, recording the outcomes and
    closing happen together or not at all.

    Only the cases `by` may see are asked about, listed or counted: a restricted case they are not named on never
    changes what they are told, nor stops the close. Not heard, it is settled as `hidden_choice` says (the choice
    made for all the cases not heard; hold over when there was none), with the reason given or, when none was
    asked for, that the meeting closed before it was heard; one that cannot be held over is left unheard. Heard
    with no outcome, it is kept open for review."""
    with transaction.atomic():
        state = _require_not_closed(meeting)
        if not meeting_is_running(state):
            raise LiveRefused("Only a meeting in progress can be closed.")
        everything_unheard = unheard_listings(meeting)
        unheard = _seen_by(by, everything_unheard)
        # The choices must be for exactly the cases unheard now: a case opened since the page was shown is heard.
        if unheard and (choices is None or set(choices) != {listing.pk for listing in unheard}):
            raise UnheardCases(unheard)
        # Likewise the outcomes: one recorded on the case's own page since the close page was shown is not asked for.
        everything_undecided = listings_without_outcome(meeting)
        undecided = _seen_by(by, everything_undecided)
        if undecided and (outcomes is None or set(outcomes) != {listing.pk for listing in undecided}):
            raise CasesWithoutOutcome(undecided)
        if unheard and not reason.strip():
            raise LiveRefused("Enter why the cases were not heard.")
        for listing in unheard:
            _settle_unheard(listing, (choices or {})[listing.pk], reason.strip(), by)
        for listing in everything_unheard:
            if listing not in unheard:
                _settle_hidden_unheard(listing, hidden_choice, reason.strip() or live_rules.CLOSED_BEFORE_HEARD, by)
        for listing in everything_undecided:
            _outcome_at_close(listing, (outcomes or {}).get(listing.pk, Outcome.REVIEW), by)
        _set_status(state, MeetingStatus.CLOSED, by)
        # A case still open when the meeting closes ends with it.
        Listing.objects.filter(meeting=meeting, started_at__isnull=False, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        # Every case heard is "Heard" by now (most became so as the meeting moved on from them); this catches the
        # one still open at the close.
        meeting_cases_heard(meeting=meeting, by=by)
    return state


def _outcome_at_close(listing: Listing, outcome: str, by: Any) -> None:
    if outcome not in live_rules.OUTCOMES_AT_HEARING:
        raise LiveRefused(f"Choose the outcome of case {listing.case.reference}: review, closed or transferred.")
    outcome_record(listing=listing, outcome=outcome, by=by)


def meeting_cases_heard(*, meeting: Meeting, by: Any) -> int:
    """Mark every case heard at the meeting as heard (_case_heard), returning how many changed. Closing the meeting
    calls it; run on its own, it puts right a meeting closed before cases were marked "Heard" at all. Safe to run
    again: a case already so is left alone and no audit entry is written for it."""
    with transaction.atomic():
        heard = Listing.objects.filter(meeting=meeting, started_at__isnull=False).select_related("meeting")
        return sum(_case_heard(listing, by) for listing in heard.order_by("id"))


def _listed_later(listing: Listing) -> bool:
    """Listed at a later meeting and not heard or settled there yet."""
    return Listing.objects.filter(
        case_id=listing.case_id, outcome="", started_at__isnull=True, meeting__starts_at__gt=listing.meeting.starts_at
    ).exists()


def _case_heard(listing: Listing, by: Any) -> bool:
    """The case's hearing at this meeting has ended: its status follows the outcome ("Closed", "Transferred", or
    "Heard" and open for review; unchanged while it is listed again at a later meeting, or if a later hearing is
    already recorded), and its date heard is this meeting's day. Audited with what changed; a second call changes
    nothing. Whether anything changed."""
    if not live_rules.listing_was_heard(started_at=listing.started_at, outcome=listing.outcome):
        return False
    case = Case.objects.select_for_update().get(pk=listing.case_id)
    changes = live_rules.case_changes_after_hearing(
        status=case.status,
        heard_on=case.heard_on,
        # The day it was heard: a meeting started ahead of its day (confirmed by the chair) hears it today.
        meeting_day=timezone.localtime(listing.started_at or listing.meeting.starts_at).date(),
        outcome=listing.outcome,
        listed_later=_listed_later(listing),
        referred_elsewhere=jurisdiction.sent_to_of(case) is not None,
    )
    if not changes:
        return False
    fields = ["version", "updated_at"]
    if "status" in changes:
        case.status = changes["status"]["to"]
        fields.append("status")
    if "heard_on" in changes:
        case.heard_on = date.fromisoformat(changes["heard_on"]["to"])
        fields.append("heard_on")
    case.version += 1
    case.save(update_fields=fields)
    audit_record(
        action=AuditAction.CHANGE,
        obj=case,
        marac_id=case.marac_id,
        summary=f"Case {case.pk} heard at meeting {listing.meeting_id}",
        changes=changes,
        user=by,
    )
    return True


def _settle_unheard(listing: Listing, choice: str, reason: str, by: Any) -> None:
    if choice == live_rules.HOLD_OVER:
        try:
            listing_hold_over(listing=listing, reason=reason, by=by)
        except AgendaRefused as refused:
            raise LiveRefused(
                f"Case {listing.case.reference} cannot be held over: {' '.join(refused.reasons)}"
            ) from None
    elif choice == live_rules.LEAVE_UNHEARD:
        _leave_unheard(listing, reason, by)
    else:
        raise LiveRefused(f"Choose whether to hold case {listing.case.reference} over or leave it unheard.")


def _settle_hidden_unheard(listing: Listing, choice: str, reason: str, by: Any) -> None:
    """A case not heard that the closer may not see: never named in an error, nor stopping the close. One that
    cannot be held over (no next meeting, listed there already, referred elsewhere) is left unheard instead, so
    that it is not left "Listed" at a meeting that has closed."""
    if choice == live_rules.HOLD_OVER:
        try:
            listing_hold_over(listing=listing, reason=reason, by=by)
        except AgendaRefused:
            pass
        else:
            return
    _leave_unheard(listing, reason, by)


def _leave_unheard(listing: Listing, reason: str, by: Any) -> None:
    """The reason goes into the case's decisions minute, the meeting's own record of it. A case listed nowhere else
    still to come goes back to "Referred", so it is not shown as listed at a meeting that has closed."""
    current = _locked_listing(listing)
    note = live_rules.not_heard_note(reason)
    current.decisions_minute = f"{current.decisions_minute}\n\n{note}" if current.decisions_minute else note
    current.version += 1
    current.save(update_fields=["decisions_minute", "version"])
    _audit(current, by, AuditAction.CHANGE, f"Left listing {current.pk} unheard when the meeting closed",
           {"decisions_minute": "changed"})  # fmt: skip
    still_listed = Listing.objects.filter(
        case_id=current.case_id, outcome="", started_at__isnull=True, meeting__starts_at__gt=current.meeting.starts_at
    ).exists()
    case = Case.objects.select_for_update().get(pk=current.case_id)
    if case.status == CaseStatus.LISTED and not still_listed:
        case.status = CaseStatus.REFERRED
        case.version += 1
        case.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            action=AuditAction.CHANGE,
            obj=case,
            marac_id=case.marac_id,
            summary=f"Case {case.pk} no longer listed: not heard at meeting {current.meeting_id}",
            changes={"status": {"from": CaseStatus.LISTED.value, "to": CaseStatus.REFERRED.value}},
            user=by,
        )


def _set_status(state: MeetingState, status: MeetingStatus, by: Any) -> None:
    before = state.status
    state.status = status
    state.version += 1
    state.save(update_fields=["status", "version"])
    audit_record(
        action=AuditAction.CHANGE,
        obj=state,
        marac_id=state.meeting.marac_id,
        summary=f"Meeting {state.meeting_id}: {status.label.lower()}",
        changes={"status": {"from": before, "to": status.value}},
        user=by,
    )


def _locked_listing(listing: Listing) -> Listing:
    return Listing.objects.select_for_update(of=("self",)).select_related("meeting__marac", "case").get(pk=listing.pk)


def _require_running(listing: Listing) -> None:
    if not meeting_is_running(state_of(listing.meeting)):
        raise LiveRefused("Start the meeting before opening a case.")


def _require_in_progress(meeting: Meeting) -> MeetingState:
    """The guard of the meeting's record (minutes, actions, outcomes, links to other processes): written only while
    the meeting runs, from its start to its close. Closed: MeetingClosed, as _require_not_closed; not started yet:
    MeetingNotStarted. Under the meeting state's row lock, as every live write."""
    state = _require_not_closed(meeting)
    if not meeting_is_running(state):
        raise MeetingNotStarted(live_rules.NOT_STARTED_REFUSAL)
    return state


def listing_open(*, listing: Listing, by: Any) -> tuple[Listing, list[str]]:
    """Open a case in live mode: its clock starts, and it gets its standard actions. Opening it again is harmless.
    Returns the listing and, in words, any standard action no agency at this MARAC could own."""
    with transaction.atomic():
        _require_not_closed(listing.meeting)
        _require_running(listing)
        current = _locked_listing(listing)
        if current.started_at is None:
            current.started_at = timezone.now()
            current.version += 1
            current.save(update_fields=["started_at", "version"])
            _audit(current, by, AuditAction.CHANGE, f"Opened listing {current.pk} in the meeting")
        _, gaps = standard_actions_create(listing=current, by=by)
    return current, gaps


def listing_move_on(*, listing: Listing, by: Any) -> Listing | None:
    """Close this case's discussion and open the next one in hearing order that `by` may see; None when every case
    they may see has been heard."""
    with transaction.atomic():
        _require_not_closed(listing.meeting)
        current = _locked_listing(listing)
        if current.ended_at is None:
            current.ended_at = timezone.now()
            current.version += 1
            current.save(update_fields=["ended_at", "version"])
            _audit(current, by, AuditAction.CHANGE, f"Closed the discussion of listing {current.pk}")
        _case_heard(current, by)
        following = next_listing(current.meeting, current, by)
        if following is not None:
            listing_open(listing=following, by=by)
    return following


def minute_save(
    *,
    listing: Listing,
    risks_minute: str,
    decisions_minute: str,
    based_on_version: int,
    by: Any,
    based_on_minute: str = "",
) -> Listing:
    """Save the minute of the risks and decisions; refused with StaleMinute if anyone saved the listing since
    `based_on_version`, so two people minuting never silently overwrite each other. With `based_on_minute` (the
    fingerprint of the minute the page showed, live_rules.minute_fingerprint), a listing changed since only in what
    is not the minute (its outcome, its clock) is no conflict."""
    with transaction.atomic():
        _require_in_progress(listing.meeting)
        current = _locked_listing(listing)
        minute_unchanged = bool(based_on_minute) and based_on_minute == live_rules.minute_fingerprint(
            current.risks_minute, current.decisions_minute
        )
        if current.version != based_on_version and not minute_unchanged:
            raise StaleMinute(current)
        changed = [
            name
            for name, value in (("risks_minute", risks_minute), ("decisions_minute", decisions_minute))
            if getattr(current, name) != value
        ]
        current.risks_minute = risks_minute
        current.decisions_minute = decisions_minute
        current.version += 1
        current.save(update_fields=["risks_minute", "decisions_minute", "version"])
        _audit(current, by, AuditAction.CHANGE, f"Minuted listing {current.pk}", {name: "changed" for name in changed})
    return current


def outcome_record(
    *, listing: Listing, outcome: str, by: Any, based_on_version: int | None = None, based_on_outcome: str = ""
) -> Listing:
    """Record the outcome. With `based_on_version` (the listing's version when the page was opened) and
    `based_on_outcome` (the outcome it showed, "" for none), refused with StaleOutcome if someone has recorded a
    different outcome since: nothing is saved. A listing changed since in anything else (its minute, its clock) is
    no conflict, nor is choosing the outcome already recorded."""
    if outcome not in live_rules.OUTCOMES_AT_HEARING:
        raise LiveRefused("Choose review at a later meeting, closed, or transferred.")
    with transaction.atomic():
        _require_in_progress(listing.meeting)
        current = _locked_listing(listing)
        if (
            based_on_version is not None
            and current.version != based_on_version
            and current.outcome not in (based_on_outcome, outcome)
        ):
            raise StaleOutcome(current, outcome)
        before = current.outcome
        current.outcome = outcome
        current.version += 1
        current.save(update_fields=["outcome", "version"])
        _audit(current, by, AuditAction.CHANGE, f"Recorded the outcome of listing {current.pk}",
               {"outcome": {"from": before, "to": outcome}})  # fmt: skip
        if current.ended_at is not None:  # its hearing is over: the case follows the outcome now
            _case_heard(current, by)
    return current


def process_link_add(*, listing: Listing, kind: str, note: str, by: Any) -> ProcessLink:
    """A link from the case's discussion to another process, recorded while the meeting runs; the same link (same
    process, same note) recorded again on the listing is refused, so a second press adds nothing."""
    with transaction.atomic():
        _require_in_progress(listing.meeting)
        recorded = [(link.kind, link.note) for link in ProcessLink.objects.filter(listing=listing)]
        refusal = live_rules.process_link_refusal(kind=kind, note=note, recorded=recorded)
        if refusal:
            raise LiveRefused(refusal)
        link = ProcessLink.objects.create(listing=listing, kind=kind, note=note)
        summary = f"Linked listing {listing.pk} to {kind}"
        _audit(link, by, AuditAction.CREATE, summary, marac_id=listing.meeting.marac_id)
    return link


def live_action_record(*, listing: Listing, by: Any, **fields: Any) -> Action:
    """An action volunteered at the meeting, recorded from its live page: refused before the meeting has started
    and once it has closed."""
    with transaction.atomic():
        _require_in_progress(listing.meeting)
        return action_record(listing=listing, by=by, **fields)


def _audit(
    obj: Any, by: Any, action: str, summary: str, changes: dict[str, Any] | None = None, *, marac_id: int | None = None
) -> None:
    meeting = obj.meeting if hasattr(obj, "meeting") else None
    audit_record(
        action=action,
        obj=obj,
        marac_id=marac_id or (meeting.marac_id if meeting is not None else None),
        summary=summary,
        changes=changes,
        user=by,
    )


def may_run(user: Any, meeting: Meeting) -> bool:
    return bool(user.has_perm("meetings.run_meeting", meeting))


def observers(meeting: Meeting) -> Sequence[Attendance]:
    return list(meeting.attendance.filter(capacity=AttendanceCapacity.OBSERVER).order_by("id"))
