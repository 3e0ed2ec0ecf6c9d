"""The demo year's meetings as if they had been run in OpenMARAC: each meeting before the last day closed, with its
register, timed and minuted agenda, agencies' research, the victim's voice, the action plans and how they went,
and the IDVA allocations. Only for the demo (generate_area with users): national runs stay fast and bare.

Deterministic from the seed: its own random.Random, so the cases, people and meetings the seed already makes are
untouched. Every text is generic wording with no name in it; the people in the minutes are "the victim", "the
perpetrator" and "the children". Written with bulk_create, a few thousand rows in well under a second.
"""

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Subquery

from accounts.models import User
from actions.models import Action, ActionResolution, ActionStatus, ForWhom, ResolutionKind
from cases.models import Case, CaseParty, PartyRole
from demo.personas import CORE_AGENCY_TYPES
from marac.models import Agency, AgencyType, Marac, MaracAgency
from meetings import agenda_services
from meetings.models import (
    Attendance,
    AttendanceCapacity,
    ChildResearch,
    ChildStatus,
    Listing,
    ListingKind,
    Meeting,
    MeetingState,
    MeetingStatus,
    ProcessLink,
    ProcessLinkKind,
    Research,
    VictimVoice,
)
from meetings.series import LONDON
from referrals import calendar
from referrals.models import IdvaAllocation

_BATCH_SIZE = 2000

# Our choices for the demo, in the range practitioners describe: most core representatives come, most of the rest
# send a written submission; most agencies research most cases; most actions are done by their due date.
PRESENT_SHARE = 0.90
WRITTEN_SUBMISSION_SHARE_OF_ABSENT = 0.6
RESEARCH_SHARE = 0.85
VICTIM_VOICE_SHARE = 0.85
CHILD_VOICE_SHARE = 0.6
PERPETRATOR_ACTION_SHARE = 0.80
CHILDREN_ACTION_SHARE = 0.92
IDVA_ON_TIME_SHARE = 0.85
HARMFUL_BEHAVIOUR_SHARE = 0.06  # of children aged 11 or more
CHILD_STATUS_WEIGHTS = {
    ChildStatus.NOT_KNOWN: 0.30,
    ChildStatus.EARLY_HELP: 0.16,
    ChildStatus.CHILD_IN_NEED: 0.24,
    ChildStatus.CHILD_PROTECTION_PLAN: 0.24,
    ChildStatus.LOOKED_AFTER: 0.06,
}
# How far into the meeting the first case starts, and how long a case takes (minutes).
_OPENING_MINUTES = 10
_FULL_MINUTES = (9, 22)
_INFORMATION_MINUTES = (2, 6)

