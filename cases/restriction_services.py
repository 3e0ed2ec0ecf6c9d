"""Restricting a case to named users, and lifting the restriction. Each change is audited with it."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.permissions import CASE_ROLES, roles_at
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseRestriction


def case_restrict(*, case: Case, named_users: Iterable[Any], by: Any) -> Case:
    """Restrict the case to `named_users` and `by` (who restricts is always named), or change who is named.

    Only users with a case role at the case's MARAC may be named: nobody else could open it anyway."""
    _check_may_restrict(case=case, by=by)
    named = {user.pk: user for user in named_users}
    named[by.pk] = by
    not_at_marac = [user for user in named.values() if not roles_at(user, case.marac_id) & CASE_ROLES]
    if not_at_marac:
        raise ValidationError(f"{', '.join(map(str, not_at_marac))} cannot be named: no case role at this MARAC")
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        was_restricted = current.restricted
        current.restrictions.exclude(user_id__in=named).delete()
        already = set(current.restrictions.values_list("user_id", flat=True))
        CaseRestriction.objects.bulk_create(
            CaseRestriction(case=current, user=user, added_by=by) for pk, user in named.items() if pk not in already
        )
        Case.objects.filter(pk=current.pk).update(restricted=True, version=F("version") + 1)
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"{'Changed who is named on' if was_restricted else 'Restricted'} case {current.pk}: "
            f"{len(named)} named users",
            changes={"restricted": True, "named_user_ids": sorted(named)},
        )
    current.refresh_from_db()
    return current


def case_unrestrict(*, case: Case, by: Any) -> Case:
    """Lift the restriction: the case is seen again by everyone with a case role at its MARAC."""
    _check_may_restrict(case=case, by=by)
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        current.restrictions.all().delete()
        Case.objects.filter(pk=current.pk).update(restricted=False, version=F("version") + 1)
        audit_record(
            action=AuditAction.CHANGE,
            obj=current,
            user=by,
            summary=f"Lifted the restriction on case {current.pk}",
            changes={"restricted": False},
        )
    current.refresh_from_db()
    return current


def _check_may_restrict(*, case: Case, by: Any) -> None:
    if not by.has_perm("cases.restrict_case", case):
        raise ValidationError("Only the coordinator or chair of the case's MARAC may restrict it")
    if case.restricted and not case.restrictions.filter(user=by).exists():
        raise ValidationError("Only a user named on a restricted case may change its restriction")
