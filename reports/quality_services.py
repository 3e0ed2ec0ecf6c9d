"""Writes to the quality assurance records. Each writes its audit entry in the same transaction; edits lock the row
and refuse a stale version. Audit summaries name ids and dates, never a person or what a comment says."""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Agency, Marac
from reports import quality_rules as rules
from reports import quality_selectors as selectors
from reports.board_report import board_report_figures_take
from reports.models import (
    ActionPlanReview,
    BoardReport,
    FeedbackResponse,
    ImprovementAction,
    ImprovementPlan,
    PlanScore,
    QualityAudit,
    ReviewedPlan,
)


class StaleRecord(Exception):
    message = (
        "Someone else changed this record while you were looking at it. Nothing has been saved: "
        "reload the page to see their change, then make yours again if it is still needed."
    )

    def __str__(self) -> str:
        return self.message


def _locked[Record: Model](record: Record, based_on_version: int) -> Record:
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if locked.version != based_on_version:  # type: ignore[attr-defined]
        raise StaleRecord
    locked.version += 1  # type: ignore[attr-defined]
    return locked


def _changed(record: Model, fields: dict[str, Any]) -> list[str]:
    changed = [name for name, value in fields.items() if getattr(record, name) != value]
    for name, value in fields.items():
        setattr(record, name, value)
    return changed


def review_start(
    *, marac: Marac, period_start: date, period_end: date, sample_size: int, seed: int, by: User
) -> ActionPlanReview:
    """Draw the sample of plans heard in the period and record it. The same seed draws the same plans."""
    heard = selectors.plans_heard(marac_id=marac.pk, start=period_start, end=period_end)
    sample = rules.sample_plans(heard, size=sample_size, seed=seed)
    with transaction.atomic():
        review = ActionPlanReview.objects.create(
            marac=marac,
            period_start=period_start,
            period_end=period_end,
            sample_size=sample_size,
            seed=seed,
            reviewer=by,
        )
        ReviewedPlan.objects.bulk_create(ReviewedPlan(review=review, listing_id=pk) for pk in sample)
        summary = f"Action plan review of {len(sample)} of {len(heard)} plans heard {period_start} to {period_end}"
        audit_record(action=AuditAction.CREATE, obj=review, summary=summary, user=by)
    return review


def plan_score(*, plan: ReviewedPlan, ratings: dict[str, tuple[str, str]], based_on_version: int, by: User) -> None:
    """ratings: statement key to (rating, comment). Replaces the plan's earlier scores."""
    with transaction.atomic():
        locked = _locked(plan, based_on_version)
        locked.save(update_fields=["version"])
        PlanScore.objects.filter(plan=locked).delete()
        PlanScore.objects.bulk_create(
            PlanScore(plan=locked, statement=key, rating=rating, comment=comment)
            for key, (rating, comment) in ratings.items()
        )
        audit_record(
            action=AuditAction.CHANGE,
            obj=locked,
            marac_id=plan.review.marac_id,
            summary=f"Scored plan {locked.pk} in action plan review {locked.review_id}",
            user=by,
        )


def feedback_record(
    *, marac: Marac, received_on: date, respondent: str, scores: list[int | None], comment: str, by: User
) -> FeedbackResponse:
    with transaction.atomic():
        response = FeedbackResponse.objects.create(
            marac=marac,
            received_on=received_on,
            respondent=respondent,
            score_1=scores[0],
            score_2=scores[1],
            score_3=scores[2],
            comment=comment,
        )
        audit_record(action=AuditAction.CREATE, obj=response, summary=f"Feedback received {received_on}", user=by)
    return response


def quality_audit_record(*, marac: Marac, agencies: list[Agency], by: User, **fields: Any) -> QualityAudit:
    with transaction.atomic():
        audit = QualityAudit.objects.create(marac=marac, **fields)
        audit.agencies.set(agencies)
        audit_record(action=AuditAction.CREATE, obj=audit, summary=f"Audit of {audit.carried_out_on} recorded", user=by)
    return audit


def quality_audit_change(
    *, audit: QualityAudit, agencies: list[Agency], based_on_version: int, by: User, **fields: Any
) -> QualityAudit:
    with transaction.atomic():
        locked = _locked(audit, based_on_version)
        changed = _changed(locked, fields)
        locked.save()
        if set(locked.agencies.all()) != set(agencies):
            locked.agencies.set(agencies)
            changed.append("agencies")
        audit_record(
            action=AuditAction.CHANGE,
            obj=locked,
            summary=f"Audit of {locked.carried_out_on} changed",
            changes={name: "changed" for name in changed},
            user=by,
        )
    return locked


def improvement_plan_create(*, marac: Marac, title: str, agreed_on: date, by: User) -> ImprovementPlan:
    with transaction.atomic():
        plan = ImprovementPlan.objects.create(marac=marac, title=title, agreed_on=agreed_on)
        audit_record(action=AuditAction.CREATE, obj=plan, summary=f"Improvement plan agreed {agreed_on}", user=by)
    return plan


def improvement_action_add(*, plan: ImprovementPlan, by: User, **fields: Any) -> ImprovementAction:
    with transaction.atomic():
        action = ImprovementAction.objects.create(plan=plan, **fields)
        audit_record(
            action=AuditAction.CREATE,
            obj=action,
            marac_id=plan.marac_id,
            summary=f"Improvement action {action.pk} added to plan {plan.pk}",
            user=by,
        )
    return action


def improvement_action_change(
    *, improvement_action: ImprovementAction, based_on_version: int, by: User, **fields: Any
) -> ImprovementAction:
    with transaction.atomic():
        locked = _locked(improvement_action, based_on_version)
        changes = {name: {"from": str(getattr(locked, name)), "to": str(value)} for name, value in fields.items()}
        changed = _changed(locked, fields)
        locked.save()
        audit_record(
            action=AuditAction.CHANGE,
            obj=locked,
            marac_id=improvement_action.plan.marac_id,
            summary=f"Improvement action {locked.pk} changed",
            changes={name: changes[name] for name in changed},
            user=by,
        )
    return locked


def board_report_create(
    *, marac: Marac, period_kind: str, period_start: date, period_end: date, by: User, today: date | None = None
) -> BoardReport:
    with transaction.atomic():
        report = BoardReport.objects.create(
            marac=marac, period_kind=period_kind, period_start=period_start, period_end=period_end
        )
        summary = f"Board report for {period_start} to {period_end} started"
        audit_record(action=AuditAction.CREATE, obj=report, summary=summary, user=by)
    # The figures as they are the day it is started, kept with it from then on (a report started before this was
    # stored gets them when first opened).
    board_report_figures_take(board_report=report, today=today or timezone.localdate(), by=by)
    return report


def board_report_change(*, report: BoardReport, based_on_version: int, by: User, **commentary: str) -> BoardReport:
    with transaction.atomic():
        locked = _locked(report, based_on_version)
        changed = _changed(locked, commentary)
        locked.save()
        audit_record(
            action=AuditAction.CHANGE,
            obj=locked,
            summary=f"Board report {locked.pk} commentary changed",
            changes={name: "changed" for name in changed},
            user=by,
        )
    return locked
