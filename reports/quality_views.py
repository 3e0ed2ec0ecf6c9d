"""Quality assurance pages and the board report: thin views that parse, call a service or selector and render.
Records are reached only through _get_for_user, so another MARAC's answer 404 as if they did not exist."""

import secrets
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import User
from accounts.permissions import PERMISSIONS_BY_NAME, marac_ids_where, roles_at
from audit.models import AuditAction
from audit.services import audit_record
from config.db_router import use_replica
from marac.models import Marac
from reports import board_report as builder
from reports import quality_forms
from reports import quality_services as services
from reports.forms import PeriodForm
from reports.models import (
    ActionPlanReview,
    BoardReport,
    FeedbackResponse,
    ImprovementAction,
    ImprovementPlan,
    QualityAudit,
    Rating,
    Respondent,
    ReviewedPlan,
)
from reports.periods import PeriodKind, moved_note, not_over_note, period_containing, suppressed_period
from reports.quality_rules import STATEMENT_TEXT
from reports.quality_selectors import quality_summary
from reports.suppression import suppression_threshold
from reports.views import SEES_EXACT_COUNTS
from web import once
from web.access import current_marac_where, require_permission
from web.documents import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE
from web.forms import onto_saved, shows_conflict, version_is_stale

RECORD = "reports.record_quality"
VIEW = "reports.view_aggregates"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind require_permission: signed in


def _marac(request: HttpRequest, permission: str) -> Marac:
    return Marac.objects.get(pk=current_marac_where(request, permission))


def _get_for_user[Record: Model](request: HttpRequest, records: QuerySet[Record], pk: int, permission: str) -> Record:
    """The one gate for quality records: only at a MARAC where the user holds the permission, else 404."""
    allowed = marac_ids_where(request.user, PERMISSIONS_BY_NAME[permission].roles)
    field = "marac_id__in" if hasattr(records.model, "marac") else _MARAC_PATH[records.model] + "__in"
    record = records.filter(**{field: allowed}, pk=pk).first()
    if record is None:
        raise Http404
    return record


_MARAC_PATH: dict[type[Model], str] = {ReviewedPlan: "review__marac_id", ImprovementAction: "plan__marac_id"}


# What a record holds now, label and text, shown beside a form that came back after a conflict (web/forms.py).
SavedNow = list[tuple[str, str]]


def _form_page(
    request: HttpRequest, form: forms.BaseForm, *, title: str, back: str, saved_now: SavedNow | None = None
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "back": back,
        "marac": _marac(request, RECORD),
        "saved_now": saved_now,
    }
    return render(request, "reports/quality_form.html", context)


# --- The summary -----------------------------------------------------------------------------------------------------


@require_permission(VIEW)
def summary(request: HttpRequest) -> HttpResponse:
    """Counts and averages for a period, for the board as well as for those who record: no free text."""
    marac = _marac(request, VIEW)
    form = PeriodForm(request.GET or None)
    valid = bool(request.GET) and form.is_valid()
    kind = form.period_kind() if valid else PeriodKind.ROLLING_12_MONTHS
    day, today = (form.day() if valid else timezone.localdate()), timezone.localdate()
    suppress = not roles_at(request.user, marac.pk) & SEES_EXACT_COUNTS
    moved_from = None
    if suppress:  # as on the dashboard: a rolling 12 months ends on a month's last day
        period, moved_from = suppressed_period(kind, day, today=today)
    else:
        period = period_containing(kind, day, today=today)
    threshold = suppression_threshold()
    sections = quality_summary(
        marac_id=marac.pk,
        start=period.start,
        end=period.last_day,
        today=today,
        suppress=suppress,
        threshold=threshold,
    )
    context = {
        "marac": marac,
        "form": form,
        "period": period,
        "moved_note": moved_note(period, moved_from),
        "not_over_note": not_over_note(period, with_indicators=False),  # counts and averages only here
        "sections": sections,
        "suppress": suppress,
        "threshold": threshold,
        "may_record": request.user.has_perm(RECORD, marac),
        "board_reports": BoardReport.objects.filter(marac=marac),
    }
    return render(request, "reports/quality_summary.html", context)


