"""Placing and lifting a legal hold (a domestic homicide review, court proceedings): while one is in place,
retention never touches the case."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, LegalHold


class HoldAlreadyLifted(Exception):
    """A hold is lifted once; lifting it again would overwrite who lifted it and when."""


def legal_hold_is_active(hold: LegalHold) -> bool:
    return hold.lifted_at is None


def _changed(case_id: int) -> None:
    """The case's answer in the API shows its legal hold: a partner syncing by `since` gets it again."""
    Case.objects.filter(pk=case_id).update(updated_at=timezone.now())


def legal_hold_place(*, case: Case, reason: str, note: str, by: Any) -> LegalHold:
    with transaction.atomic():
        # Locks the case as retention_apply does, so retention never runs past a hold being placed.
        Case.objects.select_for_update().get(pk=case.pk)
        hold = LegalHold.objects.create(case=case, reason=reason, note=note, placed_by=by)
        _changed(case.pk)
        audit_record(
            action=AuditAction.CREATE,
            obj=hold,
            user=by,
            marac_id=case.marac_id,
            summary=f"Legal hold {hold.pk} placed on case {case.pk}: {reason}",
        )
    return hold


def legal_hold_lift(*, hold: LegalHold, by: Any) -> LegalHold:
    with transaction.atomic():
        current = LegalHold.objects.select_for_update().select_related("case").get(pk=hold.pk)
        if not legal_hold_is_active(current):
            raise HoldAlreadyLifted
        current.lifted_by, current.lifted_at = by, timezone.now()
        current.save(update_fields=["lifted_by", "lifted_at"])
        _changed(current.case_id)
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            marac_id=current.case.marac_id,
            summary=f"Legal hold {current.pk} lifted on case {current.case_id}",
        )
    return current
