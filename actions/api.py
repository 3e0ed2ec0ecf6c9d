"""The actions part of the open API under /api/v1 (issue 8): the action plan after the meeting.

Who sees what is the pages' rule: the coordinator and chair track every action at their MARAC; a representative or
IDVA sees their own agency's. Each action carries its resolutions (what the coordinator or chair decided about it
after the meeting); what the agency had written before a resolution set it aside goes only to those who track
actions, as on their pages (tracking_selectors.may_see_agency_notes). Marking an action done or not possible goes
through actions.tracking with the page's form and its version check; recording an action at the meeting goes through
actions.services.action_record with the live meeting page's form, after the same gate and the same confidentiality
agreement, which only a person signs: an API credential cannot record actions at a meeting (PERSON_ONLY_MESSAGE says
why).
"""

import datetime
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from accounts.models import User
from accounts.permissions import PERMISSIONS_BY_NAME, marac_ids_where
from actions import tracking
from actions.models import Action, ActionResolution, ActionStatus, ForWhom, ResolutionKind
from actions.services import AgencyNotNamedOnCase, NotThisMaracsAgency
from actions.tracking_selectors import (
    TRACK,
    UPDATE,
    action_gate,
    get_action_for_user,
    may_see_action,
    may_see_agency_notes,
    reason_for_audit,
    resolutions_of,
    with_resolutions,
)
from actions.tracking_views import ActionCannotCompleteForm, ActionDoneForm
from api.core import (
    INVALID_QUERY_MESSAGE,
    MAX_ID,
    ApiError,
    Day,
    Error,
    IfMatch,
    Input,
    LongText,
    Page,
    PageQuery,
    Text,
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
from marac.models import Agency
from meetings.agenda_services import get_listing_for_user
from meetings.confidentiality import has_signed
from meetings.live_forms import ActionForm
from meetings.live_services import MeetingClosed, MeetingNotStarted, live_action_record

router = Router(tags=["actions"])

# Every case role may see actions (the summary of actions is theirs); which actions is decided per MARAC below.
READ = "meetings.view_agenda"
RECORD = "actions.record_action"
INVALID_MESSAGE = "Nothing was saved: see errors"
SIGN_FIRST_MESSAGE = (
    "Sign this meeting's confidentiality agreement in OpenMARAC before recording its actions, as on the meeting's "
    "pages. Nothing was saved."
)
# BD The MARAC meeting: agencies sign the information sharing protocol before they attend, and, besides, every
# person at the meeting signs its confidentiality agreement. A credential stands for an agency's system, which is at
# no meeting and can sign nothing: actions are recorded at the meeting by a person (the coordinator minuting it),
# signed in, through the live meeting page or this API with their session.
PERSON_ONLY_MESSAGE = (
    "Actions are recorded at the meeting by a person who has signed its confidentiality agreement: an API "
    "credential cannot record them. Record them on the live meeting page, or through the API signed in as that "
    "person. Nothing was saved."
)
NOT_AN_AGENCY_MESSAGE = "Select one of this MARAC's agencies"
UNKNOWN_AGENCY_MESSAGE = (
    "Not an agency whose actions you may see here: give the id of an agency at your MARAC, or leave agency out"
)
NOT_THIS_MARAC_MESSAGE = "Choose one of this MARAC's agencies, or the agency that referred the case"


class AgencyOut(Schema):
    id: int
    name: str


class ResolutionOut(Schema):
    """What the coordinator or chair decided about an action its agency could not complete, or the reopening of one
    marked done by mistake: as the action's pages show it."""

    id: int
    outcome: ResolutionKind = Field(
        description="reassigned: passed to another agency, with a new due date; reopened: open again for the same "
        "agency, with a new due date; not_completed: closed as not completed; done_reopened: marked done by mistake, "
        "open again"
    )
    reason: str = Field(description="Why, and what was agreed")
    referred_to_vawg: bool = Field(description="It was referred to the VAWG sub group")
    from_agency: AgencyOut = Field(description="The agency that had the action when this was decided")
    to_agency: AgencyOut | None = Field(description="The agency it was passed to; null unless passed on")
    due_on: datetime.date | None = Field(description="The new due date, when it was reopened or passed on with one")
    agency_note: str | None = Field(
        description="What the agency had written, set aside by this decision (why it could not complete the action, "
        "or what it said was done): for coordinators and chairs, as on their pages; null for anyone else"
    )
    recorded_by: str = Field(description="The name of the coordinator or chair who recorded it")
    recorded_at: datetime.datetime


class ActionOut(Schema):
    id: int
    marac_id: int
    meeting_id: int
    listing_id: int
    case_id: int
    case_reference: str
    owner_agency: AgencyOut
    description: str
    for_whom: ForWhom
    due_on: datetime.date
    is_standard: bool
    status: ActionStatus
    is_overdue: bool = Field(description="Still open after the day it was due")
    completion_note: str = Field(description="What was done, or why it cannot be done; empty while open")
    closed_at: datetime.datetime | None
    chased_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    created_at: datetime.datetime
    version: int = Field(description="Send this back when marking the action done or not possible")
    resolutions: list[ResolutionOut] = Field(description="What was decided about it after the meeting, oldest first")


class ActionList(Page):
    items: list[ActionOut]


class ActionQuery(PageQuery):
    marac: int | None = Field(None, description="Only this MARAC's actions")
    agency: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Only actions owned by this agency: one at the MARACs listed, or owning an action you may see "
        "(any other id is 422)",
    )
    status: ActionStatus | None = None
    overdue: bool | None = Field(None, description="true: only open actions past their due day; false: the others")
    due_before: Day | None = Field(None, description="Only actions due before this day (not on it)")
    due_after: Day | None = Field(None, description="Only actions due after this day (not on it)")


