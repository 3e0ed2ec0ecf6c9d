"""The governance registers (BD Effectiveness of MARAC; Observers; Induction): thin views that parse, call a service
in records_services and render. Records are reached only through get_record_for_user, so another MARAC's answer 404."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from governance import disclosure_rules, records_forms, records_rules
from governance import records_selectors as selectors
from governance import records_services as services
from governance.models import Breach, Complaint, DisclosureKind, DisclosureRequest, InductionRecord
from marac.models import Marac
from web import once
from web.access import current_marac_where, require_permission
from web.forms import VersionedForm, onto_saved, shows_conflict, unsaved_copy, version_is_stale

MANAGE = "governance.manage_records"
DECIDE = "governance.decide_disclosure"


def _user(request: HttpRequest) -> User:
    # Every view here is behind require_permission, which lets only signed-in users through.
    return cast(User, request.user)


def _marac(request: HttpRequest) -> Marac:
    return Marac.objects.get(pk=current_marac_where(request, MANAGE))


def _already_saved(form: forms.BaseForm) -> bool:
    """The form was refused as stale, but what it sent is what is saved: the user's own earlier send (back, then send
    again), not someone else's change (records_forms.AlreadySaved)."""
    return bool(getattr(form, "already_saved", False))


def _saved_before(request: HttpRequest, to: str, pk: int) -> HttpResponse:
    messages.info(request, once.ALREADY_SAVED)
    return redirect(to, pk=pk)


def _form_page(request: HttpRequest, form: forms.BaseForm, *, title: str, button: str, cancel: str) -> HttpResponse:
    context = {"form": form, "title": title, "button": button, "cancel": cancel, "marac": _marac(request)}
    return render(request, "governance/records_form.html", context)


@require_permission(MANAGE)
def records_index(request: HttpRequest) -> HttpResponse:
    marac = _marac(request)
    attention = selectors.attention_at(marac_id=marac.pk, today=timezone.localdate())
    return render(request, "governance/records_index.html", {"marac": marac, "attention": attention})


# --- Complaints -----------------------------------------------------------------------------------------------------


@require_permission(MANAGE)
def complaint_list(request: HttpRequest) -> HttpResponse:
    marac, today = _marac(request), timezone.localdate()
    complaints = [
        (
            complaint,
            records_rules.complaint_acknowledgement_is_overdue(
                status=complaint.status, acknowledge_by=complaint.acknowledge_by, today=today
            ),
            records_rules.complaint_vawg_acknowledgement_is_overdue(
                status=complaint.status, acknowledge_by=complaint.vawg_acknowledge_by, today=today
            ),
            selectors.response_overdue(complaint, today),
            selectors.complaint_deadlines_missed(complaint),
        )
        for complaint in selectors.complaints_at(marac_id=marac.pk)
    ]
    return render(request, "governance/records_complaints.html", {"marac": marac, "complaints": complaints})


