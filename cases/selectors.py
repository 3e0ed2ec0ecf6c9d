"""Reading cases, with need-to-know applied. Views and API routes get cases only through these."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role
from accounts.permissions import CASE_ROLES, marac_ids_where, roles_at
from audit.services import audit_view
from cases.models import Case


def cases_visible_to(*, user: Any) -> QuerySet[Case]:
    """Cases at the MARACs where the user holds a case role, plus those a referrer referred."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    visible = Case.objects.filter(marac_id__in=marac_ids_where(user, CASE_ROLES))
    if Role.REFERRER in roles_at(user, None):
        visible = visible | Case.objects.filter(referred_by=user)
    return visible.distinct()


def cases_at_marac(*, user: Any, marac_id: int) -> QuerySet[Case]:
    if not roles_at(user, marac_id) & CASE_ROLES:
        return Case.objects.none()
    return Case.objects.filter(marac_id=marac_id).select_related("victim", "referring_agency")


def referrals_made_by(*, user: Any) -> QuerySet[Case]:
    return Case.objects.filter(referred_by=user).select_related("marac")


def get_case_for_user(*, user: Any, pk: int, audit: bool = True) -> Case:
    """The one gate for a case: the case if the user may see it, else 404, whether or not it exists."""
    case = Case.objects.select_related("marac", "victim", "referring_agency").filter(pk=pk).first()
    if case is None or not user.has_perm("cases.view_case", case):
        raise Http404
    if audit:
        audit_view(case, user=user)
    return case


def case_is_referrers_only(*, user: Any, case: Case) -> bool:
    """A referrer without a case role at the case's MARAC sees the status of their referral, nothing more."""
    return not roles_at(user, case.marac_id) & CASE_ROLES


def perpetrator_links(*, case: Case) -> dict[int, list[Case]]:
    """For each perpetrator on the case, the other cases at this MARAC where they are a perpetrator against a
    different victim: their links to other families (DOMAIN.md step 9; CAM 5.2 "links to other families")."""
    from cases.models import CaseParty, PartyRole

    perpetrator_ids = list(case.parties.filter(role=PartyRole.PERPETRATOR).values_list("person_id", flat=True))
    links: dict[int, list[Case]] = {person_id: [] for person_id in perpetrator_ids}
    others = (
        CaseParty.objects.filter(
            person_id__in=perpetrator_ids, role=PartyRole.PERPETRATOR, case__marac_id=case.marac_id
        )
        .exclude(case__victim_id=case.victim_id)
        .select_related("case")
        .order_by("-case__referred_on")
    )
    for party in others:
        links[party.person_id].append(party.case)
    return links
