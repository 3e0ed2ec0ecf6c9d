from typing import Any

from django.db.models import Q
from django.http import Http404

from audit.models import AuditAction
from audit.services import audit_record, audit_view
from cases.models import Case
from cases.selectors import restricted_case_reason
from people.models import Person

RESTRICTED_PERSON_VIEW_SUMMARY = "Opened a person in a restricted case; reason given"


def get_person_for_user(*, user: Any, pk: int, audit: bool = True) -> Person:
    """The one gate for a person record: 404 outside need-to-know, whether or not the person exists.

    A person in any restricted case the user is not named on is 404, even if they are also in a case the user
    may see: the person record holds the address the restriction protects. A named user gives a reason first
    (RestrictedCaseNeedsReason, turned into the reason page by web/access.py).
    """
    person = Person.objects.filter(pk=pk).first()
    if person is None or not user.has_perm("people.view_person", person):
        raise Http404
    reasons = restricted_case_reasons(user=user, person=person)
    if not audit:
        return person
    if not reasons:
        audit_view(person, user=user)
        return person
    audit_record(
        action=AuditAction.VIEW,
        obj=person,
        user=user,
        summary=RESTRICTED_PERSON_VIEW_SUMMARY,
        changes=reason_changes(reasons),
    )
    return person


def restricted_case_reasons(*, user: Any, person: Person) -> dict[str, str]:
    """For each restricted case the person is in, the reason the user gave for opening it (by case id).
    404 if the user is not named on one of them; RestrictedCaseNeedsReason if no reason was given lately."""
    in_case = Q(victim=person) | Q(parties__person=person)
    case_ids = sorted(set(Case.objects.filter(in_case, restricted=True).values_list("pk", flat=True)))
    return {str(case_id): restricted_case_reason(user=user, case_id=case_id) for case_id in case_ids}


def reason_changes(reasons: dict[str, str]) -> dict[str, Any]:
    """What goes in the audit entry: the reasons in the user's own words, and which case each was for."""
    return {"reason": " / ".join(reasons.values()), "restricted_cases": reasons} if reasons else {}
