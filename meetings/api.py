"""The meetings part of the open API under /api/v1 (issue 8): meetings, each meeting's agenda and case list, and
research on listed cases (an agency's own research, and the IDVA's account of the victim's voice).

Everything goes through the pages' gates and services: meetings through agenda_services.get_meeting_for_user, a
listing's research through research_selectors.get_listing_for_user (the case gate, audited), writes through
research_services with the research form's validation and its optimistic locking on `version`.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from api.core import (
    MAX_ID,
    ApiError,
    Day,
    Error,
    IfMatch,
    Input,
    LongText,
    Page,
    PageQuery,
    RoundTripInput,
    api_permission,
    audit_list_read,
    based_on_version,
    etag,
    form_errors,
    marac_ids_for,
    page_of,
)
from audit.models import AuditAction
from audit.services import audit_record
from cases.restriction import visible_given_restrictions
from marac.models import Agency, Marac
from meetings import agenda_services
from meetings import research_selectors as research
from meetings.agenda_services import get_meeting_for_user
from meetings.models import (
    ChildStatus,
    Listing,
    ListingKind,
    Meeting,
    MeetingState,
    MeetingStatus,
    Outcome,
    Research,
    VictimVoice,
)
from meetings.research_forms import ChildResearchForm, ResearchForm, VictimVoiceForm
from meetings.research_services import (
    CSC_FIELDS,
    MEETING_CLOSED_MESSAGE,
    RESEARCH_FIELDS,
    MeetingClosed,
    NotYourAgency,
    StaleResearch,
    research_save,
    victim_voice_save,
)
from meetings.services import meetings_ensure_ahead
from referrals import calendar

router = Router(tags=["meetings"])

VIEW_AGENDA = "meetings.view_agenda"
RECORD_RESEARCH = "meetings.record_research"
STALE_RESEARCH_MESSAGE = (
    "Someone else saved this research since the version you sent. Nothing was saved: fetch it again, bring your "
    "changes together with what is saved now, and send them with its new version."
)
STALE_VOICE_MESSAGE = (
    "Someone else saved the victim's voice since the version you sent. Nothing was saved: fetch it again, bring "
    "your changes together with what is saved now, and send them with its new version."
)
INVALID_MESSAGE = "Nothing was saved: see errors"
NOT_CSC_MESSAGE = "Only children's social care records these items; leave childrens_social_care out or null"


# --- Meetings -------------------------------------------------------------------------------------------------------


class MeetingQuery(PageQuery):
    marac: int | None = Field(None, description="Only this MARAC's meetings (the id of a MARAC where you hold a role)")
    from_date: Day | None = Field(None, alias="from", description="Only meetings on or after this day")
    to_date: Day | None = Field(None, alias="to", description="Only meetings on or before this day")
    status: MeetingStatus | None = None


class MeetingOut(Schema):
    id: int
    marac_id: int
    marac: str
    starts_at: datetime.datetime
    is_emergency: bool
    venue: str
    status: MeetingStatus
    case_list_release_from: datetime.datetime | None = Field(
        description="When the case list may go out: noon five working days before; null for an emergency MARAC, "
        "whose list goes as soon as it is ready"
    )
    case_list_released_at: datetime.datetime | None
    case_list_visible: bool = Field(
        description="Whether you may see the agenda and case list: the coordinator and chair always, everyone "
        "else once the case list has been released"
    )
    action_summary_sent_at: datetime.datetime | None


class MeetingList(Page):
    items: list[MeetingOut]


@dataclass
class _Calendars:
    """Each MARAC's working calendar, worked out once a request."""

    by_marac: dict[int, calendar.WorkingCalendar] = field(default_factory=dict)

    def release_from(self, meeting: Meeting) -> datetime.datetime | None:
        if meeting.is_emergency:
            return None
        if meeting.marac_id not in self.by_marac:
            self.by_marac[meeting.marac_id] = agenda_services.working_calendar(meeting.marac)
        return calendar.case_list_release(meeting.starts_at, calendar=self.by_marac[meeting.marac_id])


