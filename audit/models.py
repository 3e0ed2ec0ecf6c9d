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
