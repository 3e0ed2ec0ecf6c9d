"""Reading cases, with need-to-know applied. Views and API routes get cases only through these."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role
from accounts.permissions import CASE_ROLES, marac_ids_where, roles_at
from audit.models import AuditAction
from audit.services import audit_record, audit_view
from cases.models import Case
from cases.restriction import RestrictedCaseNeedsReason, is_named_on, reason_given, visible_given_restrictions

RESTRICTED_VIEW_SUMMARY = "Opened restricted case; reason given"


def cases_visible_to(*, user: Any) -> QuerySet[Case]:
    """Cases at the MARACs where the user holds a case role, plus those a referrer referred; a restricted case
    only for the users named on it."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    visible = Case.objects.filter(marac_id__in=marac_ids_where(user, CASE_ROLES))
    if Role.REFERRER in roles_at(user, None):
        visible = visible | Case.objects.filter(referred_by=user)
    return visible.filter(visible_given_restrictions(user)).distinct()


def cases_at_marac(*, user: Any, marac_id: int) -> QuerySet[Case]:
    if not roles_at(user, marac_id) & CASE_ROLES:
        return Case.objects.none()
    return (
        Case.objects.filter(marac_id=marac_id)
        .filter(visible_given_restrictions(user))
        .select_related("victim", "referring_agency")
    )


def referrals_made_by(*, user: Any) -> QuerySet[Case]:
    return Case.objects.filter(referred_by=user).filter(visible_given_restrictions(user)).select_related("marac")


def get_case_for_user(*, user: Any, pk: int, audit: bool = True) -> Case:
    """The one gate for a case: the case if the user may see it, else 404, whether or not it exists.

    A restricted case is 404 to all but the users named on it, and raises RestrictedCaseNeedsReason (turned
    into the reason page by web/access.py) until a named user has given a reason in this session."""
    try:  # get(), not first(): no ORDER BY to build for a primary key
        case = Case.objects.select_related("marac", "victim", "referring_agency").get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    return case_through_gate(user=user, case=case, audit=audit)


def case_through_gate(*, user: Any, case: Case, audit: bool = True) -> Case:
    """get_case_for_user for a case already read (with a listing, say): the same checks and the same audit entry."""
    if not user.has_perm("cases.view_case", case):
        raise Http404
    if not case.restricted:
        if audit:
            audit_view(case, user=user)
        return case
    reason = restricted_case_reason(user=user, case_id=case.pk)
    if audit:
        audit_record(
            action=AuditAction.VIEW, obj=case, user=user, summary=RESTRICTED_VIEW_SUMMARY, changes={"reason": reason}
        )
    return case


def restricted_case_reason(*, user: Any, case_id: int) -> str:
    """The reason the user gave for opening this restricted case; 404 if they are not named on it."""
    if not is_named_on(user, case_id):
        raise Http404
    reason = reason_given(case_id)
    if reason is None:
        raise RestrictedCaseNeedsReason(case_id)
    return reason


def get_case_to_give_reason(*, user: Any, pk: int) -> Case:
    """For the reason page: a case the user may open once they say why (or, unrestricted, at once); else 404."""
    case = Case.objects.select_related("marac").filter(pk=pk).first()
    if case is None or not user.has_perm("cases.view_case", case):
        raise Http404
    if case.restricted and not is_named_on(user, case.pk):
        raise Http404
    return case


def get_case_to_restrict(*, user: Any, pk: int) -> Case:
    """For the restriction page: the case through the gate, and the permission to restrict at its MARAC."""
    case = get_case_for_user(user=user, pk=pk, audit=False)
    if not user.has_perm("cases.restrict_case", case):
        raise Http404
    return case


def case_is_referrers_only(*, user: Any, case: Case) -> bool:
    """A referrer without a case role at the case's MARAC sees the status of their referral, nothing more."""
    return not roles_at(user, case.marac_id) & CASE_ROLES


def perpetrator_links(*, case: Case, user: Any, perpetrator_ids: list[int] | None = None) -> dict[int, list[Case]]:
    """For each perpetrator on the case, the other cases at this MARAC where they are a perpetrator against a
    different victim: their links to other families (DOMAIN.md step 9; CAM 5.2 "links to other families").
    A restricted case is left out unless the user is named on it. `perpetrator_ids`: the case's perpetrators, when
    the caller has already read its parties."""
    from cases.models import CaseParty, PartyRole
    from people.linkage import same_person_ids

    if perpetrator_ids is None:
        perpetrator_ids = list(case.parties.filter(role=PartyRole.PERPETRATOR).values_list("person_id", flat=True))
    links: dict[int, list[Case]] = {person_id: [] for person_id in perpetrator_ids}
    # Records a coordinator confirmed to be the same person count as this perpetrator (people.linkage).
    same = same_person_ids([*perpetrator_ids, case.victim_id])
    owner = {member: person_id for person_id in perpetrator_ids for member in same[person_id]}
    others = (
        CaseParty.objects.filter(person_id__in=owner, role=PartyRole.PERPETRATOR, case__marac_id=case.marac_id)
        .exclude(case__victim_id__in=same[case.victim_id])
        .filter(visible_given_restrictions(user, through="case"))
        .select_related("case")
        .order_by("-case__referred_on")
    )
    for party in others:
        if party.case not in links[owner[party.person_id]]:
            links[owner[party.person_id]].append(party.case)
    return links