RISKS = (
    "Escalating controlling behaviour since separation; threats made by text in the last fortnight.",
    "Non-fatal strangulation disclosed at the DASH assessment; perpetrator still has a key to the address.",
    "Harassment through social media and repeated calls; the victim has changed her route to work.",
    "Stalking: the perpetrator has been seen outside the victim's workplace several times.",
    "Financial abuse and isolation from family and friends; the victim's mental health has declined.",
    "Perpetrator due for release from custody shortly; previous breaches of bail conditions.",
    "Incidents linked to the perpetrator's alcohol use are becoming more frequent and more serious.",
    "Threats to kill and damage to property; the victim is frightened to report further incidents.",
    "Sexual abuse disclosed to the IDVA; the victim does not want police involvement at present.",
    "Victim recently moved to temporary accommodation; the perpetrator is trying to find the new address.",
)
CHILDREN_RISK = (
    " Children present during incidents; school reports changes in behaviour.",
    " The children have witnessed assaults; contact arrangements are being used to continue the abuse.",
    " Concerns about the children's sleep and attendance since the last incident.",
)
DECISIONS = (
    "Safety plan reviewed with the IDVA. Agencies agreed to share any new incident within 24 hours.",
    "Target hardening agreed for the property. Police to treat calls from the address as a priority.",
    "Agencies to coordinate contact through the IDVA only, as the victim asked. Review if a further incident.",
    "Perpetrator's behaviour to be addressed through supervision and a behaviour change referral.",
    "Housing options to be explored for a planned move. Health professionals to see the victim alone.",
    "Information to be shared with the perpetrator's offender manager. Escalate to the chair if any breach.",
)
INFORMATION_ONLY_MINUTE = (
    "Shared for information. Agencies noted the risks, will flag their records and share any new incident."
)
VICTIM_VIEWS = (
    "The victim wants the abuse to stop and to stay in her home; she agrees to agencies sharing information.",
    "The victim is worried about the children and asks that contact with her is made through the IDVA.",
    "The victim feels safer since the perpetrator moved out and wants support with housing and money.",
    "The victim does not want police action at present but wants a panic alarm and a safe contact plan.",
    "The victim is anxious about the court date and would like the IDVA to go with her.",
    "The victim wants a move away from the area and help to register with a new doctor.",
)
CHILD_VOICE = (
    "The older child told the school that shouting at home keeps them awake and they want it to stop.",
    "The child said to the social worker that they feel safe at home now and miss their friends.",
    "The children told the family support worker they are worried about their mother.",
)
RESEARCH_TEXT: dict[AgencyType, str] = {
    AgencyType.POLICE: "Call-outs to the address in the last 12 months; one investigation ongoing.",
    AgencyType.IDVA_SERVICE: "Engaged with the IDVA; safety plan in place and reviewed weekly.",
    AgencyType.CHILDRENS_SOCIAL_CARE: "Family known; see the children's statuses for the current involvement.",
    AgencyType.ADULT_SOCIAL_CARE: "Previous care and support assessment; no open involvement.",
    AgencyType.HOUSING: "Social housing tenancy; a previous request for a management transfer.",
    AgencyType.PROBATION: "Perpetrator on licence with conditions; next supervision appointment booked.",
    AgencyType.SUBSTANCE_MISUSE: "Perpetrator previously in treatment for alcohol use; disengaged.",
    AgencyType.MENTAL_HEALTH: "Victim under the community mental health team for anxiety and low mood.",
    AgencyType.PRIMARY_HEALTH: "Registered with a local practice; injuries seen at an appointment this year.",
    AgencyType.SECONDARY_HEALTH: "Attendance at the emergency department with injuries in the last year.",
}
FLAG_AND_TAG = "Flag and tag the agency's records for the victim, the perpetrator and the address."
POLICE_MARKER = "Place a MARAC marker on the address so that calls from it are treated as a priority."
IDVA_REFERRAL = "Make sure the victim has been offered IDVA support, and refer her if not already supported."
FEEDBACK = "Feed back the meeting's actions to the victim through a safe contact route."
PERPETRATOR_ACTIONS = (
    (AgencyType.POLICE, "Consider a domestic violence protection notice if a further incident is reported."),
    (AgencyType.PROBATION, "Address the abuse in supervision and review the licence conditions."),
    (AgencyType.POLICE, "Speak to the perpetrator about bail conditions and record the warning given."),
    (AgencyType.SUBSTANCE_MISUSE, "Offer the perpetrator an assessment for alcohol treatment."),
    (AgencyType.PROBATION, "Refer the perpetrator to a behaviour change programme."),
)
CHILDREN_ACTIONS = (
    (AgencyType.CHILDRENS_SOCIAL_CARE, "Complete a single assessment of the children's needs."),
    (AgencyType.CHILDRENS_SOCIAL_CARE, "Share the MARAC information with the children's allocated social worker."),
    (AgencyType.EDUCATION, "Tell the designated safeguarding lead at the children's school and monitor attendance."),
    (AgencyType.PRIMARY_HEALTH, "Health visitor to visit the family and review the safety plan with the victim."),
    (AgencyType.EARLY_YEARS, "Offer the family a place at the family hub's support group."),
)
VICTIM_ACTIONS = (
    (AgencyType.HOUSING, "Fit additional security to the property through the sanctuary scheme."),
    (AgencyType.HOUSING, "Assess the victim for a management transfer."),
    (AgencyType.MENTAL_HEALTH, "Offer the victim an appointment with the community mental health team."),
    (AgencyType.SECONDARY_HEALTH, "Alert maternity and emergency department staff and agree a safe contact plan."),
    (AgencyType.ADULT_SOCIAL_CARE, "Complete a care and support assessment with the victim."),
    (AgencyType.SPECIALIST, "Offer the victim a place on the recovery programme."),
    (AgencyType.POLICE, "Install a panic alarm at the victim's address."),
)
NOT_COMPLETED_REASON = "The chair spoke to the agency: no other agency could take it on, so it was closed."
CANNOT_COMPLETE_NOTE = "The victim declined, and agencies agreed at the review that the action could not go ahead."


