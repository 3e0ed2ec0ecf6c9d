"""Amending a case's minute after its meeting has closed: the live pages are read-only then (live_services), and this
is the one way the minute changes, with a reason, the minute as it was kept, and the audit in the same transaction.
Summaries name ids and fields, never what was typed."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.permissions import roles_at
from audit.models import AuditAction
from audit.services import audit_record
from meetings import live_rules, minutes_rules
from meetings.models import Listing, MeetingState, MinuteAmendment


class AmendmentRefused(Exception):
    """An amendment the rules do not allow; the message says why, in words for the page."""


class StaleAmendment(Exception):
    """Someone changed the minute since the page was opened. Carries the listing as saved now."""

    def __init__(self, current: Listing) -> None:
        super().__init__("Someone else amended this minute first")
        self.current = current


@dataclass(frozen=True)
class AmendmentLine:
    note: str  # "Amended on <day> by the <role>: <reason>"
    amendment: MinuteAmendment


def amendment_history(listing: Listing) -> list[AmendmentLine]:
    """The minute's amendments, oldest first, each with the line the minute shows for it."""
    amendments = MinuteAmendment.objects.filter(listing=listing).order_by("amended_at", "id")
    return [
        AmendmentLine(
            note=minutes_rules.amended_note(
                amended_on=timezone.localdate(amendment.amended_at), role=amendment.amended_as, reason=amendment.reason
            ),
            amendment=amendment,
        )
        for amendment in amendments
    ]


def minute_amend(
    *,
    listing: Listing,
    risks_minute: str,
    decisions_minute: str,
    reason: str,
    based_on_version: int,
    based_on_minute: str,
    by: Any,
) -> MinuteAmendment:
    """Amend the minute of a case at a closed meeting. Refused with StaleAmendment when the minute has changed since
    the page showed it (`based_on_version` and `based_on_minute`, its fingerprint: live_rules.minute_fingerprint),
    so two people amending at once never silently overwrite each other; with AmendmentRefused when the meeting is
    not closed, nothing changed, no reason is given, or `by` is neither its chair nor its coordinator."""
    reason = reason.strip()
    if not reason:
        raise AmendmentRefused("Enter why the minute is being amended.")
    role = minutes_rules.amending_role(roles_at(by, listing.meeting.marac_id))
    if role is None:
        raise AmendmentRefused("Only the chair or the coordinator of this MARAC can amend its minutes.")
    with transaction.atomic():
        # The meeting's state, then the listing: the lock order of every live write (live_services).
        state = MeetingState.objects.select_for_update().get(meeting_id=listing.meeting_id)
        current = Listing.objects.select_for_update().select_related("meeting", "case").get(pk=listing.pk)
        risks_changed = current.risks_minute != risks_minute
        decisions_changed = current.decisions_minute != decisions_minute
        # Refused before the conflict: a minute already saved as you would amend it needs no amending.
        refusal = minutes_rules.amendment_refusal(
            meeting_status=state.status, risks_changed=risks_changed, decisions_changed=decisions_changed
        )
        if refusal:
            raise AmendmentRefused(refusal)
        seen = live_rules.minute_fingerprint(current.risks_minute, current.decisions_minute)
        if current.version != based_on_version and based_on_minute != seen:
            raise StaleAmendment(current)
        amendment = MinuteAmendment.objects.create(
            listing=current,
            risks_before=current.risks_minute,
            decisions_before=current.decisions_minute,
            risks_after=risks_minute,
            decisions_after=decisions_minute,
            reason=reason,
            amended_by=by,
            amended_as=role.value,
        )
        current.risks_minute, current.decisions_minute = risks_minute, decisions_minute
        current.version += 1
        current.save(update_fields=["risks_minute", "decisions_minute", "version"])
        changed = [
            name for name, did in (("risks_minute", risks_changed), ("decisions_minute", decisions_changed)) if did
        ]
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            marac_id=current.meeting.marac_id,
            summary=f"Amended the minute of listing {current.pk} after meeting {current.meeting_id} closed "
            f"(amendment {amendment.pk})",
            changes={name: "changed" for name in changed} | {"amended_as": role.value},
            user=by,
        )
    return amendment
