"""Writing the action plan at the meeting (BD Action planning): actions volunteered by agencies, and the standard
actions every case gets. Each write is audited in its own transaction; summaries never repeat what was typed."""

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from actions.models import Action, ForWhom
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case
from marac.models import Agency, AgencyType, MaracAgency
from meetings import live_rules
from meetings.models import Listing
from referrals.models import IdvaAllocation

# Our choice, not the toolkit's: standard actions fall due a week after the meeting, after the action summary has
# gone out (BD: within 5 days) and well before the coordinator chases at the next meeting.
STANDARD_ACTION_DAYS = 7


class NotThisMaracsAgency(Exception):
    """An action is owned by one of the agencies of the case's MARAC, or by none."""


# The hint beside the choice of agency on a restricted case, so the refusal below comes as no surprise.
RESTRICTED_CASE_OWNERS = "The case is restricted: only an agency with someone named on it can be given the action."


class AgencyNotNamedOnCase(Exception):
    """The case is restricted and no one from the agency is named on it (agency_not_named_on_case)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def agency_not_named_on_case(*, case: Case, agency: Agency) -> str | None:
    """Why `agency` cannot be given an action on `case`, in words for the form; None when it can. A restricted case's
    actions show only to the people named on it (tracking_selectors): an agency with no one named would never see the
    action, could not mark it done and would not be chased for it, as the case's restriction page warns."""
    # Read now, not from `case`: the case may have been restricted since the page with the form was read.
    excluded = Case.objects.filter(pk=case.pk, restricted=True).exclude(restrictions__user__agency_id=agency.pk)
    if not excluded.exists():
        return None
    return (
        f"{agency.name} cannot be given this action: the case is restricted and no one from {agency.name} is named "
        f"on it, so they would not see the action or be chased for it. Name someone from {agency.name} on the "
        "case's restriction first, or choose another agency"
    )


def _check_owner(listing: Listing, owner_agency: Agency) -> None:
    marac_id = listing.meeting.marac_id
    if not MaracAgency.objects.filter(marac_id=marac_id, agency=owner_agency).exists() and (
        owner_agency.pk != listing.case.referring_agency_id
    ):
        raise NotThisMaracsAgency
    if refused := agency_not_named_on_case(case=listing.case, agency=owner_agency):
        raise AgencyNotNamedOnCase(refused)


def action_record(
    *, listing: Listing, owner_agency: Agency, description: str, for_whom: str, due_on: date, by: Any
) -> Action:
    """An action an agency volunteered for this case."""
    _check_owner(listing, owner_agency)
    with transaction.atomic():
        action = Action.objects.create(
            listing=listing,
            case_id=listing.case_id,
            owner_agency=owner_agency,
            description=description,
            for_whom=ForWhom(for_whom),
            due_on=due_on,
            created_by=by,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=action,
            marac_id=listing.meeting.marac_id,
            summary=f"Recorded an action for agency {owner_agency.pk} on listing {listing.pk}",
            changes={"for_whom": action.for_whom, "due_on": str(due_on)},
            user=by,
        )
    return action


def _memberships(marac_id: int) -> list[MaracAgency]:
    return list(MaracAgency.objects.filter(marac_id=marac_id).select_related("agency").order_by("-is_core", "id"))


def _first_of_type(memberships: list[MaracAgency], agency_type: str) -> int | None:
    # Core agencies come first, so a core police force wins over a neighbouring one that only sometimes attends.
    return next((m.agency_id for m in memberships if m.agency.agency_type == agency_type), None)


def standard_action_facts(listing: Listing) -> live_rules.StandardActionFacts:
    memberships = _memberships(listing.meeting.marac_id)
    allocation = IdvaAllocation.objects.filter(case_id=listing.case_id).first()
    return live_rules.StandardActionFacts(
        core_agency_ids=[m.agency_id for m in memberships if m.is_core],
        police_agency_id=_first_of_type(memberships, AgencyType.POLICE),
        idva_agency_id=_first_of_type(memberships, AgencyType.IDVA_SERVICE),
        referring_agency_id=listing.case.referring_agency_id,
        idva_declined=allocation is not None and allocation.declined_by_victim,
    )


def standard_actions_create(*, listing: Listing, by: Any) -> tuple[list[Action], list[str]]:
    """Add the standard actions the case does not have yet; return those added and the ones no agency could own."""
    planned, gaps = live_rules.standard_actions(standard_action_facts(listing))
    due_on = timezone.localtime(listing.meeting.starts_at).date() + timedelta(days=STANDARD_ACTION_DAYS)
    with transaction.atomic():
        # Locking the listing makes two people opening the case at once add the actions only once.
        Listing.objects.select_for_update().filter(pk=listing.pk).first()
        existing = set(
            Action.objects.filter(listing=listing, is_standard=True).values_list("owner_agency_id", "description")
        )
        created = [
            Action.objects.create(
                listing=listing,
                case_id=listing.case_id,
                owner_agency_id=planned_action.owner_agency_id,
                description=planned_action.description,
                for_whom=planned_action.for_whom,
                due_on=due_on,
                is_standard=True,
                created_by=by,
            )
            for planned_action in live_rules.standard_actions_missing(planned, existing)
        ]
        # One entry each, as for an action recorded by hand: the trail finds each action by its number, and hides it
        # with the rest of a restricted case's records (audit/selectors.py matches entries on one object id).
        for number, action in enumerate(created, start=1):
            audit_record(
                action=AuditAction.CREATE,
                obj=action,
                marac_id=listing.meeting.marac_id,
                summary=f"Added standard action {number} of {len(created)} for agency {action.owner_agency_id} "
                f"on listing {listing.pk}",
                changes={"for_whom": action.for_whom, "due_on": str(due_on), "is_standard": True},
                user=by,
            )
    return created, gaps
