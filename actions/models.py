"""The action plan: actions volunteered by agencies at the meeting, each specific, owned and timed
(BD Action planning), and their tracking to completion (BD Completion of Actions)."""

from django.conf import settings
from django.db import models


class ForWhom(models.TextChoices):
    VICTIM = "victim", "Victim"
    CHILDREN = "children", "Children"
    PERPETRATOR = "perpetrator", "Perpetrator"
    OTHER = "other", "Someone else"
    STAFF = "staff", "Staff safety"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANNOT_COMPLETE = "cannot_complete", "Cannot be completed"
    # Closed by the coordinator or chair after an agency could not complete it and no solution was found.
    NOT_COMPLETED = "not_completed", "Not completed"


class Action(models.Model):
    listing = models.ForeignKey("meetings.Listing", on_delete=models.PROTECT, related_name="actions")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="actions")
    owner_agency = models.ForeignKey("marac.Agency", on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    for_whom = models.CharField(max_length=20, choices=ForWhom)
    due_on = models.DateField()
    is_standard = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=ActionStatus, default=ActionStatus.OPEN)
    completion_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chased_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner_agency", "status"]), models.Index(fields=["case", "status"])]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    @property
    def marac_id(self) -> int:
        return self.case.marac_id


class ResolutionKind(models.TextChoices):
    REASSIGNED = "reassigned", "Passed to another agency"
    REOPENED = "reopened", "Reopened for the same agency"
    NOT_COMPLETED = "not_completed", "Closed as not completed"
    DONE_REOPENED = "done_reopened", "Reopened: marked done by mistake"


class ActionResolution(models.Model):
    """What the coordinator or chair decided about an action an agency could not complete (BD Completion of Actions:
    "the MARAC Chair or the VAWG Sub Committee will then work with the agency concerned to identify a solution"), or
    the reopening of one marked done by mistake. One row each time, so the action keeps its history."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="resolutions")
    kind = models.CharField(max_length=20, choices=ResolutionKind)
    reason = models.TextField()
    referred_to_vawg = models.BooleanField(default=False)
    from_agency = models.ForeignKey("marac.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("marac.Agency", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)  # the new due date, when the action was reopened or passed on
    # The agency's note set aside by reopening: why it could not be completed, or what it said was done.
    superseded_note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Resolution {self.pk} of action {self.action_id}"
