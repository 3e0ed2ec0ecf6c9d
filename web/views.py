from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import roles_at
from cases.selectors import referrals_made_by
from governance.records_selectors import deadlines_at
from marac.models import Marac
from web.access import (
    SESSION_MARAC_KEY,
    current_marac_id,
    public,
    require_permission,
    require_sign_in,
)

# The landing page a role sees first, in order of precedence when a user holds several at one MARAC.
_LANDING = [
    (Role.COORDINATOR, "web/landing_coordinator.html"),
    (Role.CHAIR, "web/landing_chair.html"),
    (Role.IDVA, "web/landing_idva.html"),
    (Role.AGENCY_REPRESENTATIVE, "web/landing_representative.html"),
    (Role.REFERRER, "web/landing_referrer.html"),
    (Role.BOARD_VIEWER, "web/landing_board.html"),
    (Role.ADMINISTRATOR, "web/landing_administrator.html"),
]


@require_sign_in
def home(request: HttpRequest) -> HttpResponse:
    marac_id = current_marac_id(request)
    roles = roles_at(request.user, marac_id)
    for role, template in _LANDING:
        if role in roles:
            context: dict[str, object] = {"role": role}
            if role == Role.REFERRER:
                context["referrals"] = referrals_made_by(user=request.user)
            if role in {Role.COORDINATOR, Role.CHAIR} and marac_id is not None:
                # Complaints to acknowledge, minutes to release: deadlines the protocol gives these two roles.
                context["governance_deadlines"] = deadlines_at(marac_id=marac_id, today=timezone.localdate())
            return render(request, template, context)
    return render(request, "web/landing_no_role.html")


class ChooseMaracForm(forms.Form):
    marac = forms.ModelChoiceField(
        queryset=Marac.objects.none(),
        label="Which MARAC are you working in?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the MARAC you are working in",
            # A MARAC where they hold no role (a tampered form, or a role removed since the page was shown).
            "invalid_choice": "Select one of the MARACs where you have a role",
        },
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marac"].queryset = Marac.objects.filter(role_grants__user=user).distinct()  # type: ignore[attr-defined]


@require_sign_in
def choose_marac(request: HttpRequest) -> HttpResponse:
    # Bound on every POST, an empty one included, so that choosing nothing says so.
    form = ChooseMaracForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_MARAC_KEY] = form.cleaned_data["marac"].pk
        return redirect("web:home")
    return render(request, "web/choose_marac.html", {"form": form})


@require_permission("reports.view_aggregates")
def aggregates(request: HttpRequest) -> HttpResponse:
    """The first board page's address, kept for bookmarks: the dashboard replaced it."""
    return redirect("reports:dashboard")


@public
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})
