"""The audit trail: append-only, each entry chained by hash to the one before."""

import hashlib
import json

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    # No database constraint: audit rows outlive what they point at and are never updated.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    agency_label = models.CharField(max_length=160, blank=True)
    roles = models.CharField(max_length=200, blank=True)
    marac = models.ForeignKey(
        "marac.Marac", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["marac", "at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["marac", "object_type"], name="audit_types_at_marac"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"

    def canonical(self) -> str:
        """What the hash covers: every field but the hash itself, in a fixed order."""
        return json.dumps(
            [
                self.at.isoformat(),
                self.actor_id,
                self.actor_label,
                self.agency_label,
                self.roles,
                self.marac_id,
                self.action,
                self.object_type,
                self.object_id,
                self.summary,
                self.changes,
                self.request_id,
                self.client_address,
                self.previous_hash,
            ],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()


class DeletedRestrictedCase(models.Model):
    """A restricted case that retention deleted. Its restrictions go with it, but the trail's entries about it, about
    what was part of it and about the people in it stay (they outlive the records): this keeps who was named on it and
    which records those entries name, so they stay hidden from everyone else (audit/selectors.py). Ids only."""

    case_id = models.PositiveBigIntegerField(unique=True)
    deleted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Deleted restricted case {self.case_id}"


class DeletedRestrictedCaseUser(models.Model):
    """A user who was named on the case when it was deleted, and so still sees the trail's entries about it."""

    deleted_case = models.ForeignKey(DeletedRestrictedCase, on_delete=models.CASCADE, related_name="named_users")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deleted_case", "user"], name="deleted_case_named_once")]

    def __str__(self) -> str:
        return f"User {self.user_id} named on deleted case {self.deleted_case_id}"


class DeletedRestrictedRecord(models.Model):
    """A record the trail names (as an entry does: type and id) that was part of the deleted case or of a person in it.
    `hidden_until`: None hides every entry about it; a time hides only the entries up to then, for a person kept
    because they are in another case, whose later entries belong to that case."""

    deleted_case = models.ForeignKey(DeletedRestrictedCase, on_delete=models.CASCADE, related_name="records")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    hidden_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="deleted_restricted_record")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} of deleted case {self.deleted_case_id}"
