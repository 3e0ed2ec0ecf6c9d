"""The legal hold panel of the case page and the two forms it posts to. Cases are reached through the case gate."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases.models import Case, LegalHold, LegalHoldReason
from cases.selectors import cases_visible_to, get_case_for_user
from governance.legal_hold_services import HoldAlreadyLifted, legal_hold_lift, legal_hold_place
from governance.retention_services import cases_whose_holds_keep
from web import once
from web.access import require_permission

PERMISSION = "cases.place_legal_hold"


class LegalHoldForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why the case must be kept",
        choices=LegalHoldReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the case must be kept"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        help_text="For example the review panel or the court's reference. No names.",
    )


def legal_hold_panel(*, user: Any, case: Case) -> dict[str, Any]:
    """For the case page: the holds on the case, the other cases whose holds keep it too, and, for those who may
    place one, the form."""
    may_place = user.has_perm(PERMISSION, case)
    holds = list(case.legal_holds.order_by("-placed_at"))
    named, unnamed = _kept_by(user=user, case=case)
    return {
        "holds": holds,
        "active": any(hold.lifted_at is None for hold in holds),
        "kept_by": named,
        "kept_by_another": unnamed,
        "form": once.with_token(LegalHoldForm()) if may_place else None,
        "can_manage": may_place,
    }


def _kept_by(*, user: Any, case: Case) -> tuple[list[Case], bool]:
    """The cases the user may see whose holds keep this one (a hold keeps every case of its victim and perpetrator,
    governance.retention_services), and whether a case they may not see keeps it too: that one is never named."""
    holding = cases_whose_holds_keep(case=case)
    if not holding:
        return [], False
    named = list(cases_visible_to(user=user).filter(pk__in=holding).order_by("reference"))
    return named, len(named) < len(holding)


def _case_for_hold(request: HttpRequest, pk: int) -> Case:
    case = get_case_for_user(user=request.user, pk=pk, audit=False)
    if not request.user.has_perm(PERMISSION, case):
        raise Http404
    return case


def _case_page(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk]) + "#legal-hold"


def _back(case: Case) -> HttpResponse:
    return redirect(_case_page(case))


@require_permission(PERMISSION)
@require_POST
def legal_hold_place_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_hold(request, pk)
    # Sent twice (no JavaScript to stop a second click), one hold: a second would keep the case held when one is lifted.
    if (again := once.already_done(request)) is not None:
        return again
    form = once.with_token(LegalHoldForm(request.POST))
    if not form.is_valid():
        # Its own page, with the errors by the fields and what was typed kept (the case page's form starts empty).
        return render(request, "governance/legal_hold_form.html", {"case": case, "form": form})
    legal_hold_place(case=case, **once.without_token(form.cleaned_data), by=request.user)
    messages.success(request, "Legal hold placed: retention will not touch this case until it is lifted.")
    return once.done(request, _case_page(case))


@require_permission(PERMISSION)
@require_POST
def legal_hold_lift_view(request: HttpRequest, pk: int, hold_pk: int) -> HttpResponse:
    case = _case_for_hold(request, pk)
    hold = LegalHold.objects.filter(pk=hold_pk, case=case).first()
    if hold is None:
        raise Http404
    try:
        legal_hold_lift(hold=hold, by=request.user)
    except HoldAlreadyLifted:
        messages.error(request, "That legal hold had already been lifted.")
        return _back(case)
    messages.success(request, "Legal hold lifted.")
    return _back(case)
