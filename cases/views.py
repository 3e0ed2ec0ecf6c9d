from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.services import audit_record
from cases.models import PartyRole
from cases.selectors import case_is_referrers_only, cases_at_marac, get_case_for_user, perpetrator_links
from governance.legal_hold_views import legal_hold_panel
from marac.models import Marac
from referrals.followup_views import followup_panels
from web.access import current_marac_where, require_permission


@require_permission("cases.list_cases")
def case_list(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_where(request, "cases.list_cases")
    page = Paginator(cases_at_marac(user=request.user, marac_id=marac_id), 50).get_page(request.GET.get("page"))
    audit_record(
        action="view",
        object_type="cases.case",
        marac_id=marac_id,
        summary=f"Case list page {page.number}: {len(page.object_list)} cases",
    )
    return render(request, "cases/case_list.html", {"page": page, "marac": Marac.objects.get(pk=marac_id)})


@require_permission("cases.view_case")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(user=request.user, pk=pk)
    if case_is_referrers_only(user=request.user, case=case):
        return render(request, "cases/referral_status.html", {"case": case})
    parties = list(case.parties.select_related("person").order_by("role"))
    perpetrators = [party.person for party in parties if party.role == PartyRole.PERPETRATOR]
    links = perpetrator_links(case=case, user=request.user, perpetrator_ids=[person.pk for person in perpetrators])
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "perpetrators": [(person, links.get(person.pk, [])) for person in perpetrators],
            "children": [party.person for party in parties if party.role == PartyRole.CHILD],
            **followup_panels(request, case),
            "can_export_record": request.user.has_perm("meetings.export_family_record", case),
            "legal_hold": legal_hold_panel(user=request.user, case=case),
            "can_restrict": request.user.has_perm("cases.restrict_case", case),
            "can_see_record_access": request.user.has_perm("audit.view_record_access", case),
        },
    )
