"""Per-agency API credentials: a bearer token standing for a service account of the agency.

The service account is an ordinary accounts.User with no usable password, holding roles at one MARAC like any
user, so every permission and need-to-know rule applies to a partner system exactly as to a person. Only the
token's prefix and the SHA-256 hash of the whole token are kept: the token itself is shown once, when issued.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

TOKEN_PREFIX_LENGTH = 10


def token_hash(token: str) -> str:
    """The stored form of a token. A token carries 256 random bits, so a plain SHA-256 cannot be searched."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiCredential(models.Model):
    marac = models.ForeignKey("marac.Marac", on_delete=models.PROTECT, related_name="api_credentials")
    agency = models.ForeignKey("marac.Agency", on_delete=models.PROTECT, related_name="api_credentials")
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_credential"
    )
    name = models.CharField(max_length=120, help_text="What the credential is for, such as the force's records system.")
    prefix = models.CharField(max_length=TOKEN_PREFIX_LENGTH, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Free text from whoever revoked it; kept here, not in the audit trail, which names fields and ids only.
    revocation_reason = models.CharField(max_length=500, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # As the issue form compares them: ignoring case, and revoked credentials included, so that a name in
            # the audit trail, or in the picker of users a restricted case is open to, stands for one credential.
            models.UniqueConstraint("marac", Lower("name"), name="api_credential_name_once_per_marac"),
        ]

    def __str__(self) -> str:
        return f"API credential {self.pk} ({self.name})"

    def is_usable(self, *, now: datetime.datetime | None = None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Active" if self.is_usable() else "Expired"
