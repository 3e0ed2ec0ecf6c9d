"""Reads for quality assurance: the plans heard in a period, and the summary for the board (counts and averages
only; no comment, finding or name leaves here).

Secondary suppression (reports.suppression.withhold) needs no groups here: no count the summary shows is the sum of
others it shows (plans not scored on a statement and questions left blank are never shown), so a withheld count
cannot be worked out by subtraction. The plans not fully meeting a statement are a percentage's whole less its part,
left unprotected as the rest of every share on the dashboard is (reports/partitions.py declares only counts shown).
A line added with a total and all its parts must declare them, as reports/postcodes.py does."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count

from meetings.models import Listing, ListingKind
from reports import quality_rules as rules
from reports.models import (
    ActionPlanReview,
    AuditKind,
    FeedbackResponse,
    ImprovementAction,
    ImprovementStatus,
    PlanScore,
    QualityAudit,
    Respondent,
)


def plans_heard(*, marac_id: int, start: date, end: date) -> list[int]:
    """The listings discussed in full at the MARAC's meetings from start to end: each one's action plan."""
    listings = Listing.objects.filter(
        meeting__marac_id=marac_id,
        meeting__starts_at__date__gte=start,
        meeting__starts_at__date__lte=end,
        kind=ListingKind.FULL,
    )
    return list(listings.values_list("pk", flat=True))


@dataclass(frozen=True)
class SummaryLine:
    label: str
    value: str


@dataclass(frozen=True)
class SummarySection:
    title: str
    lines: tuple[SummaryLine, ...]


def _reviews(marac_id: int, start: date, end: date, suppress: bool, threshold: int) -> SummarySection:
    reviews = ActionPlanReview.objects.filter(marac_id=marac_id, period_end__gte=start, period_start__lte=end)
    scores = PlanScore.objects.filter(plan__review__in=reviews)
    plans = reviews.aggregate(plans=Count("plans"))["plans"] or 0
    lines = [
        SummaryLine("Reviews", str(reviews.count())),
        SummaryLine("Action plans reviewed", rules.shown_count(plans, suppress=suppress, threshold=threshold)),
    ]
    for statement in rules.summarise_ratings(scores.values_list("statement", "rating")):
        shown = rules.shown_percent(
            statement.met_percent, statement.met, statement.scored, suppress=suppress, threshold=threshold
        )
        lines.append(SummaryLine(f"Met: {statement.statement}", shown))
    return SummarySection("Action plan reviews", tuple(lines))


def _feedback(marac_id: int, start: date, end: date, suppress: bool, threshold: int) -> list[SummarySection]:
    sections = []
    for respondent in Respondent:
        responses = FeedbackResponse.objects.filter(
            marac_id=marac_id, respondent=respondent, received_on__gte=start, received_on__lte=end
        )
        scores = list(responses.values_list("score_1", "score_2", "score_3"))
        lines = [SummaryLine("Responses", rules.shown_count(len(scores), suppress=suppress, threshold=threshold))]
        for question in rules.summarise_scores(respondent, scores):
            average = rules.shown_average(question.average, question.answered, suppress=suppress, threshold=threshold)
            lines.append(SummaryLine(f"Average (1-5): {question.question}", average))
        title = "Feedback from victims" if respondent == Respondent.VICTIM else "Feedback from MARAC members"
        sections.append(SummarySection(title, tuple(lines)))
    return sections


def _audits_and_improvement(marac_id: int, start: date, end: date, today: date) -> SummarySection:
    audits = QualityAudit.objects.filter(marac_id=marac_id, carried_out_on__gte=start, carried_out_on__lte=end)
    actions = ImprovementAction.objects.filter(plan__marac_id=marac_id)
    open_actions = actions.exclude(status__in=[ImprovementStatus.DONE, ImprovementStatus.DROPPED])
    lines = [
        SummaryLine("Single-agency audits", str(audits.filter(kind=AuditKind.SINGLE_AGENCY).count())),
        SummaryLine("Multi-agency audits", str(audits.filter(kind=AuditKind.MULTI_AGENCY).count())),
        SummaryLine("Improvement actions", str(actions.count())),
        SummaryLine("Improvement actions done", str(actions.filter(status=ImprovementStatus.DONE).count())),
        SummaryLine("Improvement actions open and overdue", str(open_actions.filter(due_on__lt=today).count())),
    ]
    return SummarySection("Audits and improvement plans", tuple(lines))


def quality_summary(
    *, marac_id: int, start: date, end: date, today: date, suppress: bool, threshold: int
) -> tuple[SummarySection, ...]:
    return (
        _reviews(marac_id, start, end, suppress, threshold),
        *_feedback(marac_id, start, end, suppress, threshold),
        _audits_and_improvement(marac_id, start, end, today),
    )
