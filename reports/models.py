"""Quality assurance records (WM "Performance and quality assurance framework"): action plan reviews, member and
victim feedback, single- and multi-agency audits, local improvement plans, and the board report's commentary.
Victims' feedback is anonymous: nothing here points at a person."""

from django.conf import settings
from django.db import models


class Rating(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


class ActionPlanReview(models.Model):
    """A reviewer's sample of the plans (listings) heard in a period, drawn with a seed so it can be drawn again."""

    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    sample_size = models.PositiveSmallIntegerField()
    seed = models.PositiveIntegerField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-id"]

    def __str__(self) -> str:
        return f"Action plan review {self.pk} ({self.period_start} to {self.period_end})"


class ReviewedPlan(models.Model):
    review = models.ForeignKey(ActionPlanReview, on_delete=models.CASCADE, related_name="plans")
    listing = models.ForeignKey("meetings.Listing", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["review", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "listing"], name="plan_once_per_review")]

    def __str__(self) -> str:
        return f"Plan {self.listing_id} in review {self.review_id}"

    @property
    def marac_id(self) -> int:
        return self.review.marac_id


class PlanScore(models.Model):
    plan = models.ForeignKey(ReviewedPlan, on_delete=models.CASCADE, related_name="scores")
    statement = models.CharField(max_length=40)  # a key of quality_rules.ACTION_PLAN_STATEMENTS
    rating = models.CharField(max_length=10, choices=Rating)
    comment = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "statement"], name="one_score_per_statement")]

    def __str__(self) -> str:
        return f"{self.statement}: {self.rating}"


class Respondent(models.TextChoices):
    AGENCY_REPRESENTATIVE = "agency_representative", "Agency representative (MARAC member)"
    VICTIM = "victim", "Victim"


class FeedbackResponse(models.Model):
    """One survey response. No link to a person or a case: a victim's answers must not lead back to them."""

    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    respondent = models.CharField(max_length=30, choices=Respondent)
    # 1 (strongly disagree) to 5 (strongly agree), for quality_rules.FEEDBACK_QUESTIONS[respondent]; blank: no answer.
    score_1 = models.PositiveSmallIntegerField(null=True, blank=True)
    score_2 = models.PositiveSmallIntegerField(null=True, blank=True)
    score_3 = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"Feedback {self.pk} ({self.respondent}, {self.received_on})"


class AuditKind(models.TextChoices):
    SINGLE_AGENCY = "single_agency", "Single-agency audit"
    MULTI_AGENCY = "multi_agency", "Multi-agency audit"


class QualityAudit(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=AuditKind)
    carried_out_on = models.DateField()
    agencies = models.ManyToManyField("marac.Agency", related_name="+", blank=True)
    scope = models.TextField()
    findings = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-carried_out_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.carried_out_on}"


class ImprovementPlan(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    agreed_on = models.DateField()

    class Meta:
        ordering = ["-agreed_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ImprovementStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ImprovementAction(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=500)
    owner = models.CharField(max_length=200, help_text="The agency or role responsible.")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ImprovementStatus, default=ImprovementStatus.NOT_STARTED)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action

    @property
    def marac_id(self) -> int:
        return self.plan.marac_id


class BoardReport(models.Model):
    """The coordinator's commentary on a period's figures, kept so the report can be edited and downloaded again,
    and the figures themselves as the report first showed them (reports.board_report.board_report_figures_take), so
    that a later download shows the board what it saw, whatever has been recorded or corrected since."""

    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    overview = models.TextField(blank=True)
    indicators_commentary = models.TextField(blank=True)
    quality_commentary = models.TextField(blank=True)
    # Suppressed, as every viewer of the report sees them (reports.board_report.BoardReportFigures); null until taken.
    figures = models.JSONField(null=True, blank=True, editable=False)
    figures_taken_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "-id"]

    def __str__(self) -> str:
        return f"Board report {self.period_start} to {self.period_end}"