def _resolution(resolution: ActionResolution, *, agency_notes: bool) -> dict[str, Any]:
    to_agency = resolution.to_agency
    return {
        "id": resolution.pk,
        "outcome": resolution.kind,
        "reason": resolution.reason,
        "referred_to_vawg": resolution.referred_to_vawg,
        "from_agency": {"id": resolution.from_agency_id, "name": resolution.from_agency.name},
        "to_agency": None if to_agency is None else {"id": to_agency.pk, "name": to_agency.name},
        "due_on": resolution.due_on,
        "agency_note": resolution.superseded_note if agency_notes else None,
        "recorded_by": resolution.by.full_name,
        "recorded_at": resolution.at,
    }


def _action(action: Action, today: datetime.date, *, viewer: Any) -> dict[str, Any]:
    """The action as `viewer`, who may see it, sees it: its resolutions read with it (with_resolutions) or now."""
    agency_notes = may_see_agency_notes(viewer, action)
    return {
        "id": action.pk,
        "marac_id": action.case.marac_id,
        "meeting_id": action.listing.meeting_id,
        "listing_id": action.listing_id,
        "case_id": action.case_id,
        "case_reference": action.case.reference,
        "owner_agency": {"id": action.owner_agency_id, "name": action.owner_agency.name},
        "description": action.description,
        "for_whom": action.for_whom,
        "due_on": action.due_on,
        "is_standard": action.is_standard,
        "status": action.status,
        "is_overdue": tracking.action_is_overdue(status=action.status, due_on=action.due_on, today=today),
        "completion_note": action.completion_note,
        "closed_at": action.closed_at,
        "chased_at": action.chased_at,
        "escalated_at": action.escalated_at,
        "created_at": action.created_at,
        "version": action.version,
        "resolutions": [_resolution(each, agency_notes=agency_notes) for each in resolutions_of(action)],
    }


# --- Reading --------------------------------------------------------------------------------------------------------


def actions_visible_to(*, user: Any, marac_ids: list[int]) -> QuerySet[Action]:
    """At the given MARACs: every action where the user tracks actions (coordinator, chair), their own agency's
    elsewhere (representatives, IDVAs). A restricted case's actions only for those named on it."""
    tracked = marac_ids_where(user, PERMISSIONS_BY_NAME[TRACK].roles) & set(marac_ids)
    own = (marac_ids_where(user, PERMISSIONS_BY_NAME[UPDATE].roles) & set(marac_ids)) - tracked
    visible = Q(case__marac_id__in=tracked)
    agency_id = getattr(user, "agency_id", None)
    if agency_id is not None:
        visible |= Q(case__marac_id__in=own, owner_agency_id=agency_id)
    return with_resolutions(
        Action.objects.filter(visible)
        .filter(visible_given_restrictions(user, through="case"))
        .select_related("case", "owner_agency", "listing")
    )


def get_action_to_read(*, user: Any, pk: int) -> Action:
    """The gate for reading one action: 404 outside what actions_visible_to would list."""
    return action_gate(user=user, pk=pk, allowed=may_see_action, related=("case", "owner_agency", "listing"))


def _check_agency_filter(agency_id: int | None, marac_ids: list[int], visible: QuerySet[Action]) -> None:
    """?agency= names an agency at one of the MARACs listed, or one owning an action listed (a referring agency
    from elsewhere); any other id is invalid input, worded alike whether it exists elsewhere or not at all."""
    if agency_id is None:
        return
    if Agency.objects.filter(pk=agency_id, memberships__marac_id__in=marac_ids).exists():
        return
    if visible.filter(owner_agency_id=agency_id).exists():
        return
    raise ApiError(422, INVALID_QUERY_MESSAGE, {"query.agency": [UNKNOWN_AGENCY_MESSAGE]})


