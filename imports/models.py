"""An import of a MARAC's history: the run (its progress, report and counts) and what each row became."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from people.encryption import EncryptedJSONField, EncryptedTextField


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    READING = "reading", "Reading the file"
    CHECKING = "checking", "Checking the rows"
    SAVING = "saving", "Saving"
    DONE = "done", "Imported"
    CHECKED = "checked", "Checked: no problems found"
    REFUSED = "refused", "Not imported: the file has problems"
    FAILED = "failed", "Not imported: something went wrong"
    # No progress for imports.stalling.STALLED_AFTER: its worker died (or was stopped). Set by
    # imports.services.import_runs_stop_stalled only; nothing a late worker does is saved after it.
    STOPPED = "stopped", "Not imported: the import stopped before it finished"


FINISHED = frozenset({RunStatus.DONE, RunStatus.CHECKED, RunStatus.REFUSED, RunStatus.FAILED, RunStatus.STOPPED})
UNDER_WAY = frozenset({RunStatus.QUEUED, RunStatus.READING, RunStatus.CHECKING, RunStatus.SAVING})


class ImportRun(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="import_runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The heartbeat: when the run last showed it was alive (uploaded, claimed, progress written, saving begun).
    # A run under way with none for imports.stalling.STALLED_AFTER is marked stopped.
    last_progress_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    check_only = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=RunStatus, default=RunStatus.QUEUED)
    # A file name can carry a name ("Smith case log.xlsx"): kept encrypted like the rest.
    file_name = EncryptedTextField(blank=True)
    # The uploaded files, base64, until the run finishes: then emptied. Encrypted while they wait.
    upload = EncryptedJSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Each problem as [sheet, row, column, value, message]: the values are the uploader's data, so encrypted.
    problems = EncryptedJSONField(default=list, blank=True)
    warnings = EncryptedJSONField(default=list, blank=True)
    # Counts only (cases, actions, people, meetings, already imported...): no personal data.
    summary = models.JSONField(default=dict, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    # When the report's values from the file and the file's name were removed (imports/services.py
    # import_reports_redact); where each problem was, and the counts, are kept.
    report_redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import run {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent_done(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class RecordKind(models.TextChoices):
    CASE = "case", "Case"
    ACTION = "action", "Action"


class ImportedRecord(models.Model):
    """What one row became: a second import of the same row finds it here and creates nothing."""

    marac = models.ForeignKey("marac.Marac", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=RecordKind)
    # A case: its reference in the file. An action: a keyed hash of its case, agency, words and due date.
    external_key = models.CharField(max_length=80)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A keyed hash of the row as imported, to tell a changed row from the same row again.
    fingerprint = models.CharField(max_length=64)
    # The perpetrator's relationship to the victim: a case has nowhere else to keep it without a referral.
    relationship = models.CharField(max_length=30, blank=True)
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="records")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["marac", "kind", "external_key"], name="imported_once_per_marac"),
        ]

    def __str__(self) -> str:
        return f"Imported {self.kind} {self.pk}"