@require_permission(MANAGE)
def complaint_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice: recorded once
    form = once.with_token(records_forms.ComplaintForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        complaint = services.complaint_record(
            marac=_marac(request), by=_user(request), **once.without_token(form.cleaned_data)
        )
        messages.success(
            request, f"Complaint recorded: the chair must acknowledge it by {complaint.acknowledge_by:%-d %B %Y}"
        )
        return once.done(request, reverse("governance_records:complaint", args=[complaint.pk]))
    return _form_page(
        request, form, title="Record a complaint", button="Record", cancel="governance_records:complaints"
    )


def _complaint_page(request: HttpRequest, complaint: Complaint, **bound: forms.BaseForm) -> HttpResponse:
    is_chair = request.user.has_perm(DECIDE, complaint)
    chair_forms = {
        "acknowledge_form": records_forms.ComplaintAcknowledgeForm(instance=complaint),
        "investigate_form": records_forms.ComplaintInvestigateForm(instance=complaint),
        "resolve_form": records_forms.ComplaintResolveForm(instance=complaint),
        "vawg_acknowledge_form": records_forms.ComplaintVawgAcknowledgeForm(instance=complaint),
        "vawg_outcome_form": records_forms.ComplaintVawgOutcomeForm(instance=complaint),
    } | bound
    today = timezone.localdate()
    context = {
        "complaint": complaint,
        "is_chair": is_chair,
        "awaits_acknowledgement": records_rules.complaint_awaits_acknowledgement(complaint.status),
        "is_open_to_chair": records_rules.complaint_is_acknowledged_and_open(complaint.status),
        "may_be_escalated": records_rules.complaint_may_be_escalated(complaint.status),
        "awaits_vawg_acknowledgement": records_rules.complaint_awaits_vawg_acknowledgement(complaint.status),
        "awaits_vawg_outcome": records_rules.complaint_awaits_vawg_outcome(complaint.status),
        "overdue": records_rules.complaint_acknowledgement_is_overdue(
            status=complaint.status, acknowledge_by=complaint.acknowledge_by, today=today
        ),
        "vawg_overdue": records_rules.complaint_vawg_acknowledgement_is_overdue(
            status=complaint.status, acknowledge_by=complaint.vawg_acknowledge_by, today=today
        ),
        "response_overdue": selectors.response_overdue(complaint, today),
        "missed": selectors.complaint_deadlines_missed(complaint),
        **(chair_forms if is_chair else {}),
        "form": next(iter(bound.values()), None),
    }
    return render(request, "governance/records_complaint.html", context)


@require_permission(MANAGE)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.get_record_for_user(Complaint, user=request.user, pk=pk, permission=MANAGE)
    return _complaint_page(request, complaint)


def _chair_acts_on_complaint(
    request: HttpRequest,
    pk: int,
    form_name: str,
    form_class: type[VersionedForm],
    act: Callable[[Complaint, dict[str, Any]], None],
    done: str,
) -> HttpResponse:
    complaint = selectors.get_record_for_user(Complaint, user=request.user, pk=pk, permission=DECIDE)
    form = form_class(request.POST, instance=unsaved_copy(complaint))
    if form.is_valid():
        try:
            act(complaint, form.cleaned_data)
        except services.StaleRecord:  # saved by someone else after the form was checked
            form = onto_saved(form, complaint)
        except services.RecordDatesRefused as refused:
            for field, error in refused.errors.items():
                form.add_error(field if field in form.fields else None, error)
        except services.RecordRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, done)
            return redirect("governance_records:complaint", pk=complaint.pk)
    elif _already_saved(form):
        return _saved_before(request, "governance_records:complaint", complaint.pk)
    elif version_is_stale(form, complaint):
        form = onto_saved(form, complaint)
    return _complaint_page(request, complaint, **{form_name: form})


@require_permission(DECIDE)
@require_POST
def complaint_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    def act(complaint: Complaint, data: dict[str, Any]) -> None:
        services.complaint_acknowledge(
            complaint=complaint,
            acknowledged_on=data["acknowledged_on"],
            response_promised_by=data["response_promised_by"],
            based_on_version=data["version"],
            by=_user(request),
        )

    form_class = records_forms.ComplaintAcknowledgeForm
    return _chair_acts_on_complaint(
        request,
        pk,
        "acknowledge_form",
        form_class,
        act,
        "Complaint acknowledged: record your response when you have sent it",
    )


@require_permission(DECIDE)
@require_POST
def complaint_investigate(request: HttpRequest, pk: int) -> HttpResponse:
    def act(complaint: Complaint, data: dict[str, Any]) -> None:
        services.complaint_investigate(
            complaint=complaint, notes=data["investigation_notes"], based_on_version=data["version"], by=_user(request)
        )

    form_class = records_forms.ComplaintInvestigateForm
    return _chair_acts_on_complaint(request, pk, "investigate_form", form_class, act, "Investigation notes saved")


@require_permission(DECIDE)
@require_POST
def complaint_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(complaint: Complaint, data: dict[str, Any]) -> None:
        services.complaint_resolve(
            complaint=complaint, resolved_on=data["resolved_on"], based_on_version=data["version"], by=_user(request)
        )

    form_class = records_forms.ComplaintResolveForm
    return _chair_acts_on_complaint(
        request,
        pk,
        "resolve_form",
        form_class,
        act,
        "Your response is recorded: the complainant can escalate the complaint to the VAWG chair if not satisfied",
    )


@require_permission(DECIDE)
def complaint_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of its own, so escalating is never one click: the chair confirms it with the date the complainant
    asked and why they are not satisfied with the chair's response."""
    complaint = selectors.get_record_for_user(Complaint, user=request.user, pk=pk, permission=DECIDE)
    if request.method != "POST" and not records_rules.complaint_may_be_escalated(complaint.status):
        return redirect("governance_records:complaint", pk=complaint.pk)
    form = records_forms.ComplaintEscalateForm(request.POST or None, instance=unsaved_copy(complaint))
    if request.method == "POST" and form.is_valid():
        try:
            escalated = services.complaint_escalate(
                complaint=complaint,
                escalated_on=form.cleaned_data["escalated_on"],
                reason=form.cleaned_data["escalation_reason"],
                based_on_version=form.cleaned_data["version"],
                by=_user(request),
            )
        except services.StaleRecord:
            form = onto_saved(form, complaint)
        except services.RecordRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                "Complaint escalated to the VAWG chair: the VAWG chair must acknowledge it by "
                f"{escalated.vawg_acknowledge_by:%-d %B %Y}",
            )
            return redirect("governance_records:complaint", pk=complaint.pk)
    elif request.method == "POST" and _already_saved(form):
        return _saved_before(request, "governance_records:complaint", complaint.pk)
    elif request.method == "POST" and version_is_stale(form, complaint):
        form = onto_saved(form, complaint)
    return render(request, "governance/records_complaint_escalate.html", {"complaint": complaint, "form": form})


