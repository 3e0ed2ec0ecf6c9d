"""Reading research (BD Research; BED 5-6; CAM 5.2): who may record it, what is recorded, and the coordinator's grid.
Every listing is reached through get_listing_for_user, which applies the case gate, so outsiders get a 404. A
representative sees a meeting's listings only once its case list has been released (BD MARAC List), the rule the
meeting's own page follows (agenda_services.may_see_case_list)."""

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import roles_at
from cases.models import PartyRole
from cases.restriction import visible_given_restrictions
from cases.selectors import case_through_gate
from marac.models import Agency, AgencyType, MaracAgency
from meetings.agenda import age_on
from meetings.agenda_services import (
    ListedPerson,
    case_lists_visible_filter,
    may_see_case_list,
    meeting_state_if_any,
    parties_by_case,
)
from meetings.live_rules import meeting_is_closed
from meetings.models import ChildResearch, Listing, Meeting, Research, VictimVoice
from people.models import Person
from referrals.calendar import calendar_from_marac, written_report_deadline

# Labels for what an agency writes, shared by the form and the read-only summary.
FIELD_LABELS = {
    "about_victim": "What your agency knows about the victim",
    "about_perpetrator": "What your agency knows about the perpetrator",
    "about_children": "What your agency knows about the children",
    # CAM 5.2: the information children's social care brings to the MARAC.
    "proceedings": "Current and past child protection proceedings, and an outline of any concerns",
    "upcoming_conferences": "Dates of upcoming child protection conferences, strategy meetings and core groups",
    "plan_support": "Support for the children in the child in need or child protection plan",
    "contact_arrangements": "Agreements with the parents about informal and formal contact arrangements",
    "non_abusing_parent_support": "Support in place for the non-abusing parent",
    "abusing_parent_work": "Work being done with the abusing parent",
    "collusion_concerns": "Concerns about collusion between the victim and perpetrator that may raise the risk to "
    "the children, for example continued contact with the perpetrator",
    "links_to_other_families": "Links with other families",
}
SUMMARY_LABELS = {
    "about_victim": "About the victim",
    "about_perpetrator": "About the perpetrator",
    "about_children": "About the children",
}


# --- Rules (no ORM) -------------------------------------------------------------------------------------------------


def is_childrens_social_care(agency: Agency | None) -> bool:
    # CAM 5.2: children's social care brings its own items, and a status for each child.
    return agency is not None and agency.agency_type == AgencyType.CHILDRENS_SOCIAL_CARE


def research_is_late(research: Research, deadline: datetime) -> bool:
    # BD Attendance: an agency that cannot attend sends its written submission 24 hours before the meeting.
    return research.is_written_submission and research.updated_at > deadline


class CellStatus(StrEnum):
    RESEARCHED = "researched"
    NOT_KNOWN = "not_known"
    WRITTEN = "written"
    NOT_YET = "not_yet"


CELL_LABELS = {
    CellStatus.RESEARCHED: "Researched",
    CellStatus.NOT_KNOWN: "Not known to us",
    CellStatus.WRITTEN: "Written submission",
    CellStatus.NOT_YET: "Not yet",
}


def cell_status(research: Research | None) -> CellStatus:
    if research is None:
        return CellStatus.NOT_YET
    if research.is_written_submission:
        return CellStatus.WRITTEN
    return CellStatus.RESEARCHED if research.known_to_agency else CellStatus.NOT_KNOWN


# --- Access ---------------------------------------------------------------------------------------------------------


def get_listing_for_user(*, user: Any, pk: int) -> Listing:
    """The one gate for a listing's research: 404 unless the user may record research at its MARAC, may see the
    meeting's case list (released, or theirs to prepare) and may see its case."""
    # With what the page names (the victim) and what the release rule reads (the meeting's state): one query.
    listing = Listing.objects.select_related("meeting__marac", "meeting__state", "case__victim").filter(pk=pk).first()
    if listing is None or not user.has_perm("meetings.record_research", listing):
        raise Http404
    if not may_see_case_list(user=user, meeting=listing.meeting):
        raise Http404
    case_through_gate(user=user, case=listing.case)
    return listing


def meeting_has_closed(listing: Listing) -> bool:
    """Read with the listing by the gate (get_listing_for_user): no query."""
    state = meeting_state_if_any(listing.meeting)
    return state is not None and meeting_is_closed(state.status)


def may_record_for(*, user: Any, listing: Listing, agency: Agency) -> bool:
    """A representative or IDVA records for their own agency; a coordinator for their own too, and for another
    agency taking part in the case (a submission sent by email, say), never one of another MARAC's agencies."""
    roles = roles_at(user, listing.marac_id)
    if user.agency_id == agency.pk and roles & {Role.AGENCY_REPRESENTATIVE, Role.IDVA, Role.COORDINATOR}:
        return True
    return Role.COORDINATOR in roles and takes_part_in(listing=listing, agency=agency)


