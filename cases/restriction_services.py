"""Restricting a case to named users, and lifting the restriction. Each change is audited with it."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.permissions import CASE_ROLES, roles_at
from api.models import ApiCredential
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseRestriction


class StaleRestriction(Exception):
    """Someone changed who may see the case since the page was opened. Carries the case as saved now."""

    def __init__(self, current: Case) -> None:
        super().__init__("Someone else changed who may see this case first")
        self.current = current


def restriction_state(case: Case) -> str:
    """Who may see the case, as one string a form carries: "open", or "restricted:" and the named users' ids."""
    if not case.restricted:
        return "open"
    named = sorted(CaseRestriction.objects.filter(case_id=case.pk).values_list("user_id", flat=True))
    return "restricted:" + ",".join(map(str, named))


def _check_not_stale(current: Case, based_on_version: int | None, based_on: str | None, wanted: str) -> None:
    """Under the row lock: refused if the case was saved since the page's version and who may see it changed too
    (a change to something else about the case, such as its status, is no conflict here, nor is asking for what
    is already saved: `wanted`, in restriction_state's form)."""
    if based_on_version is None or current.version == based_on_version:
        return
    now = restriction_state(current)
    if now not in (based_on, wanted):
        raise StaleRestriction(current)


def case_restrict(
    *,
    case: Case,
    named_users: Iterable[Any],
    by: Any,
    based_on_version: int | None = None,
    based_on: str | None = None,
) -> Case:
    """Restrict the case to `named_users` and `by` (who restricts is always named), or change who is named.

    Only users with a case role at the case's MARAC may be named: nobody else could open it anyway; and only
    people, not API credentials, which could never give the reason asked before each opening. With
    `based_on_version` (the case's version when the page was opened) and `based_on` (restriction_state then),
    refused with StaleRestriction if who may see the case has changed since: nothing is saved."""
    _check_may_restrict(case=case, by=by)
    named = {user.pk: user for user in named_users}
    named[by.pk] = by
    not_at_marac = [user for user in named.values() if not roles_at(user, case.marac_id) & CASE_ROLES]
    if not_at_marac:
        raise ValidationError(f"{', '.join(map(str, not_at_marac))} cannot be named: no case role at this MARAC")
    credentials = ApiCredential.objects.filter(service_user_id__in=named).order_by("name")
    if credentials:
        raise ValidationError(
            f"{', '.join(credential.name for credential in credentials)} cannot be named: an API credential cannot "
            "open a restricted case, which only people named on it open, each saying why"
        )
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        _check_not_stale(current, based_on_version, based_on, "restricted:" + ",".join(map(str, sorted(named))))
        was_restricted = current.restricted
        current.restrictions.exclude(user_id__in=named).delete()
        already = set(current.restrictions.values_list("user_id", flat=True))
        CaseRestriction.objects.bulk_create(
            CaseRestriction(case=current, user=user, added_by=by) for pk, user in named.items() if pk not in already
        )
        # An update() does not set auto_now fields: updated_at is set so that ?since= finds the case (API docs).
        Case.objects.filter(pk=current.pk).update(restricted=True, version=F("version") + 1, updated_at=timezone.now())
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


class SamePeopleCaseChanged(Exception):
    """One of the same people's other cases was restricted, or who may see it changed, since the page was opened."""


def case_restrict_with_same_people(
    *,
    case: Case,
    named_users: Iterable[Any],
    also: Sequence[Case],
    by: Any,
    based_on_version: int | None = None,
    based_on: str | None = None,
) -> Case:
    """case_restrict, and restrict `also` (the same people's other cases, open when the page listed them) to the same
    users, in one transaction: all of them are restricted, or none. SamePeopleCaseChanged, with nothing saved, if one
    of `also` is no longer open as it was when read."""
    named = list(named_users)
    with transaction.atomic():
        restricted = case_restrict(
            case=case, named_users=named, by=by, based_on_version=based_on_version, based_on=based_on
        )
        for other in also:
            try:
                case_restrict(case=other, named_users=named, by=by, based_on_version=other.version, based_on="open")
            except StaleRestriction:
                raise SamePeopleCaseChanged from None
        if also:
            audit_record(
                action=AuditAction.CHANGE,
                obj=restricted,
                user=by,
                summary=f"Restricted with case {case.pk} the other cases of the same people: "
                f"{', '.join(str(other.pk) for other in also)}",
                changes={"also_restricted_case_ids": [other.pk for other in also]},
            )
    return restricted


def case_unrestrict(*, case: Case, by: Any, based_on_version: int | None = None, based_on: str | None = None) -> Case:
    """Lift the restriction: the case is seen again by everyone with a case role at its MARAC. Refused with
    StaleRestriction as case_restrict is, if who may see it changed since the page was opened."""
    _check_may_restrict(case=case, by=by)
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        _check_not_stale(current, based_on_version, based_on, "open")
        current.restrictions.all().delete()
        # Seen again by everyone at the MARAC: a partner syncing with ?since= must find it (see case_restrict).
        Case.objects.filter(pk=current.pk).update(restricted=False, version=F("version") + 1, updated_at=timezone.now())
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