@require_permission(DECIDE)
@require_POST
def complaint_vawg_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    def act(complaint: Complaint, data: dict[str, Any]) -> None:
        services.complaint_acknowledge_by_vawg_chair(
            complaint=complaint,
            acknowledged_on=data["vawg_acknowledged_on"],
            based_on_version=data["version"],
            by=_user(request),
        )

    form_class = records_forms.ComplaintVawgAcknowledgeForm
    return _chair_acts_on_complaint(
        request, pk, "vawg_acknowledge_form", form_class, act, "The VAWG chair's acknowledgement is recorded"
    )


@require_permission(DECIDE)
@require_POST
def complaint_vawg_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    def act(complaint: Complaint, data: dict[str, Any]) -> None:
        services.complaint_record_vawg_outcome(
            complaint=complaint,
            responded_on=data["vawg_responded_on"],
            outcome=data["vawg_outcome"],
            based_on_version=data["version"],
            by=_user(request),
        )

    form_class = records_forms.ComplaintVawgOutcomeForm
    return _chair_acts_on_complaint(
        request, pk, "vawg_outcome_form", form_class, act, "The VAWG chair's outcome is recorded: complaint closed"
    )


# --- Breaches -------------------------------------------------------------------------------------------------------


@require_permission(MANAGE)
def breach_list(request: HttpRequest) -> HttpResponse:
    marac = _marac(request)
    return render(
        request,
        "governance/records_breaches.html",
        {"marac": marac, "breaches": selectors.breaches_at(marac_id=marac.pk)},
    )


@require_permission(MANAGE)
def breach_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice: logged once
    marac = _marac(request)
    form = once.with_token(records_forms.BreachForm(request.POST or None, marac_id=marac.pk))
    if request.method == "POST" and form.is_valid():
        breach = services.breach_record(marac=marac, by=_user(request), **once.without_token(form.cleaned_data))
        messages.success(request, "Breach logged: refer it to the VAWG sub group")
        return once.done(request, reverse("governance_records:breach", args=[breach.pk]))
    return _form_page(
        request, form, title="Log a breach", button="Log the breach", cancel="governance_records:breaches"
    )


@require_permission(MANAGE)
def breach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    breach = selectors.get_record_for_user(Breach, user=request.user, pk=pk, permission=MANAGE)
    form = records_forms.BreachUpdateForm(request.POST or None, instance=unsaved_copy(breach))
    if request.method == "POST" and form.is_valid():
        try:
            services.breach_update(
                breach=breach,
                referred_to_vawg_on=form.cleaned_data["referred_to_vawg_on"],
                outcome=form.cleaned_data["outcome"],
                based_on_version=form.cleaned_data["version"],
                by=_user(request),
            )
        except services.StaleRecord:
            form = onto_saved(form, breach)
        except services.RecordRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Breach updated")
            return redirect("governance_records:breaches")
    elif request.method == "POST" and _already_saved(form):
        messages.info(request, once.ALREADY_SAVED)
        return redirect("governance_records:breaches")
    elif request.method == "POST" and version_is_stale(form, breach):
        form = onto_saved(form, breach)
    conflict = shows_conflict(form)
    return render(request, "governance/records_breach.html", {"breach": breach, "form": form, "conflict": conflict})


# --- Disclosure requests --------------------------------------------------------------------------------------------


@require_permission(MANAGE)
def disclosure_list(request: HttpRequest) -> HttpResponse:
    marac, today = _marac(request), timezone.localdate()
    rows = [
        (
            request_,
            selectors.release_overdue(request_, today),
            records_rules.release_deadlines_missed(released_on=request_.released_on, due_on=request_.due_on),
        )
        for request_ in selectors.disclosure_requests_at(marac_id=marac.pk)
    ]
    return render(request, "governance/records_disclosures.html", {"marac": marac, "rows": rows})