def takes_part_in(*, listing: Listing, agency: Agency) -> bool:
    """One of the MARAC's agencies, the agency that referred the case (it may be from elsewhere), or one that has
    already recorded research on the listing (the research grid gives it a column and links to it)."""
    if agency.pk == listing.case.referring_agency_id:
        return True
    return (
        MaracAgency.objects.filter(marac_id=listing.marac_id, agency=agency).exists()
        or Research.objects.filter(listing=listing, agency=agency).exists()
    )


def may_record_victim_voice(*, user: Any, listing: Listing) -> bool:
    return bool(roles_at(user, listing.marac_id) & {Role.IDVA, Role.COORDINATOR})


def get_meeting_for_grid(*, user: Any, pk: int) -> Meeting:
    meeting = Meeting.objects.select_related("marac").filter(pk=pk).first()
    if meeting is None or not user.has_perm("meetings.view_research_grid", meeting):
        raise Http404
    return meeting


# --- Reading --------------------------------------------------------------------------------------------------------


def children_of(listing: Listing) -> list[Person]:
    # Only what the research form and the API show of each child: who they are, by name.
    children = Person.objects.filter(case_parties__case_id=listing.case_id, case_parties__role=PartyRole.CHILD)
    return list(children.only("given_name", "family_name", "description").order_by("id"))


@dataclass(frozen=True)
class ResearchChild:
    person: ListedPerson
    age: int | None  # on the day of the meeting, as the case list gives it


@dataclass(frozen=True)
class PeopleToResearch:
    """Whom an agency searches its records for (BD Research): what the case list shows of the case, no more: the
    victim's name and date of birth, the perpetrators' names, the children's names and ages. Never an address."""

    victim: Person
    perpetrators: list[ListedPerson]
    children: list[ResearchChild]


def people_to_research(*, listing: Listing) -> PeopleToResearch:
    """One query, the agenda's own (agenda_services.parties_by_case). The victim comes with the listing (the gate)."""
    on = timezone.localtime(listing.meeting.starts_at).date()
    parties = parties_by_case([listing.case_id])[listing.case_id]
    return PeopleToResearch(
        victim=listing.case.victim,
        perpetrators=[party.person for party in parties if party.role == PartyRole.PERPETRATOR],
        children=[
            ResearchChild(party.person, age_on(party.person.date_of_birth, on))
            for party in parties
            if party.role == PartyRole.CHILD
        ],
    )


def research_for(*, listing: Listing, agency: Agency) -> Research | None:
    return Research.objects.filter(listing=listing, agency=agency).prefetch_related("children").first()


def victim_voice_for(*, listing: Listing) -> VictimVoice | None:
    # One at most (one to one with the listing), with who recorded it (the pages name them): read as a list,
    # without first()'s ordering and limit.
    voices = list(VictimVoice.objects.filter(listing=listing).select_related("recorded_by"))
    return voices[0] if voices else None


def deadline_for(listing: Listing) -> datetime:
    return meeting_deadline(listing.meeting)


def meeting_deadline(meeting: Meeting) -> datetime:
    """When written submissions are due (BD Attendance). The bank holidays are the MARAC's region's, read with the
    meeting (every caller has its MARAC already); its local closure days would cost a query on every page, so they are
    not read."""
    calendar = calendar_from_marac(meeting.marac)
    return written_report_deadline(meeting.starts_at, calendar=calendar, emergency=meeting.is_emergency)


def deadline_has_passed(deadline: datetime) -> bool:
    return timezone.now() > deadline


@dataclass(frozen=True)
class ResearchEntry:
    research: Research
    is_core: bool
    is_late: bool
    children: list[ChildResearch]
    # (label, text) for each text field filled in, in the order of the form.
    items: list[tuple[str, str]]


@dataclass(frozen=True)
class ResearchSummary:
    listing: Listing
    deadline: datetime
    entries: list[ResearchEntry]
    victim_voice: VictimVoice | None

    @property
    def deadline_passed(self) -> bool:
        return deadline_has_passed(self.deadline)

    def entry_of(self, agency: Agency) -> ResearchEntry | None:
        """The agency's own research and its children's rows, read with the rest (the research form needs them)."""
        return next((entry for entry in self.entries if entry.research.agency_id == agency.pk), None)


def research_summary(*, listing: Listing) -> ResearchSummary:
    """All the research recorded for a listing, core agencies first, with the IDVA's account of the victim's voice.

    Three queries at most, on the live case and research pages: the research with its agency, its author and
    whether the agency is core at this MARAC; children's social care's rows for each child, with the child, grouped
    here (cheaper than a prefetch); the victim's voice with who recorded it."""
    deadline = deadline_for(listing)
    core = MaracAgency.objects.filter(marac_id=listing.marac_id, agency_id=OuterRef("agency_id"), is_core=True)
    recorded = list(
        Research.objects.filter(listing=listing)
        .select_related("agency", "author")
        .annotate(is_core=Exists(core))
        .order_by("agency__name")
    )
    children: dict[int, list[ChildResearch]] = {research.pk: [] for research in recorded}
    if recorded:
        rows = ChildResearch.objects.filter(research_id__in=children).select_related("child").order_by("id")
        for row in rows:
            children[row.research_id].append(row)
    entries = [
        ResearchEntry(
            research=research,
            is_core=research.is_core,
            is_late=research_is_late(research, deadline),
            children=children[research.pk],
            items=_written_items(research),
        )
        for research in recorded
    ]
    entries.sort(key=lambda entry: not entry.is_core)
    return ResearchSummary(
        listing=listing, deadline=deadline, entries=entries, victim_voice=victim_voice_for(listing=listing)
    )


