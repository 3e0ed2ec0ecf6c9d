from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts import kept_form
from actions.tracking_selectors import case_actions_for
from audit.services import audit_record
from cases.models import PartyRole
from cases.selectors import case_is_referrers_only, cases_at_marac, get_case_for_user, perpetrator_links
from cases.transfer_forms import CaseTransferForm
from governance.legal_hold_views import legal_hold_panel
from marac.models import Marac
from referrals import case_transfers, decisions
from referrals.followup_views import followup_panels
from referrals.models import Transfer
from web import once
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
            "can_correct_parties": request.user.has_perm("cases.correct_party", case),
            "can_see_record_access": request.user.has_perm("audit.view_record_access", case),
            "transfer_out": case_transfers.case_transfer_state(case),
            "can_refer_on": request.user.has_perm(case_transfers.DECIDE, case),
            # The actions the user may see, with only the links their pages' gates would let through.
            "case_actions": case_actions_for(user=request.user, case=case),
        },
    )


@require_permission(case_transfers.DECIDE)
def case_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator refers a case accepted here to the MARAC where the victim now lives (BD Referrals to other
    MARACs). The case through the same gate as its page, restricted cases included."""
    case = get_case_for_user(user=request.user, pk=pk, audit=request.method == "GET")
    if not request.user.has_perm(case_transfers.DECIDE, case):
        raise Http404
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice: referred once
    refusal = case_transfers.case_transfer_state(case).refusal
    if refusal is not None:
        if request.method == "POST":  # changed since the page was opened
            messages.error(request, f"Nothing was saved. {refusal}")
            return redirect("cases:detail", pk=case.pk)
        return render(request, "cases/case_transfer.html", {"case": case, "refusal": refusal})
    form = once.with_token(CaseTransferForm(_transfer_data(request), from_marac=case.marac))
    if request.method == "POST" and form.is_valid():
        try:
            made = case_transfers.case_transfer(
                case=case,
                to_marac=form.cleaned_data.get("to_marac"),
                to_marac_name=form.cleaned_data["to_marac_name"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except case_transfers.CaseTransferRefused as refused:
            messages.error(request, f"Nothing was saved. {refused}")
            return redirect("cases:detail", pk=case.pk)
        messages.success(request, _case_transferred_message(made))
        return once.done(request, reverse("cases:detail", args=[case.pk]))
    return render(request, "cases/case_transfer.html", {"case": case, "form": form})


def _transfer_data(request: HttpRequest) -> QueryDict | None:
    """What was posted; or, on coming back from saying why a restricted case is opened, what was typed before
    (kept, not saved), with a new one-time token since the kept one was not."""
    if request.method == "POST":
        return request.POST
    kept = kept_form.take(request)
    if kept is None:
        return None
    data = kept.copy()
    data[once.FIELD] = once.new_token()
    return data


def _case_transferred_message(made: Transfer) -> str:
    if made.is_outside:
        return (
            f"Referral of this case to {made.to_marac_label} recorded. That MARAC does not use OpenMARAC here: "
            "send it the referral by its usual secure route."
        )
    if made.to_referral is not None and not decisions.criteria_met_here(made.to_referral):
        return (
            f"Case referred to {made.to_marac_label}. It does not meet that MARAC's criteria as it stands: its "
            "coordinator sees why, and decides what happens next."
        )
    return f"Case referred to {made.to_marac_label}. Its coordinators have been told a referral is waiting."