@require_permission(MANAGE)
def disclosure_add(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in DisclosureKind.values:
        raise Http404
    is_dhr = kind == DisclosureKind.DOMESTIC_HOMICIDE_REVIEW
    form_class = records_forms.DhrRequestForm if is_dhr else records_forms.DisclosureRequestForm
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice: recorded once
    marac = _marac(request)
    form = once.with_token(form_class(request.POST or None, user=_user(request), marac_id=marac.pk))
    if request.method == "POST" and form.is_valid():
        data = {"circumstance": "", **once.without_token(form.cleaned_data)}
        disclosure = services.disclosure_request_record(marac=marac, kind=kind, by=_user(request), **data)
        messages.success(request, "Request recorded")
        return once.done(request, reverse("governance_records:disclosure", args=[disclosure.pk]))
    title = "Record a domestic homicide review request" if is_dhr else "Record a court's request for disclosure"
    return _form_page(request, form, title=title, button="Record", cancel="governance_records:disclosures")


def _disclosure_page(request: HttpRequest, disclosure: DisclosureRequest, **bound: forms.BaseForm) -> HttpResponse:
    may_decide = request.user.has_perm(DECIDE, disclosure) and disclosure_rules.chair_may_decide(
        release_required=disclosure.release_required, released_on=disclosure.released_on
    )
    outstanding = disclosure_rules.release_is_outstanding(
        release_required=disclosure.release_required,
        chair_decision=disclosure.chair_decision,
        released_on=disclosure.released_on,
    )
    case = selectors.disclosure_case_for_user(user=request.user, request=disclosure)
    context = {
        "disclosure": disclosure,
        "case": case,
        # A review or a court needs the case kept: suggest a legal hold to those who may place one, where none is.
        "suggest_legal_hold": case is not None
        and request.user.has_perm("cases.place_legal_hold", case)
        and not selectors.case_has_legal_hold(case),
        "circumstance": _circumstance_label(disclosure.circumstance),
        "may_decide": may_decide,
        "release_outstanding": outstanding,
        "overdue": selectors.release_overdue(disclosure, timezone.localdate()),
        "missed": records_rules.release_deadlines_missed(released_on=disclosure.released_on, due_on=disclosure.due_on),
        "decision_form": records_forms.DisclosureDecisionForm(instance=disclosure) if may_decide else None,
        "release_form": records_forms.DisclosureReleaseForm(instance=disclosure) if outstanding else None,
    } | bound
    context["form"] = next(iter(bound.values()), None)
    return render(request, "governance/records_disclosure.html", context)


def _circumstance_label(circumstance: str) -> str:
    try:
        return disclosure_rules.DhrCircumstance(circumstance).label
    except ValueError:
        return ""


@require_permission(MANAGE)
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.get_record_for_user(DisclosureRequest, user=request.user, pk=pk, permission=MANAGE)
    return _disclosure_page(request, disclosure)


@require_permission(DECIDE)
@require_POST
def disclosure_decide(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.get_record_for_user(DisclosureRequest, user=request.user, pk=pk, permission=DECIDE)
    form = records_forms.DisclosureDecisionForm(request.POST, instance=unsaved_copy(disclosure))
    if form.is_valid():
        try:
            services.disclosure_decide(
                request=disclosure,
                decision=form.cleaned_data["chair_decision"],
                reason=form.cleaned_data["decision_reason"],
                based_on_version=form.cleaned_data["version"],
                by=_user(request),
            )
        except services.StaleRecord:
            form = onto_saved(form, disclosure)
        except services.RecordRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Decision recorded")
            return redirect("governance_records:disclosure", pk=disclosure.pk)
    elif _already_saved(form):
        return _saved_before(request, "governance_records:disclosure", disclosure.pk)
    elif version_is_stale(form, disclosure):
        form = onto_saved(form, disclosure)
    return _disclosure_page(request, disclosure, decision_form=form)


@require_permission(MANAGE)
@require_POST
def disclosure_release(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = selectors.get_record_for_user(DisclosureRequest, user=request.user, pk=pk, permission=MANAGE)
    form = records_forms.DisclosureReleaseForm(request.POST, instance=unsaved_copy(disclosure))
    if form.is_valid():
        try:
            services.disclosure_record_release(
                request=disclosure,
                released_on=form.cleaned_data["released_on"],
                redaction_notes=form.cleaned_data["redaction_notes"],
                based_on_version=form.cleaned_data["version"],
                by=_user(request),
            )
        except services.StaleRecord:
            form = onto_saved(form, disclosure)
        except services.RecordRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Release recorded")
            return redirect("governance_records:disclosure", pk=disclosure.pk)
    elif _already_saved(form):
        return _saved_before(request, "governance_records:disclosure", disclosure.pk)
    elif version_is_stale(form, disclosure):
        form = onto_saved(form, disclosure)
    return _disclosure_page(request, disclosure, release_form=form)


# --- Agreements -----------------------------------------------------------------------------------------------------


@require_permission(MANAGE)
def agreement_list(request: HttpRequest) -> HttpResponse:
    marac = _marac(request)
    context = {
        "marac": marac,
        "signatures": selectors.signatures_at(marac_id=marac.pk),
        "unsigned": selectors.unsigned_memberships(marac_id=marac.pk),
    }
    return render(request, "governance/records_agreements.html", context)


@require_permission(MANAGE)
def agreement_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice: recorded once
    marac = _marac(request)
    form = once.with_token(records_forms.SignatureForm(request.POST or None, marac_id=marac.pk))
    if request.method == "POST" and form.is_valid():
        services.signature_record(marac=marac, by=_user(request), **once.without_token(form.cleaned_data))
        messages.success(request, "Signature recorded")
        return once.done(request, reverse("governance_records:agreements"))
    return _form_page(
        request, form, title="Record a signed agreement", button="Record", cancel="governance_records:agreements"
    )


# --- Induction ------------------------------------------------------------------------------------------------------


@require_permission(MANAGE)
def induction_list(request: HttpRequest) -> HttpResponse:
    marac = _marac(request)
    context = {
        "marac": marac,
        "inductions": selectors.inductions_at(marac_id=marac.pk),
        "item_count": len(records_rules.INDUCTION_ITEMS),
    }
    return render(request, "governance/records_inductions.html", context)


@require_permission(MANAGE)
def induction_add(request: HttpRequest) -> HttpResponse:
    marac = _marac(request)
    form = records_forms.InductionStartForm(request.POST or None, marac_id=marac.pk)
    if request.method == "POST" and form.is_valid():
        induction = services.induction_start(marac=marac, user=form.cleaned_data["user"], by=_user(request))
        return redirect("governance_records:induction", pk=induction.pk)
    return _form_page(
        request,
        form,
        title="Start a representative's induction",
        button="Start",
        cancel="governance_records:inductions",
    )


@require_permission(MANAGE)
def induction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    induction = selectors.get_record_for_user(InductionRecord, user=request.user, pk=pk, permission=MANAGE)
    form = records_forms.InductionForm(request.POST or None, instance=unsaved_copy(induction))
    if request.method == "POST" and form.is_valid():
        try:
            induction = services.induction_update(
                induction=induction,
                items=form.cleaned_data["items"],
                today=timezone.localdate(),
                based_on_version=form.cleaned_data["version"],
                by=_user(request),
            )
        except services.StaleRecord:
            form = onto_saved(form, induction)
        except services.RecordRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Induction complete" if induction.completed_on else "Checklist saved")
            return redirect("governance_records:inductions")
    elif request.method == "POST" and version_is_stale(form, induction):
        form = onto_saved(form, induction)
    conflict = shows_conflict(form)
    saved = [label for key, label in records_rules.INDUCTION_ITEMS if key in induction.completed_items]
    context = {"induction": induction, "form": form, "conflict": conflict, "saved_items": saved}
    return render(request, "governance/records_induction.html", context)


# --- Protocol review and observers ----------------------------------------------------------------------------------


@require_permission(MANAGE)
def review_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again  # sent twice: recorded once
    marac = _marac(request)
    form = once.with_token(records_forms.ProtocolReviewForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        review = services.protocol_review_record(
            marac=marac, by=_user(request), **once.without_token(form.cleaned_data)
        )
        messages.success(request, f"Review recorded: the next is due by {review.next_due_on:%-d %B %Y}")
        return once.done(request, reverse("governance_records:reviews"))
    next_due_on = selectors.protocol_review_next_due_at(marac_id=marac.pk)
    context = {
        "marac": marac,
        "form": form,
        "reviews": selectors.protocol_reviews_with_missed(marac_id=marac.pk),
        "status": str(records_rules.protocol_review_status(next_due_on=next_due_on, today=timezone.localdate())),
        "next_due_on": next_due_on,
    }
    return render(request, "governance/records_reviews.html", context)


@require_permission(MANAGE)
def observer_list(request: HttpRequest) -> HttpResponse:
    marac = _marac(request)
    page = Paginator(selectors.observers_at(marac_id=marac.pk), 50).get_page(request.GET.get("page"))
    return render(request, "governance/records_observers.html", {"marac": marac, "page": page})