def _filtered(actions: QuerySet[Action], query: ActionQuery, today: datetime.date) -> QuerySet[Action]:
    if query.agency is not None:
        actions = actions.filter(owner_agency_id=query.agency)
    if query.status is not None:
        actions = actions.filter(status=query.status)
    overdue = Q(status=ActionStatus.OPEN, due_on__lt=today)
    if query.overdue is True:
        actions = actions.filter(overdue)
    elif query.overdue is False:
        actions = actions.exclude(overdue)
    if query.due_before is not None:
        actions = actions.filter(due_on__lt=query.due_before)
    if query.due_after is not None:
        actions = actions.filter(due_on__gt=query.due_after)
    return actions


@router.get(
    "/actions",
    response=ActionList,
    summary="Actions you may see, soonest due first",
    description="Coordinators and chairs see every action at their MARAC; representatives and IDVAs their own "
    "agency's. A restricted case's actions are listed only for those named on it.",
)
@api_permission(READ)
def action_list(request: HttpRequest, query: Query[ActionQuery]) -> dict[str, Any]:
    marac_ids = marac_ids_for(request, READ, query.marac, is_filter=True)
    today = timezone.localdate()
    visible = actions_visible_to(user=request.user, marac_ids=marac_ids)
    _check_agency_filter(query.agency, marac_ids, visible)
    actions = _filtered(visible, query, today)
    page = page_of(actions.order_by("due_on", "id"), query)
    page["items"] = [_action(action, today, viewer=request.user) for action in page["items"]]
    audit_list_read(
        request, object_type="actions.action", marac_ids=marac_ids, page=page, what="Actions", noun="actions"
    )
    return page


@router.get("/actions/{action_id}", response=ActionOut, summary="One action")
@api_permission(READ)
def action_detail(request: HttpRequest, action_id: int, response: HttpResponse) -> dict[str, Any]:
    action = get_action_to_read(user=request.user, pk=action_id)
    audit_record(
        action=AuditAction.VIEW,
        obj=action,
        user=request.user,
        summary=f"Action {action.pk} through the API",
        changes=reason_for_audit(request.user, action),
    )
    response["ETag"] = etag(action.version)
    return _action(action, timezone.localdate(), viewer=request.user)


# --- Marking an action done, or that it cannot be done --------------------------------------------------------------


class ActionUpdateIn(Input):
    note: LongText = Field(description="What was done, or why the action cannot be completed")
    version: int | None = Field(
        None, description="The version of the action you based this on. Required unless sent as If-Match"
    )


def _close(
    request: HttpRequest, action_id: int, body: ActionUpdateIn, if_match: str | None, *, done: bool
) -> dict[str, Any]:
    version = based_on_version(if_match, body.version)
    action = get_action_for_user(user=request.user, pk=action_id)  # the page's gate: another agency's is 404
    if not tracking.action_is_open(action.status):
        raise ApiError(409, tracking.ActionNotOpen.message)
    form_class = ActionDoneForm if done else ActionCannotCompleteForm
    form = form_class({"completion_note": body.note, "version": version}, instance=action)
    if not form.is_valid():
        if "completion_note" in form.errors:
            raise ApiError(422, INVALID_MESSAGE, form_errors(form, {"completion_note": "body.note"}))
        raise ApiError(409, tracking.StaleAction.message)  # the form's only other check is the version
    note = form.cleaned_data["completion_note"]
    by = cast(User, request.user)  # api_permission lets only a signed-in user or a credential's account through
    try:
        if done:
            closed = tracking.action_complete(action=action, note=note, based_on_version=version, by=by)
        else:
            closed = tracking.action_cannot_complete(action=action, reason=note, based_on_version=version, by=by)
    except tracking.TrackingRefused as refused:
        raise ApiError(409, str(refused)) from None
    return _action(get_action_to_read(user=request.user, pk=closed.pk), timezone.localdate(), viewer=request.user)


@router.post(
    "/actions/{action_id}/done",
    response={200: ActionOut, 409: Error},
    summary="Your agency completed this action",
    description="As the page: for the agency that owns the action (or the coordinator recording an update sent "
    "in). Send the action's version in the body or as If-Match (its ETag). A stale version, or an action no longer "
    "open, gets 409 and nothing is saved.",
)
@api_permission(UPDATE)
def action_done(
    request: HttpRequest, action_id: int, body: ActionUpdateIn, response: HttpResponse, if_match: IfMatch = None
) -> dict[str, Any]:
    out = _close(request, action_id, body, if_match, done=True)
    response["ETag"] = etag(out["version"])
    return out


