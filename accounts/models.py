"""People who use OpenMARAC: each belongs to one agency and holds roles per MARAC."""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from accounts.emails import check_ascii


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    AGENCY_REPRESENTATIVE = "agency_representative", "Agency representative"
    IDVA = "idva", "IDVA"
    COORDINATOR = "coordinator", "MARAC coordinator"
    CHAIR = "chair", "MARAC chair"
    BOARD_VIEWER = "board_viewer", "Board viewer"
    ADMINISTRATOR = "administrator", "Administrator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        email = self.normalize_email(email).lower()
        check_ascii(email)  # accounts/emails.py: no look-alike addresses, however a user is made
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    agency = models.ForeignKey("marac.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="users")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email


class RoleGrant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    marac = models.ForeignKey("marac.Marac", on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role)
    granted_at = models.DateTimeField(auto_now_add=True)
    # Both set when a second person approved the grant (a case role, accounts.services.role_grant_approve). For any
    # other grant, who made it is in the audit trail (accounts.selectors).
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["marac__name", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "marac", "role"], name="role_once_per_marac")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.marac}"


class PendingRoleGrant(models.Model):
    """A case role an administrator granted to a person, awaiting approval by a second person: a coordinator, or
    another administrator, of the MARAC. It gives no access at all: the RoleGrant is made only when it is approved
    (accounts.services.role_grant_approve), so nothing that reads roles has to know about it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_role_grants")
    marac = models.ForeignKey("marac.Marac", on_delete=models.CASCADE, related_name="pending_role_grants")
    role = models.CharField(max_length=30, choices=Role)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "marac", "role"], name="pending_role_once_per_marac"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.marac}, awaiting approval"