def _state(meeting: Meeting) -> MeetingState | None:
    try:
        return meeting.state
    except MeetingState.DoesNotExist:
        return None


def _meeting(request: HttpRequest, meeting: Meeting, calendars: _Calendars) -> dict[str, Any]:
    state = _state(meeting)
    released_at = state.case_list_released_at if state else None
    manages = bool(request.user.has_perm("meetings.manage_agenda", meeting))
    return {
        "id": meeting.pk,
        "marac_id": meeting.marac_id,
        "marac": meeting.marac.name,
        "starts_at": meeting.starts_at,
        "is_emergency": meeting.is_emergency,
        "venue": meeting.venue,
        "status": state.status if state else MeetingStatus.SCHEDULED,
        "case_list_release_from": calendars.release_from(meeting),
        "case_list_released_at": released_at,
        "case_list_visible": manages or released_at is not None,
        "action_summary_sent_at": state.action_summary_sent_at if state else None,
    }


def _status_filter(status: MeetingStatus) -> Q:
    if status == MeetingStatus.SCHEDULED:
        return Q(state__isnull=True) | Q(state__status=status)
    return Q(state__status=status)


@router.get("/meetings", response=MeetingList, summary="Meetings at your MARACs, soonest first")
@api_permission(VIEW_AGENDA)
def meeting_list(request: HttpRequest, query: Query[MeetingQuery]) -> dict[str, Any]:
    marac_ids = marac_ids_for(request, VIEW_AGENDA, query.marac, is_filter=True)
    for marac in Marac.objects.filter(pk__in=marac_ids):  # the coming series, as the meetings page makes it
        meetings_ensure_ahead(marac=marac)
    meetings = Meeting.objects.filter(marac_id__in=marac_ids).select_related("marac", "state")
    if query.from_date is not None:
        meetings = meetings.filter(starts_at__date__gte=query.from_date)
    if query.to_date is not None:
        meetings = meetings.filter(starts_at__date__lte=query.to_date)
    if query.status is not None:
        meetings = meetings.filter(_status_filter(query.status))
    page = page_of(meetings.order_by("starts_at", "id"), query)
    calendars = _Calendars()
    page["items"] = [_meeting(request, meeting, calendars) for meeting in page["items"]]
    audit_list_read(
        request, object_type="meetings.meeting", marac_ids=marac_ids, page=page, what="Meetings", noun="meetings"
    )
    return page


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="One meeting")
@api_permission(VIEW_AGENDA)
def meeting_detail(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    meeting = get_meeting_for_user(user=request.user, pk=meeting_id)
    audit_record(action=AuditAction.VIEW, obj=meeting, user=request.user, summary="Meeting through the API")
    return _meeting(request, meeting, _Calendars())


# --- The agenda and case list ---------------------------------------------------------------------------------------


class AgendaChild(Schema):
    name: str
    age: int | None = Field(description="Age in whole years on the day of the meeting, if the date of birth is known")
    in_permanent_care: bool | None = Field(description="As the referral said; null when it did not say")


class AgendaListing(Schema):
    number: int = Field(description="Place in the hearing order, from 1")
    listing_id: int
    case_id: int
    case_reference: str
    slot_starts_at: datetime.datetime
    slot_ends_at: datetime.datetime
    kind: ListingKind
    brought_forward: bool
    emergency_item: bool = Field(description="Added after the listing deadline as an urgent emergency item")
    held_over_from_meeting_id: int | None
    held_over_reason: str
    victim_name: str
    victim_date_of_birth: datetime.date | None
    victim_pregnant: bool | None = Field(description="null where the referral said it is not known")
    perpetrators: list[str]
    children: list[AgendaChild]
    referring_agency: str
    repeat: bool
    outcome: Outcome | None


class HeldOver(Schema):
    listing_id: int = Field(description="The listing at the later meeting")
    case_id: int
    case_reference: str
    meeting_id: int
    meeting_starts_at: datetime.datetime
    reason: str


class AgendaOut(Schema):
    meeting: MeetingOut
    predicted_finish: datetime.datetime | None = Field(
        description="When the last case is predicted to finish; null while the case list is not visible to you"
    )
    listings: list[AgendaListing] = Field(
        description="The cases in hearing order with their slots; empty while the case list is not visible to you. "
        "A restricted case is here only for those named on it."
    )
    held_over: list[HeldOver]


def _agenda_listing(number: int, slot: Any) -> dict[str, Any]:
    row = slot.item
    listing, case = row.listing, row.listing.case
    return {
        "number": number,
        "listing_id": listing.pk,
        "case_id": case.pk,
        "case_reference": case.reference,
        "slot_starts_at": slot.starts_at,
        "slot_ends_at": slot.ends_at,
        "kind": listing.kind,
        "brought_forward": listing.brought_forward,
        "emergency_item": listing.emergency_item,
        "held_over_from_meeting_id": listing.held_over_from_id,
        "held_over_reason": listing.held_over_reason,
        "victim_name": str(case.victim),
        "victim_date_of_birth": case.victim.date_of_birth,
        "victim_pregnant": None if row.victim_pregnancy_not_known else row.victim_pregnant,
        "perpetrators": [str(person) for person in row.perpetrators],
        "children": [
            {"name": str(child.person), "age": child.age, "in_permanent_care": child.in_permanent_care}
            for child in row.children
        ],
        "referring_agency": case.referring_agency.name,
        "repeat": case.is_repeat,
        "outcome": listing.outcome or None,
    }


def _held_over(meeting: Meeting, viewer: Any) -> list[dict[str, Any]]:
    later = (
        Listing.objects.filter(held_over_from=meeting)
        .filter(visible_given_restrictions(viewer, through="case"))
        .select_related("meeting", "case")
        .order_by("meeting__starts_at", "id")
    )
    return [
        {
            "listing_id": listing.pk,
            "case_id": listing.case_id,
            "case_reference": listing.case.reference,
            "meeting_id": listing.meeting_id,
            "meeting_starts_at": listing.meeting.starts_at,
            "reason": listing.held_over_reason,
        }
        for listing in later
    ]


@router.get(
    "/meetings/{meeting_id}/agenda",
    response=AgendaOut,
    summary="A meeting's agenda and case list, in hearing order with slot times",
    description="As the meeting's page: representatives see the cases once the case list has been released; until "
    "then `listings` is empty. Each reading is recorded as opening the case list.",
)
@api_permission(VIEW_AGENDA)
def meeting_agenda(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    meeting = get_meeting_for_user(user=request.user, pk=meeting_id)
    about = _meeting(request, meeting, _Calendars())
    if not about["case_list_visible"]:
        audit_record(action=AuditAction.VIEW, obj=meeting, user=request.user, summary="Agenda through the API")
        return {"meeting": about, "predicted_finish": None, "listings": [], "held_over": []}
    agenda = agenda_services.meeting_agenda(meeting=meeting, viewer=request.user)
    # The receipt and the audit, as the page
    agenda_services.case_list_opened(meeting=meeting, user=request.user, case_ids=agenda_services.case_ids_on(agenda))
    return {
        "meeting": about,
        "predicted_finish": agenda.finish,
        "listings": [_agenda_listing(number, slot) for number, slot in enumerate(agenda.slots, start=1)],
        "held_over": _held_over(meeting, request.user),
    }


# --- Research: what is waiting for your agency ----------------------------------------------------------------------


class ResearchStatus(Schema):
    status: research.CellStatus = Field(
        description="researched, not_known (not known to the agency), written (a written submission) or not_yet"
    )
    version: int = Field(description="The version of your agency's research; 0 when nothing is recorded yet")


class ListingToResearch(Schema):
    listing_id: int
    meeting_id: int
    meeting_starts_at: datetime.datetime
    case_id: int
    case_reference: str
    written_submission_due_at: datetime.datetime = Field(description="24 hours before the meeting")
    research: ResearchStatus


class ListingsToResearch(Page):
    items: list[ListingToResearch]


class ResearchQuery(PageQuery):
    marac: int | None = Field(None, description="Only this MARAC's listings")
    awaiting: bool | None = Field(
        None, description="true: only listings your agency has recorded nothing for yet; false: only the others"
    )


def _to_research_row(item: research.ListingToResearch) -> dict[str, Any]:
    listing, saved = item.listing, item.research
    return {
        "listing_id": listing.pk,
        "meeting_id": listing.meeting_id,
        "meeting_starts_at": listing.meeting.starts_at,
        "case_id": listing.case_id,
        "case_reference": listing.case.reference,
        "written_submission_due_at": research.deadline_for(listing),
        "research": {"status": research.cell_status(saved), "version": saved.version if saved else 0},
    }


@router.get(
    "/research",
    response=ListingsToResearch,
    summary="Cases listed at coming meetings, with what your agency has recorded for each",
)
@api_permission(RECORD_RESEARCH)
def listings_to_research(request: HttpRequest, query: Query[ResearchQuery]) -> dict[str, Any]:
    marac_ids = marac_ids_for(request, RECORD_RESEARCH, query.marac, is_filter=True)
    items = [
        item for marac_id in marac_ids for item in research.listings_to_research(user=request.user, marac_id=marac_id)
    ]
    items.sort(key=lambda item: (item.listing.meeting.starts_at, item.listing.meeting_id))  # stable: agenda order
    if query.awaiting is not None:
        items = [item for item in items if (item.research is None) == query.awaiting]
    page = page_of(items, query)
    for marac_id in marac_ids:
        shown = sum(item.listing.meeting.marac_id == marac_id for item in page["items"])
        audit_record(
            action=AuditAction.VIEW,
            object_type="meetings.listing",
            marac_id=marac_id,
            user=request.user,
            summary=f"Cases to research through the API, offset {query.offset}: {shown} listings",
        )
    page["items"] = [_to_research_row(item) for item in page["items"]]
    return page


# --- Research: one agency's research on one listing -----------------------------------------------------------------


class ChildResearchOut(Schema):
    child_id: int
    name: str
    status: ChildStatus
    harmful_behaviour: bool = Field(
        description="A young person using harmful behaviour in a relationship or towards a parent"
    )
    notes: str


class ChildrensSocialCareOut(Schema):
    """Children's social care's own items (CAM 5.2), and a status for each child on the case."""

    proceedings: str
    upcoming_conferences: str
    plan_support: str
    contact_arrangements: str
    non_abusing_parent_support: str
    abusing_parent_work: str
    collusion_concerns: str
    links_to_other_families: str
    children: list[ChildResearchOut]


class ResearchOut(Schema):
    listing_id: int
    meeting_id: int
    case_id: int
    case_reference: str
    agency_id: int
    agency: str
    version: int = Field(description="Send this back with a change; 0 when nothing is recorded yet")
    known_to_agency: bool | None = Field(description="null when nothing is recorded yet (not answered)")
    is_written_submission: bool
    about_victim: str
    about_perpetrator: str
    about_children: str
    childrens_social_care: ChildrensSocialCareOut | None = Field(
        description="Only for children's social care; null for every other agency"
    )
    written_submission_due_at: datetime.datetime
    is_late: bool = Field(description="A written submission saved after it was due")
    updated_at: datetime.datetime | None


class ChildResearchIn(RoundTripInput):
    READ_ONLY: ClassVar[frozenset[str]] = frozenset({"name"})

    child_id: int
    status: ChildStatus = ChildStatus.NOT_KNOWN
    harmful_behaviour: bool = False
    notes: LongText = ""


class ChildrensSocialCareIn(Input):
    proceedings: LongText = ""
    upcoming_conferences: LongText = ""
    plan_support: LongText = ""
    contact_arrangements: LongText = ""
    non_abusing_parent_support: LongText = ""
    abusing_parent_work: LongText = ""
    collusion_concerns: LongText = ""
    links_to_other_families: LongText = ""
    children: list[ChildResearchIn] = Field(default_factory=list, description="Children left out keep their status")


class ResearchIn(RoundTripInput):
    """The whole of your agency's research: a field left out is saved empty, as on the page. The answer of GET may
    be sent back whole, edited: its read-only fields (ids, names, times) are ignored; any other field is refused."""

    READ_ONLY: ClassVar[frozenset[str]] = frozenset(
        {
            "listing_id",
            "meeting_id",
            "case_id",
            "case_reference",
            "agency_id",
            "agency",
            "written_submission_due_at",
            "is_late",
            "updated_at",
        }
    )

    version: int | None = Field(
        None,
        ge=0,
        description="The version you based this on: 0 when nothing was recorded. Required unless sent as If-Match",
    )
    known_to_agency: bool | None = Field(
        None,
        description="Whether the family is known to your agency. null (not answered yet, as GET gives it before "
        "anything is recorded) is taken, but nothing is saved until it is answered: 422 says so",
    )
    is_written_submission: bool = False
    about_victim: LongText = ""
    about_perpetrator: LongText = ""
    about_children: LongText = ""
    childrens_social_care: ChildrensSocialCareIn | None = None


class AgencyQuery(Schema):
    agency: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Coordinators only: the agency to record for (an agency's submission sent in by e-mail); "
        "otherwise your own agency",
    )


def _listing(request: HttpRequest, meeting_id: int, listing_id: int) -> Listing:
    if not Listing.objects.filter(pk=listing_id, meeting_id=meeting_id).exists():
        raise Http404
    return research.get_listing_for_user(user=request.user, pk=listing_id)  # the case gate: audited, restricted


def _require_meeting_open(listing: Listing) -> None:
    """A closed meeting's research is its record: a write is a conflict with its state (409), before validation.
    The service checks again under the meeting state's lock."""
    if research.meeting_has_closed(listing):
        raise ApiError(409, MEETING_CLOSED_MESSAGE)


def _agency(request: HttpRequest, listing: Listing, agency_id: int | None) -> Agency:
    agency = request.user.agency if agency_id is None else Agency.objects.filter(pk=agency_id).first()  # type: ignore[union-attr]
    if agency is None or not research.may_record_for(user=request.user, listing=listing, agency=agency):
        raise Http404
    return agency


def _children_out(listing: Listing, saved: Research | None) -> list[dict[str, Any]]:
    rows = {row.child_id: row for row in saved.children.all()} if saved else {}
    out = []
    for child in research.children_of(listing):
        row = rows.get(child.pk)
        out.append(
            {
                "child_id": child.pk,
                "name": str(child),
                "status": row.status if row else ChildStatus.NOT_KNOWN,
                "harmful_behaviour": row.harmful_behaviour if row else False,
                "notes": row.notes if row else "",
            }
        )
    return out


def _research_out(listing: Listing, agency: Agency, saved: Research | None) -> dict[str, Any]:
    deadline = research.deadline_for(listing)
    csc = None
    if research.is_childrens_social_care(agency):
        csc = {name: getattr(saved, name) if saved else "" for name in CSC_FIELDS}
        csc["children"] = _children_out(listing, saved)
    return {
        "listing_id": listing.pk,
        "meeting_id": listing.meeting_id,
        "case_id": listing.case_id,
        "case_reference": listing.case.reference,
        "agency_id": agency.pk,
        "agency": agency.name,
        "version": saved.version if saved else 0,
        "known_to_agency": saved.known_to_agency if saved else None,
        "is_written_submission": saved.is_written_submission if saved else False,
        "about_victim": saved.about_victim if saved else "",
        "about_perpetrator": saved.about_perpetrator if saved else "",
        "about_children": saved.about_children if saved else "",
        "childrens_social_care": csc,
        "written_submission_due_at": deadline,
        "is_late": saved is not None and research.research_is_late(saved, deadline),
        "updated_at": saved.updated_at if saved else None,
    }


@router.get(
    "/meetings/{meeting_id}/listings/{listing_id}/research",
    response=ResearchOut,
    summary="Your agency's research on a listed case",
)
@api_permission(RECORD_RESEARCH)
def research_detail(
    request: HttpRequest, meeting_id: int, listing_id: int, query: Query[AgencyQuery], response: HttpResponse
) -> dict[str, Any]:
    listing = _listing(request, meeting_id, listing_id)
    agency = _agency(request, listing, query.agency)
    out = _research_out(listing, agency, research.research_for(listing=listing, agency=agency))
    response["ETag"] = etag(out["version"])
    return out


_RESEARCH_WHERE = {"__all__": "body"} | {name: f"body.childrens_social_care.{name}" for name in CSC_FIELDS}


def _research_form(body: ResearchIn, version: int, saved: Research | None, is_csc: bool) -> ResearchForm:
    data: dict[str, Any] = {
        "version": version,
        "about_victim": body.about_victim,
        "about_perpetrator": body.about_perpetrator,
        "about_children": body.about_children,
    }
    if body.known_to_agency is not None:  # unanswered: the form's own "Say whether the family is known..."
        data["known_to_agency"] = "yes" if body.known_to_agency else "no"
    if body.is_written_submission:
        data["is_written_submission"] = "on"
    if is_csc and body.childrens_social_care is not None:
        data |= {name: getattr(body.childrens_social_care, name) for name in CSC_FIELDS}
    return ResearchForm(data, research=saved, is_csc=is_csc)


def _child_data(listing: Listing, body: ResearchIn) -> tuple[dict[int, dict[str, Any]], dict[str, list[str]]]:
    """Each child's status through the page's form, by person id; children not on the case are refused."""
    sent = body.childrens_social_care.children if body.childrens_social_care else []
    on_case = {child.pk: child for child in research.children_of(listing)}
    data: dict[int, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(sent):
        where = f"body.childrens_social_care.children[{index}]"
        child = on_case.get(item.child_id)
        if child is None or item.child_id in data:
            errors[f"{where}.child_id"] = ["Not a child on this case, or sent twice"]
            continue
        prefix = f"child-{child.pk}"
        posted = {f"{prefix}-status": item.status.value, f"{prefix}-notes": item.notes}
        if item.harmful_behaviour:
            posted[f"{prefix}-harmful_behaviour"] = "on"
        form = ChildResearchForm(posted, child=child, saved=None)
        if form.is_valid():
            data[child.pk] = form.cleaned_data
        else:
            errors |= form_errors(form, {}, under=where)
    return data, errors


@router.put(
    "/meetings/{meeting_id}/listings/{listing_id}/research",
    response={200: ResearchOut, 409: Error},
    summary="Record your agency's research on a listed case",
    description="Validated as the research page validates it. Send the version you based your change on, in the "
    "body or as If-Match (the ETag of GET): if someone saved since, the answer is 409 and nothing is saved.",
)
@api_permission(RECORD_RESEARCH)
def research_put(
    request: HttpRequest,
    meeting_id: int,
    listing_id: int,
    body: ResearchIn,
    query: Query[AgencyQuery],
    response: HttpResponse,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    version = based_on_version(if_match, body.version)
    listing = _listing(request, meeting_id, listing_id)
    agency = _agency(request, listing, query.agency)
    _require_meeting_open(listing)
    is_csc = research.is_childrens_social_care(agency)
    if body.childrens_social_care is not None and not is_csc:
        raise ApiError(422, INVALID_MESSAGE, {"body.childrens_social_care": [NOT_CSC_MESSAGE]})
    saved = research.research_for(listing=listing, agency=agency)
    form = _research_form(body, version, saved, is_csc)
    children, errors = _child_data(listing, body) if is_csc else ({}, {})
    if not form.is_valid() or errors:
        raise ApiError(422, INVALID_MESSAGE, form_errors(form, _RESEARCH_WHERE) | errors)
    data = {name: form.cleaned_data[name] for name in RESEARCH_FIELDS + (CSC_FIELDS if is_csc else [])}
    data["children"] = children
    try:
        research_save(listing=listing, agency=agency, data=data, based_on_version=version, by=request.user)
    except MeetingClosed:
        raise ApiError(409, MEETING_CLOSED_MESSAGE) from None
    except StaleResearch:
        raise ApiError(409, STALE_RESEARCH_MESSAGE) from None
    except NotYourAgency:
        raise Http404 from None
    out = _research_out(listing, agency, research.research_for(listing=listing, agency=agency))
    response["ETag"] = etag(out["version"])
    return out


# --- Research: the IDVA's account of the victim's voice -------------------------------------------------------------


class VictimVoiceOut(Schema):
    listing_id: int
    meeting_id: int
    case_id: int
    version: int = Field(description="Send this back with a change; 0 when nothing is recorded yet")
    victim_views: str
    child_voice: str
    updated_at: datetime.datetime | None


class VictimVoiceIn(RoundTripInput):
    """The whole record: a field left out is saved empty, as on the page. The answer of GET may be sent back whole,
    edited: its read-only fields (ids, times) are ignored; any other field is refused."""

    READ_ONLY: ClassVar[frozenset[str]] = frozenset({"listing_id", "meeting_id", "case_id", "updated_at"})

    version: int | None = Field(
        None,
        ge=0,
        description="The version you based this on: 0 when nothing was recorded. Required unless sent as If-Match",
    )
    victim_views: LongText = ""
    child_voice: LongText = ""


def _voice_listing(request: HttpRequest, meeting_id: int, listing_id: int) -> Listing:
    listing = _listing(request, meeting_id, listing_id)
    if not research.may_record_victim_voice(user=request.user, listing=listing):
        raise Http404
    return listing


def _voice_out(listing: Listing, voice: VictimVoice | None) -> dict[str, Any]:
    return {
        "listing_id": listing.pk,
        "meeting_id": listing.meeting_id,
        "case_id": listing.case_id,
        "version": voice.version if voice else 0,
        "victim_views": voice.victim_views if voice else "",
        "child_voice": voice.child_voice if voice else "",
        "updated_at": voice.updated_at if voice else None,
    }


@router.get(
    "/meetings/{meeting_id}/listings/{listing_id}/victim-voice",
    response=VictimVoiceOut,
    summary="The IDVA's account of the victim's views and wishes (IDVAs and coordinators)",
)
@api_permission(RECORD_RESEARCH)
def victim_voice_detail(
    request: HttpRequest, meeting_id: int, listing_id: int, response: HttpResponse
) -> dict[str, Any]:
    listing = _voice_listing(request, meeting_id, listing_id)
    out = _voice_out(listing, research.victim_voice_for(listing=listing))
    response["ETag"] = etag(out["version"])
    return out


@router.put(
    "/meetings/{meeting_id}/listings/{listing_id}/victim-voice",
    response={200: VictimVoiceOut, 409: Error},
    summary="Record the victim's views and wishes (IDVAs and coordinators)",
    description="Validated as the page validates it. Send the version in the body or as If-Match (the ETag of "
    "GET). A stale version gets 409 and nothing is saved.",
)
@api_permission(RECORD_RESEARCH)
def victim_voice_put(
    request: HttpRequest,
    meeting_id: int,
    listing_id: int,
    body: VictimVoiceIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    version = based_on_version(if_match, body.version)
    listing = _voice_listing(request, meeting_id, listing_id)
    _require_meeting_open(listing)
    voice = research.victim_voice_for(listing=listing)
    form = VictimVoiceForm(body.dict() | {"version": version}, voice=voice)
    if not form.is_valid():
        raise ApiError(422, INVALID_MESSAGE, form_errors(form, {"__all__": "body"}))
    try:
        voice = victim_voice_save(listing=listing, data=form.cleaned_data, based_on_version=version, by=request.user)
    except MeetingClosed:
        raise ApiError(409, MEETING_CLOSED_MESSAGE) from None
    except StaleResearch:
        raise ApiError(409, STALE_VOICE_MESSAGE) from None
    out = _voice_out(listing, voice)
    response["ETag"] = etag(out["version"])
    return out