def _written_items(research: Research) -> list[tuple[str, str]]:
    items = []
    for name, label in FIELD_LABELS.items():
        text = getattr(research, name)
        if text.strip():
            items.append((SUMMARY_LABELS.get(name, label), text))
    return items


@dataclass(frozen=True)
class GridColumn:
    agency: Agency
    is_core: bool
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GridCell:
    agency: Agency
    status: CellStatus
    is_late: bool = False
    known_to_agency: bool = True

    @property
    def label(self) -> str:
        return CELL_LABELS[self.status]


@dataclass(frozen=True)
class GridRow:
    listing: Listing
    cells: list[GridCell]


@dataclass(frozen=True)
class ResearchGrid:
    meeting: Meeting
    deadline: datetime
    columns: list[GridColumn]
    rows: list[GridRow]

    @property
    def deadline_passed(self) -> bool:
        return deadline_has_passed(self.deadline)

    @property
    def totals(self) -> list[tuple[str, str, list[int]]]:
        """For the table's footer: one row per status (and late), one count per agency."""
        rows = [
            (str(status), label, [column.counts.get(status, 0) for column in self.columns])
            for status, label in CELL_LABELS.items()
        ]
        rows.append(("late", "Late written submissions", [column.counts.get("late", 0) for column in self.columns]))
        return rows


def _grid_columns(meeting: Meeting, researched_agency_ids: set[int]) -> list[GridColumn]:
    memberships = MaracAgency.objects.filter(marac_id=meeting.marac_id).select_related("agency")
    columns = [GridColumn(agency=m.agency, is_core=m.is_core) for m in memberships]
    # An agency that researched a case without being set up at this MARAC still gets its column.
    member_ids = {column.agency.pk for column in columns}
    for agency in Agency.objects.filter(pk__in=researched_agency_ids - member_ids):
        columns.append(GridColumn(agency=agency, is_core=False))
    columns.sort(key=lambda column: (not column.is_core, column.agency.name))
    return columns


def research_grid(*, meeting: Meeting, viewer: Any = None) -> ResearchGrid:
    """Rows are the listed cases, columns the MARAC's agencies (core first), with counts per agency."""
    visible = meeting.listings.all()
    if viewer is not None:  # a restricted case shows only to those named on it
        visible = visible.filter(visible_given_restrictions(viewer, through="case"))
    listings = list(visible.select_related("case", "meeting").order_by("position", "id"))
    recorded = {
        (research.listing_id, research.agency_id): research
        for research in Research.objects.filter(listing__meeting=meeting)
    }
    columns = _grid_columns(meeting, {agency_id for _, agency_id in recorded})
    deadline = meeting_deadline(meeting)
    rows = []
    for listing in listings:
        cells = []
        for column in columns:
            research = recorded.get((listing.pk, column.agency.pk))
            cell = GridCell(
                agency=column.agency,
                status=cell_status(research),
                is_late=research is not None and research_is_late(research, deadline),
                known_to_agency=research is None or research.known_to_agency,
            )
            column.counts[cell.status] = column.counts.get(cell.status, 0) + 1
            column.counts["late"] = column.counts.get("late", 0) + int(cell.is_late)
            cells.append(cell)
        rows.append(GridRow(listing=listing, cells=cells))
    return ResearchGrid(meeting=meeting, deadline=deadline, columns=columns, rows=rows)


@dataclass(frozen=True)
class ListingToResearch:
    listing: Listing
    research: Research | None


def listings_to_research(*, user: Any, marac_id: int | None) -> list[ListingToResearch]:
    """Listings at the MARAC in meetings from today on, with what the user's agency has recorded for each. A
    representative gets only the meetings whose case list has been released (may_see_case_list)."""
    if marac_id is None:
        return []
    marac = _MaracRef(marac_id)
    if not user.has_perm("meetings.record_research", marac):
        return []
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    listings: QuerySet[Listing] = (
        Listing.objects.filter(meeting__marac_id=marac_id, meeting__starts_at__gte=today)
        .filter(case_lists_visible_filter(user=user, marac=marac, through="meeting__"))
        .filter(visible_given_restrictions(user, through="case"))
        .select_related("meeting__marac", "case")  # the MARAC: each listing's deadline reads its bank holidays
        .order_by("meeting__starts_at", "position", "id")
    )
    own = {
        research.listing_id: research
        for research in Research.objects.filter(listing__in=listings, agency_id=user.agency_id)
    }
    return [ListingToResearch(listing=listing, research=own.get(listing.pk)) for listing in listings]


@dataclass(frozen=True)
class _MaracRef:
    # has_perm asks about any object with a marac_id.
    marac_id: int
