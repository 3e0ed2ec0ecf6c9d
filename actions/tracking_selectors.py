"""Reading actions and meetings after the meeting, with need-to-know applied. Views reach an action or a meeting only
through the gates here: outside a user's MARAC, or an action of another agency, the answer is 404."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404

from accounts.models import Role
from accounts.permissions import PERMISSIONS_BY_NAME, roles_at
from actions.models import Action, ActionResolution, ActionStatus
from cases.models import Case, CaseRestriction
from cases.restriction import visible_given_restrictions
from cases.selectors import restricted_case_reason
from marac.models import Agency
from meetings.models import Attendance, Listing, Meeting, ProcessLink
from referrals.calendar import LONDON

_ACTION_RELATED = ("case", "owner_agency", "listing__meeting")


# Reading one action with its resolutions (the API, the case page): the coordinator and the chair track every action
# at their MARAC; an agency's representatives and IDVAs see their own agency's, as on its open actions.
TRACK = "actions.track_actions"
UPDATE = "actions.update_agency_actions"


def may_see_action(user: Any, action: Action) -> bool:
    if user.has_perm(TRACK, action):
        return True
    return action.owner_agency_id == user.agency_id and bool(
        roles_at(user, action.case.marac_id) & PERMISSIONS_BY_NAME[UPDATE].roles
    )


def may_see_agency_notes(user: Any, action: Action) -> bool:
    """What an agency wrote before a resolution set it aside (why it could not complete the action, or what it said
    was done) is for the coordinator and the chair, as on their lists; the agency holding the action sees only the
    decision and its reason."""
    return bool(user.has_perm(TRACK, action))


def may_update_action(user: Any, action: Action) -> bool:
    """The owner agency's people update its actions; the coordinator may record an update an agency sent in."""
    marac_id = action.case.marac_id
    if not user.has_perm("actions.update_agency_actions", action):
        return False
    return action.owner_agency_id == user.agency_id or Role.COORDINATOR in roles_at(user, marac_id)


def action_gate(
    *, user: Any, pk: int, allowed: Callable[[Any, Action], bool], related: tuple[str, ...] = _ACTION_RELATED
) -> Action:
    """The one gate to an action's pages and API: 404 unless it exists and `allowed` says this user may; for a
    restricted case, 404 unless named on it, and then a reason first."""
    action = Action.objects.select_related(*related).filter(pk=pk).first()
    if action is None or not allowed(user, action):
        raise Http404
    if action.case.restricted:
        restricted_case_reason(user=user, case_id=action.case_id)
    return action


def get_action_for_user(*, user: Any, pk: int) -> Action:
    return action_gate(user=user, pk=pk, allowed=may_update_action)


# Resolving an action an agency cannot complete, and reopening one marked done by mistake: the permission at the
# action's MARAC, and the case gate's rule for a restricted case.
RESOLVE = "actions.resolve_actions"
REOPEN_DONE = "actions.reopen_done_actions"


def get_action_to_manage(*, user: Any, pk: int, permission: str) -> Action:
    """The gate for the coordinator's and chair's pages about one action: 404 without `permission` at its MARAC."""
    return action_gate(
        user=user,
        pk=pk,
        allowed=lambda user, action: bool(user.has_perm(permission, action)),
        related=(*_ACTION_RELATED, "closed_by"),
    )


def reason_for_audit(user: Any, action: Action) -> dict[str, str]:
    """For the audit entry of a page showing an action: the reason given for opening its case, if restricted (every
    reading of a restricted case records it, cases/restriction.py). The gates above have made sure there is one."""
    return {"reason": restricted_case_reason(user=user, case_id=action.case_id)} if action.case.restricted else {}


def _resolutions() -> Prefetch[Any]:
    history = ActionResolution.objects.select_related("from_agency", "to_agency", "by").order_by("at", "id")
    return Prefetch("resolutions", queryset=history)


