"""The restricted-case pages: the reason asked before opening one, and restricting or lifting it."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from cases.restriction import remember_reason
from cases.restriction_forms import CaseRestrictionForm, RestrictedCaseReasonForm
from cases.restriction_services import case_restrict, case_unrestrict
from cases.selectors import get_case_to_give_reason, get_case_to_restrict
from web.access import require_permission


def _safe_next(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: the reason page must not become a way to send someone elsewhere.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
        return wanted
    return default


@require_permission("cases.view_case")
def case_reason(request: HttpRequest, pk: int) -> HttpResponse:
    """'Why are you opening this restricted case?' Only for users named on it; 404 for everyone else."""
    case = get_case_to_give_reason(user=request.user, pk=pk)
    next_path = _safe_next(request, reverse("cases:detail", args=[case.pk]))
    if not case.restricted:  # nothing to ask: the case gate decides the rest
        return redirect(next_path)
    form = RestrictedCaseReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        remember_reason(request.session, case.pk, form.cleaned_data["reason"])
        return redirect(next_path)
    return render(request, "cases/restricted_reason.html", {"case": case, "form": form, "next": next_path})


@require_permission("cases.restrict_case")
def case_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_restrict(user=request.user, pk=pk)
    initial = {"named_users": list(case.restrictions.values_list("user_id", flat=True))}
    form = CaseRestrictionForm(request.POST or None, case=case, by=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("restricted") == "no":
                case_unrestrict(case=case, by=request.user)
            else:
                case_restrict(case=case, named_users=form.cleaned_data["named_users"], by=request.user)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/restriction.html", {"case": case, "form": form})
