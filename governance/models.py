"""A MARAC's governance records (BD Effectiveness of MARAC; Observers; Induction; WM Governance): complaints,
breaches of the protocol or information sharing agreement, domestic homicide review and court disclosure
requests, who signed the agreements, representatives' induction, and the annual protocol review."""

from django.conf import settings
from django.db import models


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Being investigated"
    # Stored as "resolved" since before escalation existed; the complainant can still escalate the chair's response,
    # so users are told what happened, not that the complaint is over.
    RESOLVED = "resolved", "Chair responded"
    ESCALATED = "escalated", "Escalated to the VAWG chair"
    VAWG_ACKNOWLEDGED = "vawg_acknowledged", "Acknowledged by the VAWG chair"
    VAWG_RESPONDED = "vawg_responded", "VAWG chair responded"


class Complaint(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="complaints")
    received_on = models.DateField()
    from_whom = models.CharField(max_length=200, help_text="Who complained: an agency, a person's role.")
    summary = models.TextField()
    status = models.CharField(max_length=20, choices=ComplaintStatus, default=ComplaintStatus.RECEIVED)
    acknowledge_by = models.DateField()
    acknowledged_on = models.DateField(null=True, blank=True)
    # BD Complaints: the chair acknowledges the complaint "and provide[s] a timeframe in which a response will be
    # made": the date the complainant was told to expect the chair's response. Empty on complaints acknowledged before
    # it was asked for.
    response_promised_by = models.DateField(null=True, blank=True)
    investigation_notes = models.TextField(blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    # BD Complaints: a complainant not satisfied with the chair's response sends an escalated letter to the chair of
    # the VAWG sub group. The date they asked, why they are not satisfied, when the VAWG chair must acknowledge it
    # (5 working days on) and did, then the VAWG chair's response.
    escalated_on = models.DateField(null=True, blank=True)
    escalation_reason = models.TextField(blank=True)
    vawg_acknowledge_by = models.DateField(null=True, blank=True)
    vawg_acknowledged_on = models.DateField(null=True, blank=True)
    vawg_responded_on = models.DateField(null=True, blank=True)
    vawg_outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"Complaint {self.pk}"


class Breach(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="breaches")
    occurred_on = models.DateField()
    reported_on = models.DateField()
    agency = models.ForeignKey("marac.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    of_what = models.CharField(
        max_length=20, choices=[("protocol", "The MARAC protocol"), ("isa", "The information sharing agreement")]
    )
    description = models.TextField()
    referred_to_vawg_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_on"]
        verbose_name_plural = "breaches"

    def __str__(self) -> str:
        return f"Breach {self.pk}"


class DisclosureKind(models.TextChoices):
    DOMESTIC_HOMICIDE_REVIEW = "dhr", "Domestic homicide review"
    COURT = "court", "Court"


class DisclosureRequest(models.Model):
    """A request for minutes and action plans: a domestic homicide review (in the circumstances BD names,
    released within 10 working days; others at the chair's decision) or a court."""

    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="disclosure_requests")
    kind = models.CharField(max_length=10, choices=DisclosureKind)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.CharField(max_length=200, help_text="The review panel, court or solicitor asking.")
    reference = models.CharField(max_length=100, blank=True)
    received_on = models.DateField()
    circumstance = models.CharField(max_length=40, blank=True)
    release_required = models.BooleanField(default=False)
    due_on = models.DateField(null=True, blank=True)
    chair_decision = models.CharField(max_length=20, blank=True, choices=[("release", "Release"), ("refuse", "Refuse")])
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_on = models.DateField(null=True, blank=True)
    redaction_notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"Disclosure request {self.pk}"


class AgreementSignature(models.Model):
    """The register of agencies that signed the information sharing agreement and the protocol."""

    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="agreement_signatures")
    agency = models.ForeignKey("marac.Agency", on_delete=models.PROTECT, related_name="+")
    document = models.CharField(
        max_length=20, choices=[("isa", "Information sharing agreement"), ("protocol", "MARAC protocol")]
    )
    signed_on = models.DateField()
    signed_by = models.CharField(max_length=150, help_text="Name and role of the signatory for the agency.")

    class Meta:
        ordering = ["agency__name", "document"]

    def __str__(self) -> str:
        return f"Agency {self.agency_id} signed {self.document}"


class InductionRecord(models.Model):
    """BD Induction: a new representative's checklist, item by item."""

    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="inductions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_items = models.JSONField(default=list, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["marac", "user"], name="one_induction_per_person")]

    def __str__(self) -> str:
        return f"Induction of user {self.user_id}"


class ProtocolReview(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="protocol_reviews")
    reviewed_on = models.DateField()
    next_due_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-reviewed_on"]

    def __str__(self) -> str:
        return f"Protocol review {self.pk}"