def with_resolutions(actions: QuerySet[Action]) -> QuerySet[Action]:
    """`actions` with each one's resolutions, oldest first, read in one query for the lot."""
    return actions.prefetch_related(_resolutions())


def resolutions_of(action: Action) -> list[ActionResolution]:
    """One action's resolutions, oldest first; read with it (with_resolutions) or now."""
    prefetch_related_objects([action], _resolutions())
    return list(action.resolutions.all())


@dataclass(frozen=True)
class CaseAction:
    """One of a case's actions as the case page shows it: which of the action's pages this user may open."""

    action: Action
    may_update: bool  # mark it done, or say it cannot be completed
    may_resolve: bool  # record how an action the agency cannot complete was resolved
    may_reopen_done: bool  # reopen it, marked done by mistake
    agency_notes: bool  # see what the agency wrote before a resolution set it aside (may_see_agency_notes)


@dataclass(frozen=True)
class CaseActions:
    items: list[CaseAction]
    every_agency: bool  # the coordinator and the chair see every agency's; anyone else only their own agency's

    @property
    def any_links(self) -> bool:
        return any(item.may_update or item.may_resolve or item.may_reopen_done for item in self.items)


def case_actions_for(*, user: Any, case: Case) -> CaseActions:
    """The case's actions this user may see (may_see_action), by meeting and then soonest due, each with the links
    to its pages that the gates of those pages (get_action_for_user, get_action_to_manage) would let through. The
    caller has let the user through the case's own gate, which for a restricted case asks for a reason first."""
    # A case has a few dozen actions at most: each is put to may_see_action itself, so the rule is written once.
    actions = Action.objects.filter(case=case).select_related(*_ACTION_RELATED)
    visible = [
        action
        for action in actions.order_by("listing__meeting__starts_at", "due_on", "id")
        if may_see_action(user, action)
    ]
    prefetch_related_objects(visible, _resolutions())
    items = [_case_action(user, action) for action in visible]
    return CaseActions(items=items, every_agency=bool(user.has_perm(TRACK, case)))


def _case_action(user: Any, action: Action) -> CaseAction:
    status = action.status
    return CaseAction(
        action=action,
        may_update=status == ActionStatus.OPEN and may_update_action(user, action),
        may_resolve=status == ActionStatus.CANNOT_COMPLETE and bool(user.has_perm(RESOLVE, action)),
        may_reopen_done=status == ActionStatus.DONE and bool(user.has_perm(REOPEN_DONE, action)),
        agency_notes=may_see_agency_notes(user, action),
    )


def _visible(actions: QuerySet[Action], viewer: Any) -> QuerySet[Action]:
    """Actions on a restricted case show only to those named on it; the chasing task passes no viewer."""
    return actions if viewer is None else actions.filter(visible_given_restrictions(viewer, through="case"))


def agency_open_actions(*, marac_id: int, agency_id: int | None, viewer: Any = None) -> QuerySet[Action]:
    """One agency's open actions across every case at the MARAC, soonest due first."""
    if agency_id is None:
        return Action.objects.none()
    actions = Action.objects.filter(case__marac_id=marac_id, owner_agency_id=agency_id, status=ActionStatus.OPEN)
    return _visible(actions, viewer).select_related(*_ACTION_RELATED)


def open_actions_at_marac(*, marac_id: int, overdue_on: date | None = None, viewer: Any = None) -> QuerySet[Action]:
    """Every open action at the MARAC, or only those overdue on `overdue_on`."""
    actions = Action.objects.filter(case__marac_id=marac_id, status=ActionStatus.OPEN)
    if overdue_on is not None:
        actions = actions.filter(due_on__lt=overdue_on)
    return _visible(actions, viewer).select_related(*_ACTION_RELATED)


def cannot_complete_at_marac(*, marac_id: int, viewer: Any = None) -> QuerySet[Action]:
    return (
        _visible(Action.objects.filter(case__marac_id=marac_id, status=ActionStatus.CANNOT_COMPLETE), viewer)
        .select_related(*_ACTION_RELATED, "closed_by")
        .order_by("-closed_at", "id")
    )


