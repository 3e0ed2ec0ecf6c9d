"""Writing research and the victim's voice. Each save is refused if someone saved first (optimistic locking on
`version`), and is audited in the same transaction; audit summaries name fields and ids, never what was typed."""

import copy
from typing import Any

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record, field_changes
from cases.models import CaseParty, PartyRole
from marac.models import Agency
from meetings.live_rules import meeting_is_closed
from meetings.models import ChildResearch, ChildStatus, Listing, MeetingState, Research, VictimVoice
from meetings.research_selectors import is_childrens_social_care, may_record_for

# What every agency records (BD Research; BED 5-6).
RESEARCH_FIELDS = ["known_to_agency", "is_written_submission", "about_victim", "about_perpetrator", "about_children"]
# Children's social care's own items (CAM 5.2).
CSC_FIELDS = [
    "proceedings",
    "upcoming_conferences",
    "plan_support",
    "contact_arrangements",
    "non_abusing_parent_support",
    "abusing_parent_work",
    "collusion_concerns",
    "links_to_other_families",
]
VICTIM_VOICE_FIELDS = ["victim_views", "child_voice"]


class StaleResearch(Exception):
    """Someone else saved this record first. Carries what is saved now, so the page can show both versions."""

    def __init__(self, current: Research | VictimVoice | None) -> None:
        super().__init__("Someone else saved this record first")
        self.current = current


class NotYourAgency(Exception):
    """A representative may record only their own agency's research."""


class MeetingClosed(Exception):
    """The meeting has closed: what agencies recorded for it is the record of what was known, and stays as it was."""

    def __init__(self) -> None:
        super().__init__(MEETING_CLOSED_MESSAGE)


MEETING_CLOSED_MESSAGE = (
    "This meeting has closed, so the research and the victim's voice recorded for it are the record of what was "
    "known at the meeting and can no longer be changed. Nothing was saved."
)


def _require_meeting_open(listing: Listing) -> None:
    """Under the meeting state's row lock, which closing the meeting takes too (live_services._require_not_closed):
    a save as the chair closes lands before the close or not at all. Lock order: the state, then the record."""
    state = MeetingState.objects.select_for_update().filter(meeting_id=listing.meeting_id).first()
    if state is not None and meeting_is_closed(state.status):
        raise MeetingClosed


def _check_version(current: Research | VictimVoice | None, based_on_version: int) -> None:
    # Version 0 means "there was nothing saved when I opened the page".
    if (current.version if current is not None else 0) != based_on_version:
        raise StaleResearch(current)


def research_fields_for(agency: Agency) -> list[str]:
    return RESEARCH_FIELDS + (CSC_FIELDS if is_childrens_social_care(agency) else [])


def research_save(
    *, listing: Listing, agency: Agency, data: dict[str, Any], based_on_version: int, by: Any
) -> Research:
    """Save an agency's research on a listing. `data["children"]`, for children's social care only, maps each
    child's person id to their status, harmful behaviour flag and notes."""
    if not may_record_for(user=by, listing=listing, agency=agency):
        raise NotYourAgency
    fields = research_fields_for(agency)
    with transaction.atomic():
        _require_meeting_open(listing)
        current = Research.objects.select_for_update().filter(listing=listing, agency=agency).first()
        _check_version(current, based_on_version)
        created = current is None
        research = current or Research(listing=listing, agency=agency, author=by, version=0)
        before = copy.copy(research)
        for name in fields:
            setattr(research, name, data.get(name, getattr(research, name)))
        research.author = by
        research.version += 1
        research.save()
        children_changed = []
        if is_childrens_social_care(agency):
            children_changed = _save_children(research, listing, data.get("children", {}), created=created)
        changes = field_changes(before, research, fields, with_values=False)
        if children_changed:
            changes["children"] = children_changed
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.CHANGE,
            obj=research,
            user=by,
            marac_id=listing.marac_id,
            summary=f"Recorded research for listing {listing.pk} for agency {agency.pk}",
            changes=changes,
        )
    return research


def _save_children(
    research: Research, listing: Listing, children: dict[int, dict[str, Any]], *, created: bool
) -> list[str]:
    """One row per child on the case; ids of children not on the case are ignored. Returns the child ids changed."""
    changed = []
    # Research just created has no rows yet; the children on the case are needed only as ids.
    existing = {} if created else {row.child_id: row for row in research.children.all()}
    on_case = CaseParty.objects.filter(case_id=listing.case_id, role=PartyRole.CHILD).order_by("person_id")
    for child_id in on_case.values_list("person_id", flat=True):
        values = children.get(child_id)
        if values is None:
            continue
        row = existing.get(child_id) or ChildResearch(research=research, child_id=child_id)
        new = (
            values.get("status", ChildStatus.NOT_KNOWN),
            bool(values.get("harmful_behaviour")),
            values.get("notes", ""),
        )
        if row.pk and (row.status, row.harmful_behaviour, row.notes) == new:
            continue
        row.status, row.harmful_behaviour, row.notes = new
        row.save()
        changed.append(str(child_id))
    return changed


def victim_voice_save(*, listing: Listing, data: dict[str, Any], based_on_version: int, by: Any) -> VictimVoice:
    """The IDVA's account of the victim's views and wishes and, where sought, the child's voice."""
    with transaction.atomic():
        _require_meeting_open(listing)
        current = VictimVoice.objects.select_for_update().filter(listing=listing).first()
        _check_version(current, based_on_version)
        created = current is None
        voice = current or VictimVoice(listing=listing, recorded_by=by, version=0)
        before = copy.copy(voice)
        for name in VICTIM_VOICE_FIELDS:
            setattr(voice, name, data.get(name, getattr(voice, name)))
        voice.recorded_by = by
        voice.version += 1
        voice.save()
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.CHANGE,
            obj=voice,
            user=by,
            marac_id=listing.marac_id,
            summary=f"Recorded the victim's voice for listing {listing.pk}",
            changes=field_changes(before, voice, VICTIM_VOICE_FIELDS, with_values=False),
        )
    return voice