@dataclass
class _CaseFacts:
    referred_on: date
    perpetrators: list[int] = field(default_factory=list)
    children: list[tuple[int, date | None]] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryCounts:
    meetings_closed: int
    attendances: int
    research: int
    child_research: int
    victim_voices: int
    actions: int
    process_links: int
    idva_allocations: int


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _weighted[T](rng: random.Random, weights: dict[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _age_on(born: date | None, on: date) -> int:
    if born is None:
        return 0
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _History:
    def __init__(self, rng: random.Random, marac: Marac, end: date, users: dict[str, User]) -> None:
        self.rng = rng
        self.end = end
        # Nothing the demo says has happened is later than the start of its last day.
        self.cutoff = _at(end, 0)
        memberships = MaracAgency.objects.filter(marac=marac).select_related("agency").order_by("agency__agency_type")
        self.agencies: dict[AgencyType, Agency] = {}
        self.representatives: dict[AgencyType, int] = {}
        for membership in memberships:
            agency_type = AgencyType(membership.agency.agency_type)
            self.agencies[agency_type] = membership.agency
            if membership.representative_id is not None:
                self.representatives[agency_type] = membership.representative_id
        self.core = [agency_type for agency_type in AgencyType if agency_type in CORE_AGENCY_TYPES]
        self.idva = users["idva"]
        self.coordinator = users["coordinator"]
        self.chair = users["chair"]
        self.attendance: list[Attendance] = []
        self.research: list[Research] = []
        self.children: list[tuple[Research, int, str, bool]] = []
        self.voices: list[VictimVoice] = []
        self.actions: list[Action] = []
        self.links: list[ProcessLink] = []

    # --- the register ---------------------------------------------------------------------------------

    def register(self, meeting: Meeting) -> set[AgencyType]:
        """The register of one meeting; returns the agencies that sent a written submission only."""
        rng = self.rng
        written: set[AgencyType] = set()
        for user in (self.chair, self.coordinator):
            self.attendance.append(self._attended(meeting, user.agency_id, user.pk, AttendanceCapacity.REPRESENTATIVE))
        for agency_type in AgencyType:
            core = agency_type in CORE_AGENCY_TYPES
            if not core and rng.random() > 0.35:  # supporting agencies come when they have cases to speak to
                continue
            agency, user_id = self.agencies[agency_type], self.representatives.get(agency_type)
            if rng.random() < PRESENT_SHARE:
                self.attendance.append(self._attended(meeting, agency.pk, user_id, AttendanceCapacity.REPRESENTATIVE))
            elif rng.random() < WRITTEN_SUBMISSION_SHARE_OF_ABSENT:
                written.add(agency_type)
                self.attendance.append(
                    Attendance(
                        meeting=meeting,
                        agency=agency,
                        user_id=user_id,
                        capacity=AttendanceCapacity.WRITTEN_SUBMISSION,
                        present=False,
                    )
                )
            else:  # apologies
                self.attendance.append(
                    Attendance(
                        meeting=meeting,
                        agency=agency,
                        user_id=user_id,
                        capacity=AttendanceCapacity.REPRESENTATIVE,
                        present=False,
                    )
                )
        return written

    def _attended(self, meeting: Meeting, agency_id: int | None, user_id: int | None, capacity: str) -> Attendance:
        signed = meeting.starts_at - timedelta(minutes=self.rng.randint(2, 25))
        return Attendance(
            meeting=meeting,
            agency_id=agency_id,
            user_id=user_id,
            capacity=capacity,
            present=True,
            confidentiality_signed_at=signed,
        )

    # --- the agenda -----------------------------------------------------------------------------------

    def minute(self, listing: Listing, facts: _CaseFacts, clock: datetime) -> datetime:
        """Times and minutes the listing; returns when the next case can start."""
        rng = self.rng
        full = listing.kind == ListingKind.FULL
        low, high = _FULL_MINUTES if full else _INFORMATION_MINUTES
        listing.started_at = clock
        listing.ended_at = clock + timedelta(minutes=rng.randint(low, high))
        if full:
            risks = rng.choice(RISKS) + (rng.choice(CHILDREN_RISK) if facts.children else "")
            listing.risks_minute = risks
            listing.decisions_minute = " ".join(rng.sample(DECISIONS, 2))
        else:
            listing.risks_minute = rng.choice(RISKS)
            listing.decisions_minute = INFORMATION_ONLY_MINUTE
        return listing.ended_at + timedelta(minutes=rng.randint(0, 2))

    # --- research and the victim's voice --------------------------------------------------------------

    def researched(self, listing: Listing, facts: _CaseFacts, day: date, written: set[AgencyType]) -> None:
        rng = self.rng
        full = listing.kind == ListingKind.FULL
        researching = self.core if full else [AgencyType.POLICE, AgencyType.IDVA_SERVICE]
        for agency_type in researching:
            always = agency_type == AgencyType.CHILDRENS_SOCIAL_CARE and facts.children
            if not always and rng.random() > RESEARCH_SHARE:
                continue
            known = rng.random() < {AgencyType.POLICE: 0.95, AgencyType.IDVA_SERVICE: 0.85}.get(agency_type, 0.5)
            csc = agency_type == AgencyType.CHILDRENS_SOCIAL_CARE
            if csc and facts.children:
                known = True  # told of every family at referral (BED 4); its statuses say what it knows
            text = RESEARCH_TEXT[agency_type] if known else ""
            research = Research(
                listing=listing,
                agency=self.agencies[agency_type],
                author_id=self.representatives.get(agency_type, self.coordinator.pk),
                known_to_agency=known,
                is_written_submission=agency_type in written,
                about_victim=text,
                about_perpetrator="Known to the agency; see the risks minute." if known and facts.perpetrators else "",
                about_children="See the children's statuses." if csc and facts.children else "",
            )
            self.research.append(research)
            if csc and facts.children:
                self._children(research, facts, day)
        if full and rng.random() < VICTIM_VOICE_SHARE:
            child_voice = rng.choice(CHILD_VOICE) if facts.children and rng.random() < CHILD_VOICE_SHARE else ""
            self.voices.append(
                VictimVoice(
                    listing=listing,
                    victim_views=rng.choice(VICTIM_VIEWS),
                    child_voice=child_voice,
                    recorded_by=self.idva,
                )
            )

    def _children(self, research: Research, facts: _CaseFacts, day: date) -> None:
        rng = self.rng
        family = _weighted(rng, CHILD_STATUS_WEIGHTS)
        for child_id, born in facts.children:
            status = family if rng.random() < 0.85 else _weighted(rng, CHILD_STATUS_WEIGHTS)
            harmful = _age_on(born, day) >= 11 and rng.random() < HARMFUL_BEHAVIOUR_SHARE
            self.children.append((research, child_id, status, harmful))

    def linked(self, listing: Listing, facts: _CaseFacts) -> None:
        """A few discussions linked to other safeguarding processes."""
        if listing.kind != ListingKind.FULL:
            return
        chances = [
            (ProcessLinkKind.CHILD_PROTECTION_CONFERENCE, 0.15 if facts.children else 0.0),
            (ProcessLinkKind.MASH, 0.10 if facts.children else 0.0),
            (ProcessLinkKind.MAPPA, 0.05),
            (ProcessLinkKind.CLARES_LAW, 0.06),
            (ProcessLinkKind.STRATEGY_MEETING, 0.04 if facts.children else 0.0),
        ]
        for kind, chance in chances:
            if self.rng.random() < chance:
                self.links.append(ProcessLink(listing=listing, kind=kind, note="Information shared with the process."))

    # --- the action plan ------------------------------------------------------------------------------

    def plan(self, listing: Listing, facts: _CaseFacts, day: date) -> None:
        rng = self.rng
        if listing.kind != ListingKind.FULL:
            return
        standard = [(agency_type, FLAG_AND_TAG, ForWhom.VICTIM, 7) for agency_type in self.core]
        standard += [
            (AgencyType.POLICE, POLICE_MARKER, ForWhom.VICTIM, 3),
            (AgencyType.IDVA_SERVICE, IDVA_REFERRAL, ForWhom.VICTIM, 3),
            (AgencyType.IDVA_SERVICE, FEEDBACK, ForWhom.VICTIM, 5),
        ]
        for agency_type, description, for_whom, days in standard:
            self._action(listing, day, agency_type, description, for_whom, day + timedelta(days=days), True)
        volunteered: list[tuple[AgencyType, str, ForWhom]] = []
        if rng.random() < PERPETRATOR_ACTION_SHARE:
            volunteered.append((*rng.choice(PERPETRATOR_ACTIONS), ForWhom.PERPETRATOR))
        if facts.children and rng.random() < CHILDREN_ACTION_SHARE:
            volunteered.append((*rng.choice(CHILDREN_ACTIONS), ForWhom.CHILDREN))
        wanted = rng.randint(1, 3)
        for agency_type, description in rng.sample(VICTIM_ACTIONS, max(0, wanted - len(volunteered))):
            volunteered.append((agency_type, description, ForWhom.VICTIM))
        for agency_type, description, for_whom in volunteered:
            due = day + timedelta(days=rng.choice((14, 21, 28, 42)))
            self._action(listing, day, agency_type, description, for_whom, due, False)

    def _action(
        self,
        listing: Listing,
        day: date,
        agency_type: AgencyType,
        description: str,
        for_whom: ForWhom,
        due: date,
        standard: bool,
    ) -> None:
        status, closed_on, note = self._outcome(day, due)
        owner = self.representatives.get(agency_type, self.coordinator.pk)
        self.actions.append(
            Action(
                listing=listing,
                case_id=listing.case_id,
                owner_agency=self.agencies[agency_type],
                description=description,
                for_whom=for_whom,
                due_on=due,
                is_standard=standard,
                status=status,
                completion_note=note,
                closed_at=_at(closed_on, self.rng.randint(9, 16), self.rng.randint(0, 59)) if closed_on else None,
                closed_by_id=owner if closed_on else None,
                created_by=self.coordinator,
            )
        )

    def _outcome(self, day: date, due: date) -> tuple[str, date | None, str]:
        """Mostly done by the due date, some late, a few that could not be done; open while not yet due."""
        rng, last = self.rng, self.end - timedelta(days=1)
        first = day + timedelta(days=1)
        if first > last:
            return ActionStatus.OPEN, None, ""
        roll = rng.random()
        if due > last:  # not yet due: some are done already
            if roll < 0.45:
                return ActionStatus.DONE, first + timedelta(days=rng.randint(0, (last - first).days)), ""
            return ActionStatus.OPEN, None, ""
        if roll < 0.80:
            return ActionStatus.DONE, first + timedelta(days=rng.randint(0, (due - first).days)), ""
        if roll < 0.93:
            late = due + timedelta(days=rng.randint(1, 21))
            return (ActionStatus.DONE, late, "") if late <= last else (ActionStatus.OPEN, None, "")
        if roll < 0.97:
            closed = first + timedelta(days=rng.randint(0, (due - first).days))
            return ActionStatus.CANNOT_COMPLETE, closed, CANNOT_COMPLETE_NOTE
        return ActionStatus.OPEN, None, ""

    # --- the IDVA -------------------------------------------------------------------------------------

    def allocation(self, case_id: int, referred_on: date) -> IdvaAllocation:
        rng = self.rng
        submitted = _at(referred_on, 9) + timedelta(minutes=rng.randint(0, 8 * 60))
        due_by = submitted + timedelta(hours=48)
        if rng.random() < IDVA_ON_TIME_SHARE:
            allocated = submitted + timedelta(minutes=rng.randint(30, 47 * 60))
        else:
            allocated = due_by + timedelta(minutes=rng.randint(60, 72 * 60))
        if allocated >= self.cutoff:
            return IdvaAllocation(case_id=case_id, due_by=due_by)
        return IdvaAllocation(case_id=case_id, due_by=due_by, idva=self.idva, allocated_at=allocated)


def _case_facts(marac: Marac) -> dict[int, _CaseFacts]:
    facts = {
        pk: _CaseFacts(referred_on)
        for pk, referred_on in Case.objects.filter(marac=marac).values_list("pk", "referred_on")
    }
    parties = (
        CaseParty.objects.filter(case__marac=marac, role__in=[PartyRole.PERPETRATOR, PartyRole.CHILD])
        .order_by("case_id", "role", "person_id")
        .values_list("case_id", "role", "person_id", "person__date_of_birth")
    )
    for case_id, role, person_id, born in parties:
        if role == PartyRole.PERPETRATOR:
            facts[case_id].perpetrators.append(person_id)
        else:
            facts[case_id].children.append((person_id, born))
    return facts


class MeetingHistory:
    """Closes every meeting from start to the day before end, as if it had been run in OpenMARAC: minute() fills
    in the agendas' listings before they are written, save() writes everything else once they are."""

    def __init__(
        self, *, marac: Marac, seed: int, start: date, end: date, users: dict[str, User], meetings: Sequence[Meeting]
    ) -> None:
        self.marac, self.end = marac, end
        self.rng = random.Random(f"openmarac-demo-meetings:{seed}")  # noqa: S311  synthetic data
        self.history = _History(self.rng, marac, end, users)
        self.working = agenda_services.working_calendar(marac)
        self.held = sorted(
            (meeting for meeting in meetings if start <= meeting.starts_at.astimezone(LONDON).date() < end),
            key=lambda meeting: meeting.starts_at,
        )
        self.facts = _case_facts(marac)
        self.states: list[MeetingState] = []

    def minute(self, listings: Sequence[Listing]) -> None:
        """Times, minutes and everything said about each listing at the meetings held, in agenda order."""
        rng, history = self.rng, self.history
        agendas: dict[int, list[Listing]] = defaultdict(list)
        for listing in listings:
            agendas[listing.meeting_id].append(listing)
        for meeting in self.held:
            day = meeting.starts_at.astimezone(LONDON).date()
            # The summary of actions goes out one to four working days after the meeting, in working hours.
            sent_on = calendar.add_working_days(day, rng.randint(1, 4), calendar=self.working)
            summary = datetime.combine(sent_on, meeting.starts_at.astimezone(LONDON).time(), tzinfo=LONDON)
            summary += timedelta(hours=rng.randint(1, 6))
            self.states.append(
                MeetingState(
                    meeting=meeting,
                    status=MeetingStatus.CLOSED,
                    # Released as the rule allows, after noon five working days before, within a few hours.
                    case_list_released_at=calendar.case_list_release(meeting.starts_at, calendar=self.working)
                    + timedelta(hours=rng.randint(0, 5)),
                    action_summary_sent_at=summary if summary < history.cutoff else None,
                )
            )
            written = history.register(meeting)
            clock = meeting.starts_at + timedelta(minutes=_OPENING_MINUTES)
            for listing in agendas[meeting.pk]:
                case = self.facts[listing.case_id]
                clock = history.minute(listing, case, clock)
                history.researched(listing, case, day, written)
                history.plan(listing, case, day)
                history.linked(listing, case)

    def _close_some_not_completed(self, actions: list[Action]) -> None:
        """One in three of the actions an agency could not complete was then closed by the chair as not completed
        (BD Completion of Actions: the chair "will then work with the agency concerned"), a few days later."""
        chosen = [action for action in actions if action.status == ActionStatus.CANNOT_COMPLETE][::3]
        for action in chosen:
            action.status = ActionStatus.NOT_COMPLETED
        Action.objects.bulk_update(chosen, ["status"], batch_size=_BATCH_SIZE)
        resolutions = ActionResolution.objects.bulk_create(
            ActionResolution(
                action=action,
                kind=ResolutionKind.NOT_COMPLETED,
                reason=NOT_COMPLETED_REASON,
                from_agency_id=action.owner_agency_id,
                by=self.history.chair,
            )
            for action in chosen
        )
        for resolution, action in zip(resolutions, chosen, strict=True):
            resolution.at = min((action.closed_at or self.history.cutoff) + timedelta(days=3), self.history.cutoff)
        ActionResolution.objects.bulk_update(resolutions, ["at"], batch_size=_BATCH_SIZE)

    def save(self) -> HistoryCounts:
        """Once the listings are written: the rows that hang off them, and an IDVA allocation for each case."""
        history = self.history
        MeetingState.objects.bulk_create(self.states, batch_size=_BATCH_SIZE)
        Attendance.objects.bulk_create(history.attendance, batch_size=_BATCH_SIZE)
        Research.objects.bulk_create(history.research, batch_size=_BATCH_SIZE)
        children = ChildResearch.objects.bulk_create(
            (
                ChildResearch(research=research, child_id=child_id, status=status, harmful_behaviour=harmful)
                for research, child_id, status, harmful in history.children
            ),
            batch_size=_BATCH_SIZE,
        )
        VictimVoice.objects.bulk_create(history.voices, batch_size=_BATCH_SIZE)
        Action.objects.bulk_create(history.actions, batch_size=_BATCH_SIZE)
        self._close_some_not_completed(history.actions)
        ProcessLink.objects.bulk_create(history.links, batch_size=_BATCH_SIZE)
        allocations = IdvaAllocation.objects.bulk_create(
            (
                history.allocation(pk, case.referred_on)
                for pk, case in sorted(self.facts.items())
                if case.referred_on < self.end
            ),
            batch_size=_BATCH_SIZE,
        )
        _backdate(self.marac)
        return HistoryCounts(
            meetings_closed=len(self.states),
            attendances=len(history.attendance),
            research=len(history.research),
            child_research=len(children),
            victim_voices=len(history.voices),
            actions=len(history.actions),
            process_links=len(history.links),
            idva_allocations=len(allocations),
        )


def _backdate(marac: Marac) -> None:
    """bulk_create stamps auto_now fields with today: put them back to when the meeting made them."""
    if connection.vendor == "postgresql":
        # Statistics for the rows just written: without them (a fresh database) PostgreSQL can plan these
        # correlated updates as nested scans that take minutes instead of a fraction of a second.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE actions_action, meetings_research, meetings_victimvoice, meetings_listing, meetings_meeting"
            )
    ended = Listing.objects.filter(pk=OuterRef("listing_id")).values("ended_at")[:1]
    Action.objects.filter(case__marac=marac, listing__started_at__isnull=False).update(created_at=Subquery(ended))
    started = Listing.objects.filter(pk=OuterRef("listing_id")).values("meeting__starts_at")[:1]
    Research.objects.filter(listing__meeting__marac=marac, is_written_submission=False).update(
        updated_at=Subquery(started)
    )
    # A written submission is sent ahead, by its deadline (the working day before the meeting): two days before.
    ahead = Listing.objects.filter(pk=OuterRef("listing_id")).values(
        ahead=ExpressionWrapper(F("meeting__starts_at") - timedelta(days=2), output_field=DateTimeField())
    )[:1]
    Research.objects.filter(listing__meeting__marac=marac, is_written_submission=True).update(
        updated_at=Subquery(ahead)
    )
    VictimVoice.objects.filter(listing__meeting__marac=marac).update(updated_at=Subquery(started))
