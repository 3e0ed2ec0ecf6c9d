"""The restricted-case pages: the reason asked before opening one, and restricting or lifting it."""

from typing import cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from accounts.models import User
from accounts.permissions import CASE_ROLES
from actions.tracking_selectors import agencies_with_open_actions_on
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, CaseRestriction
from cases.restriction import RestrictedCaseNeedsReason, remember_reason
from cases.restriction_forms import SAME_PEOPLE_CHANGED, CaseRestrictionForm, RestrictedCaseReasonForm
from cases.restriction_selectors import SamePeopleCase, same_people_cases
from cases.restriction_services import (
    SamePeopleCaseChanged,
    StaleRestriction,
    case_restrict_with_same_people,
    case_unrestrict,
    restriction_state,
)
from cases.selectors import get_case_to_give_reason, get_case_to_restrict
from web.access import require_permission

RESTRICTION_CONFLICT = (
    "Someone else changed who may see this case while you had this page open. Your choice has not been saved. "
    "Who may see it now is shown below, and your choice is still in the form: check it, then save to replace "
    "what is saved, or cancel to keep it."
)
RESTRICTED_MEANWHILE = (
    "This case was restricted while you had this page open, and you are named on it. Your choice has not been "
    "saved. Say why you are opening the case, then check who may see it now and make your choice again."
)
REASON_NEEDED_AGAIN = (
    "It is more than 30 minutes since you said why you are opening this restricted case. Your choice has not been "
    "saved. Say why you are opening it again, then check who may see it now and make your choice again."
)


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
    try:
        case = get_case_to_restrict(user=request.user, pk=pk)
    except RestrictedCaseNeedsReason:
        if request.method != "POST":
            raise  # the reason page, then back here
        return _restricted_meanwhile(request, pk)
    initial = {
        "named_users": list(case.restrictions.values_list("user_id", flat=True)),
        "version": case.version,
        "based_on": restriction_state(case),
    }
    same_people = _same_people_listed(request, case)
    form = CaseRestrictionForm(
        request.POST or None, case=case, by=request.user, same_people=same_people, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        based_on = {"based_on_version": form.cleaned_data["version"], "based_on": form.cleaned_data["based_on"]}
        try:
            if request.POST.get("restricted") == "no":
                case_unrestrict(case=case, by=request.user, **based_on)
            else:
                case_restrict_with_same_people(
                    case=case,
                    named_users=form.cleaned_data["named_users"],
                    also=_chosen(same_people, form.cleaned_data.get("also_restrict", [])),
                    by=request.user,
                    **based_on,
                )
        except StaleRestriction as stale:
            return _restriction_conflict(request, stale.current, form)
        except SamePeopleCaseChanged:
            form.add_error(None, SAME_PEOPLE_CHANGED)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            return redirect("cases:detail", pk=case.pk)
    context = {
        "case": case,
        "form": form,
        "open_actions": agencies_with_open_actions_on(case_id=case.pk),
        "same_people": same_people,
        "same_people_open": [linked for linked in same_people if not linked.case.restricted],
    }
    return render(request, "cases/restriction.html", context)


def _same_people_listed(request: HttpRequest, case: Case) -> list[SamePeopleCase]:
    """The same people's other cases, audited as listed (by id) when there are any, as the person page does."""
    same_people = same_people_cases(case=case, user=request.user)
    if same_people:
        listed = [linked.case.pk for linked in same_people]
        audit_record(
            action=AuditAction.VIEW,
            obj=case,
            user=request.user,
            summary=f"Listed the other cases of the same people: {', '.join(map(str, listed))}",
            changes={"case_ids": listed},
        )
    return same_people


def _chosen(same_people: list[SamePeopleCase], chosen: list[str]) -> list[Case]:
    return [linked.case for linked in same_people if str(linked.case.pk) in chosen]


def _your_choice(request: HttpRequest, users: list[User]) -> str:
    if request.POST.get("restricted") == "no":
        return "Lift the restriction: everyone with a case role at this MARAC sees the case"
    names = [user.full_name for user in users]
    return "Only you" if not names else "You and " + ", ".join(names)


def _restriction_conflict(request: HttpRequest, current: Case, theirs: CaseRestrictionForm) -> HttpResponse:
    """Both versions: who may see the case now, and the user's own choice still in the form, now based on what is
    saved, so replacing it is a choice made with both on screen."""
    named_now = CaseRestriction.objects.filter(case=current).select_related("user__agency").order_by("user__full_name")
    data = request.POST.copy()
    data["version"] = str(current.version)
    data["based_on"] = restriction_state(current)
    same_people = same_people_cases(case=current, user=request.user)
    form = CaseRestrictionForm(data, case=current, by=request.user, same_people=same_people)
    form.add_error(None, RESTRICTION_CONFLICT)
    context = {
        "same_people": same_people,
        "same_people_open": [linked for linked in same_people if not linked.case.restricted],
        "case": current,
        "form": form,
        "conflict": True,
        "named_now": [restriction.user for restriction in named_now],
        "your_choice": _your_choice(request, list(theirs.cleaned_data["named_users"])),
        "open_actions": agencies_with_open_actions_on(case_id=current.pk),
    }
    return render(request, "cases/restriction.html", context, status=409)


def _restricted_meanwhile(request: HttpRequest, pk: int) -> HttpResponse:
    """Restricted by someone else since the page was opened, naming this user, who has not said why they are
    opening it yet: nothing is saved, and the page says so, with their choice, rather than dropping it."""
    marac_id = Case.objects.filter(pk=pk).values_list("marac_id", flat=True).get()
    chosen = (
        User.objects.filter(pk__in=_posted_ids(request), is_active=True)
        .filter(role_grants__marac_id=marac_id, role_grants__role__in=CASE_ROLES)
        .exclude(pk=cast(User, request.user).pk)
        .distinct()
        .order_by("full_name")
    )
    here = reverse("cases:restriction", args=[pk])
    was_restricted = request.POST.get("based_on", "").startswith("restricted")  # on the page they sent it from
    context = {
        "message": REASON_NEEDED_AGAIN if was_restricted else RESTRICTED_MEANWHILE,
        "your_choice": _your_choice(request, list(chosen)),
        "reason_url": f"{reverse('cases:reason', args=[pk])}?{urlencode({'next': here})}",
    }
    return render(request, "cases/restriction_meanwhile.html", context, status=409)


def _posted_ids(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.POST.getlist("named_users") if value.isdigit()][:500]