@router.post(
    "/actions/{action_id}/cannot-complete",
    response={200: ActionOut, 409: Error},
    summary="Your agency cannot complete this action; the coordinators and chairs are told",
    description="As the page. Send the action's version in the body or as If-Match (its ETag). A stale version, or "
    "an action no longer open, gets 409 and nothing is saved.",
)
@api_permission(UPDATE)
def action_cannot_complete(
    request: HttpRequest, action_id: int, body: ActionUpdateIn, response: HttpResponse, if_match: IfMatch = None
) -> dict[str, Any]:
    out = _close(request, action_id, body, if_match, done=False)
    response["ETag"] = etag(out["version"])
    return out


# --- Recording an action at the meeting -----------------------------------------------------------------------------


class ActionIn(Input):
    owner_agency_id: int = Field(
        ge=1, le=MAX_ID, description="One of the MARAC's agencies, or the agency that referred the case"
    )
    description: Text = Field(max_length=2000, description="What they will do: specific")
    for_whom: ForWhom
    due_on: Day = Field(
        description="A working day of the MARAC (not a weekend, bank holiday or local closure day), from the day of "
        "the meeting to 366 days after it (as the live meeting page); any other day gets 422 saying why"
    )


_ACTION_WHERE = {"owner_agency": "body.owner_agency_id", "__all__": "body"}
# What the form checks without looking at the case (the agency may be the case's referring agency, which is case
# detail): answered before the caller is asked to be a person who signed, as it tells them nothing new.
_CASE_BLIND_FIELDS = ("description", "for_whom", "due_on")


def _case_blind_errors(form: ActionForm, owner_agency_id: int) -> dict[str, list[str]]:
    """The body's problems that say nothing about the case: the text, who it is for, the due day (a working day
    from the meeting's day, which the caller sees in the meeting itself), and an agency id that is no agency at all."""
    errors: dict[str, list[str]] = {
        name: [str(message) for message in messages]
        for name, messages in form.errors.items()
        if name in _CASE_BLIND_FIELDS
    }
    if not Agency.objects.filter(pk=owner_agency_id).exists():
        refused = form.errors.get("owner_agency")
        errors["owner_agency"] = [str(message) for message in refused] if refused else [NOT_AN_AGENCY_MESSAGE]
    return {
        _ACTION_WHERE.get(name, f"body.{name}"): [str(message) for message in messages]
        for name, messages in errors.items()
    }


@router.post(
    "/meetings/{meeting_id}/listings/{listing_id}/actions",
    response={201: ActionOut, 409: Error},
    summary="Record an action an agency volunteered for a listed case (coordinators and chairs, signed in)",
    description="As the live meeting page, for a person: actions are recorded at the meeting by someone who has "
    "signed its confidentiality agreement, so an API credential gets 403, as does a person who has not signed. "
    "Problems with the body that say nothing about the case (the description, for whom, the due day, an agency id "
    "that is no agency) are answered 422 first; whether the agency may own an action on this case only once you "
    "may see the case. Before the chair starts the meeting, and once it has closed, nothing is recorded at it (409).",
)
@api_permission(RECORD)
def action_create(request: HttpRequest, meeting_id: int, listing_id: int, body: ActionIn) -> Status[dict[str, Any]]:
    listing = get_listing_for_user(user=request.user, meeting_pk=meeting_id, listing_pk=listing_id, permission=RECORD)
    posted = {
        "owner_agency": body.owner_agency_id,
        "description": body.description,
        "for_whom": body.for_whom.value,
        "due_on": body.due_on.isoformat(),
    }
    form = ActionForm(posted, listing=listing)
    valid = form.is_valid()
    blind = _case_blind_errors(form, body.owner_agency_id)
    if blind:
        raise ApiError(422, INVALID_MESSAGE, blind)
    if getattr(request, "api_credential", None) is not None:
        raise ApiError(403, PERSON_ONLY_MESSAGE)
    if not has_signed(user=request.user, meeting=listing.meeting):
        raise ApiError(403, SIGN_FIRST_MESSAGE)
    if not valid:
        raise ApiError(422, INVALID_MESSAGE, form_errors(form, _ACTION_WHERE))
    try:
        action = live_action_record(listing=listing, by=request.user, **form.cleaned_data)
    except NotThisMaracsAgency:
        raise ApiError(422, INVALID_MESSAGE, {"body.owner_agency_id": [NOT_THIS_MARAC_MESSAGE]}) from None
    except AgencyNotNamedOnCase as refused:
        raise ApiError(422, INVALID_MESSAGE, {"body.owner_agency_id": [refused.message]}) from None
    except (MeetingClosed, MeetingNotStarted) as closed:
        raise ApiError(409, str(closed)) from None
    read = get_action_to_read(user=request.user, pk=action.pk)
    return Status(201, _action(read, timezone.localdate(), viewer=request.user))