def not_completed_at_marac(*, marac_id: int, viewer: Any = None) -> QuerySet[Action]:
    """Actions the coordinator or chair closed as not completed, most recent first."""
    actions = Action.objects.filter(case__marac_id=marac_id, status=ActionStatus.NOT_COMPLETED)
    return _visible(actions, viewer).select_related(*_ACTION_RELATED).order_by("-closed_at", "id")


@dataclass(frozen=True)
class AgencyOpenActions:
    agency: Agency
    open_actions: int
    named: list[str]  # its people named on the case, if it is restricted


def agencies_with_open_actions_on(*, case_id: int) -> list[AgencyOpenActions]:
    """The agencies with open actions on a case, how many, and who of theirs is named on it: for the restriction
    page, as a restricted case's actions show only to the people named on it."""
    counts = dict(
        Action.objects.filter(case_id=case_id, status=ActionStatus.OPEN)
        .values_list("owner_agency_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    named: dict[int, list[str]] = {}
    restrictions = CaseRestriction.objects.filter(case_id=case_id, user__agency_id__in=counts)
    for agency_id, name in restrictions.values_list("user__agency_id", "user__full_name").order_by("user__full_name"):
        named.setdefault(agency_id, []).append(name)
    agencies = Agency.objects.filter(pk__in=counts).order_by("name")
    return [AgencyOpenActions(agency, counts[agency.pk], named.get(agency.pk, [])) for agency in agencies]


def next_meeting_day_after(*, marac_id: int, day: date) -> date | None:
    """The day of the first ordinary meeting at the MARAC after `day`, by which an action due on `day` should be done.
    BD Completion of Actions: "not completed by the date of the next meeting", the MARAC's own cycle; an emergency
    meeting, called for one case, is not it."""
    meetings = Meeting.objects.filter(marac_id=marac_id, starts_at__date__gt=day, is_emergency=False)
    meeting = meetings.order_by("starts_at").first()
    return meeting.starts_at.astimezone(LONDON).date() if meeting else None


@dataclass(frozen=True)
class SummaryCase:
    listing: Listing
    actions: list[Action]


def action_summary(*, meeting: Meeting, viewer: Any = None) -> list[SummaryCase]:
    """Each case heard at the meeting with the actions agreed for it, in agenda order."""
    listings = Listing.objects.filter(meeting=meeting)
    if viewer is not None:
        listings = listings.filter(visible_given_restrictions(viewer, through="case"))
    listings = listings.select_related("case").order_by("position", "id")
    actions = Action.objects.filter(listing__meeting=meeting).select_related("owner_agency").order_by("due_on", "id")
    by_listing: dict[int, list[Action]] = {}
    for action in actions:
        by_listing.setdefault(action.listing_id, []).append(action)
    return [SummaryCase(listing, by_listing.get(listing.pk, [])) for listing in listings]


@dataclass(frozen=True)
class FamilyMeeting:
    listing: Listing
    attendance: list[Attendance]
    process_links: list[ProcessLink]
    actions: list[Action]


def family_record(*, case: Case) -> list[FamilyMeeting]:
    """Everything the MARAC recorded about one family, meeting by meeting: only this case's listings and actions."""
    listings = Listing.objects.filter(case=case).select_related("meeting").order_by("meeting__starts_at")
    return [
        FamilyMeeting(
            listing=listing,
            attendance=list(
                Attendance.objects.filter(meeting_id=listing.meeting_id)
                .select_related("user__agency", "agency")
                .order_by("agency__name", "observer_name", "id")
            ),
            process_links=list(listing.process_links.order_by("id")),
            actions=list(
                Action.objects.filter(listing=listing, case=case).select_related("owner_agency").order_by("due_on")
            ),
        )
        for listing in listings
    ]