# --- Action plan reviews --------------------------------------------------------------------------------------------


@require_permission(RECORD)
def reviews(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, RECORD)
    found = ActionPlanReview.objects.filter(marac=marac).prefetch_related("plans")
    return render(request, "reports/quality_reviews.html", {"marac": marac, "reviews": found})


@require_permission(RECORD)
def review_add(request: HttpRequest) -> HttpResponse:
    form = quality_forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.cleaned_data
        seed = fields["seed"] if fields["seed"] is not None else secrets.randbelow(2**31)
        review = services.review_start(
            marac=_marac(request, RECORD),
            period_start=fields["period_start"],
            period_end=fields["period_end"],
            sample_size=fields["sample_size"],
            seed=seed,
            by=_user(request),
        )
        return redirect("reports_quality:review", pk=review.pk)
    return _form_page(request, form, title="Start an action plan review", back="reports_quality:reviews")


@require_permission(RECORD)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = _get_for_user(request, ActionPlanReview.objects.all(), pk, RECORD)
    plans = found.plans.select_related("listing__case", "listing__meeting").prefetch_related("scores")
    return render(
        request,
        "reports/quality_review.html",
        {"marac": found.marac, "review": found, "plans": plans, "statements": STATEMENT_TEXT},
    )


@require_permission(RECORD)
def plan_score(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_for_user(request, ReviewedPlan.objects.select_related("review", "listing__case"), pk, RECORD)
    scores = {score.statement: (score.rating, score.comment) for score in plan.scores.all()}
    form = quality_forms.PlanScoreForm(request.POST or None, scores=scores, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_score(
                plan=plan, ratings=form.ratings(), based_on_version=form.cleaned_data["version"], by=_user(request)
            )
        except services.StaleRecord:
            form = onto_saved(form, plan, scores=scores)
        else:
            messages.success(request, "Scores saved")
            return redirect("reports_quality:review", pk=plan.review_id)
    title = f"Score the action plan for case {plan.listing.case.reference}"
    saved_now = _scores_saved(plan) if shows_conflict(form) else None
    return _form_page(request, form, title=title, back="reports_quality:reviews", saved_now=saved_now)


def _scores_saved(plan: ReviewedPlan) -> SavedNow:
    saved = {score.statement: score for score in plan.scores.all()}
    rows = []
    for key, text in STATEMENT_TEXT.items():
        score = saved.get(key)
        rating = Rating(score.rating).label if score else "Not scored"
        rows.append((text, f"{rating}: {score.comment}" if score and score.comment else rating))
    return rows


# --- Feedback ---------------------------------------------------------------------------------------------------------


@require_permission(RECORD)
def feedback(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, RECORD)
    responses = FeedbackResponse.objects.filter(marac=marac)[:200]
    return render(request, "reports/quality_feedback.html", {"marac": marac, "responses": responses})


@require_permission(RECORD)
def feedback_add(request: HttpRequest, respondent: str) -> HttpResponse:
    if respondent not in Respondent.values:
        raise Http404
    # Sent twice (no JavaScript to stop a second click), one response: a second would count twice in the summary.
    if request.method == "POST" and (again := once.already_done(request)) is not None:
        return again
    form = once.with_token(quality_forms.FeedbackForm(request.POST or None, respondent=respondent))
    if request.method == "POST" and form.is_valid():
        services.feedback_record(
            marac=_marac(request, RECORD),
            received_on=form.cleaned_data["received_on"],
            respondent=respondent,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            by=_user(request),
        )
        messages.success(request, "Feedback recorded")
        return once.done(request, reverse("reports_quality:feedback"))
    title = f"Record feedback from {Respondent(respondent).label.lower()}"
    return _form_page(request, form, title=title, back="reports_quality:feedback")


# --- Audits --------------------------------------------------------------------------------------------------------


@require_permission(RECORD)
def audits(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, RECORD)
    found = QualityAudit.objects.filter(marac=marac).prefetch_related("agencies")
    return render(request, "reports/quality_audits.html", {"marac": marac, "audits": found})


def _audit_fields(form: forms.BaseForm) -> dict[str, Any]:
    fields = {name: form.cleaned_data[name] for name in ("kind", "carried_out_on", "scope")}
    fields.update({name: form.cleaned_data[name] for name in ("findings", "recommendations")})
    return fields


@require_permission(RECORD)
def audit_add(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, RECORD)
    form = quality_forms.QualityAuditForm(request.POST or None, marac_id=marac.pk)
    if request.method == "POST" and form.is_valid():
        services.quality_audit_record(
            marac=marac, agencies=list(form.cleaned_data["agencies"]), by=_user(request), **_audit_fields(form)
        )
        messages.success(request, "Audit recorded")
        return redirect("reports_quality:audits")
    return _form_page(request, form, title="Record an audit", back="reports_quality:audits")


@require_permission(RECORD)
def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _get_for_user(request, QualityAudit.objects.all(), pk, RECORD)
    original = QualityAudit.objects.get(pk=audit.pk)  # the form's validation writes onto its instance
    form = quality_forms.QualityAuditForm(request.POST or None, instance=audit, marac_id=audit.marac_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.quality_audit_change(
                audit=original,
                agencies=list(form.cleaned_data["agencies"]),
                based_on_version=form.cleaned_data["version"],
                by=_user(request),
                **_audit_fields(form),
            )
        except services.StaleRecord:
            form = onto_saved(form, original, marac_id=original.marac_id)
        else:
            messages.success(request, "Audit changed")
            return redirect("reports_quality:audits")
    elif request.method == "POST" and version_is_stale(form, original):
        form = onto_saved(form, original, marac_id=original.marac_id)
    saved_now = _audit_saved(original) if shows_conflict(form) else None
    return _form_page(request, form, title="Change an audit", back="reports_quality:audits", saved_now=saved_now)


def _audit_saved(audit: QualityAudit) -> SavedNow:
    return [
        ("Kind", audit.get_kind_display()),
        ("Carried out on", dateformat.format(audit.carried_out_on, "j F Y")),
        ("Agencies", ", ".join(agency.name for agency in audit.agencies.all())),
        ("Scope", audit.scope),
        ("Findings", audit.findings),
        ("Recommendations", audit.recommendations),
    ]


# --- Improvement plans ------------------------------------------------------------------------------------------------


@require_permission(RECORD)
def improvement_plans(request: HttpRequest) -> HttpResponse:
    marac = _marac(request, RECORD)
    plans = ImprovementPlan.objects.filter(marac=marac).prefetch_related("actions")
    return render(request, "reports/quality_improvement.html", {"marac": marac, "plans": plans})


@require_permission(RECORD)
def improvement_plan_add(request: HttpRequest) -> HttpResponse:
    form = quality_forms.ImprovementPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.improvement_plan_create(marac=_marac(request, RECORD), by=_user(request), **form.cleaned_data)
        return redirect("reports_quality:improvement")
    return _form_page(request, form, title="Agree an improvement plan", back="reports_quality:improvement")


_ACTION_FIELDS = ("action", "owner", "due_on", "status")


@require_permission(RECORD)
def improvement_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_for_user(request, ImprovementPlan.objects.all(), pk, RECORD)
    form = quality_forms.ImprovementActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in _ACTION_FIELDS}
        services.improvement_action_add(plan=plan, by=_user(request), **fields)
        return redirect("reports_quality:improvement")
    return _form_page(request, form, title=f"Add an action to {plan.title}", back="reports_quality:improvement")


@require_permission(RECORD)
def improvement_action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_for_user(request, ImprovementAction.objects.select_related("plan"), pk, RECORD)
    original = ImprovementAction.objects.select_related("plan").get(pk=action.pk)
    form = quality_forms.ImprovementActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in _ACTION_FIELDS}
        try:
            services.improvement_action_change(
                improvement_action=original, based_on_version=form.cleaned_data["version"], by=_user(request), **fields
            )
        except services.StaleRecord:
            form = onto_saved(form, original)
        else:
            return redirect("reports_quality:improvement")
    elif request.method == "POST" and version_is_stale(form, original):
        form = onto_saved(form, original)
    saved_now = _action_saved(original) if shows_conflict(form) else None
    title, back = "Change an improvement action", "reports_quality:improvement"
    return _form_page(request, form, title=title, back=back, saved_now=saved_now)


def _action_saved(action: ImprovementAction) -> SavedNow:
    return [
        ("Action", action.action),
        ("Owner", action.owner),
        ("Due on", dateformat.format(action.due_on, "j F Y")),
        ("Status", action.get_status_display()),
    ]


# --- The board report -------------------------------------------------------------------------------------------------


@require_permission(RECORD)
def board_report_add(request: HttpRequest) -> HttpResponse:
    form = quality_forms.BoardReportNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A board report is always suppressed: a rolling 12 months ends on a month's last day, as on the dashboard.
        kind, day = PeriodKind(form.cleaned_data["period"]), form.cleaned_data["on"]
        period, moved_from = suppressed_period(kind, day, today=timezone.localdate())
        if moved_from is not None:
            messages.info(request, moved_note(period, moved_from))
        report = services.board_report_create(
            marac=_marac(request, RECORD),
            period_kind=period.kind.value,
            period_start=period.start,
            period_end=period.end,
            by=_user(request),
        )
        return redirect("reports_quality:board_report", pk=report.pk)
    return _form_page(request, form, title="Start a board report", back="reports_quality:summary")


@require_permission(VIEW)
def board_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The commentary, written section by section before downloading; saved so it can be changed later. Whoever may
    download the report (a board member) sees this page too, read-only."""
    report = _get_for_user(request, BoardReport.objects.all(), pk, VIEW)
    original = BoardReport.objects.get(pk=report.pk)
    may_record = request.user.has_perm(RECORD, original)
    if request.method == "POST" and not may_record:
        raise Http404
    form = quality_forms.BoardReportForm(request.POST or None, instance=report) if may_record else None
    if form is not None and request.method == "POST" and form.is_valid():
        commentary = {
            name: form.cleaned_data[name] for name in ("overview", "indicators_commentary", "quality_commentary")
        }
        try:
            services.board_report_change(
                report=original, based_on_version=form.cleaned_data["version"], by=_user(request), **commentary
            )
        except services.StaleRecord:
            form = onto_saved(form, original)
        else:
            messages.success(request, "Commentary saved")
            return redirect("reports_quality:board_report", pk=report.pk)
    elif form is not None and request.method == "POST" and version_is_stale(form, original):
        form = onto_saved(form, original)
    data = builder.board_report_data(original, today=timezone.localdate())
    context = {"marac": original.marac, "report": original, "form": form, "data": data, "may_record": may_record}
    return render(request, "reports/board_report_edit.html", {**context, "conflict": shows_conflict(form)})


def _board_report_download(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    report = _get_for_user(request, BoardReport.objects.all(), pk, VIEW)
    with use_replica():  # the figures; the commentary, perhaps just saved, was read from the primary
        data = builder.board_report_data(report, today=timezone.localdate())
    if extension == "pdf":
        content, content_type = builder.board_report_pdf(data), PDF_CONTENT_TYPE
    else:
        content, content_type = builder.board_report_docx(data), DOCX_CONTENT_TYPE
    filename = f"openmarac-board-report-{report.period_start:%Y-%m-%d}-to-{report.period_end:%Y-%m-%d}.{extension}"
    audit_record(action=AuditAction.EXPORT, obj=report, summary=f"Downloaded {filename}")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_permission(VIEW)
def board_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _board_report_download(request, pk, "pdf")


@require_permission(VIEW)
def board_report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _board_report_download(request, pk, "docx")
