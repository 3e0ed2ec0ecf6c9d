"""Adding users and granting roles. Each is audited against the MARAC it concerns."""

import secrets
from typing import Any

from django.db import transaction

from accounts.models import RoleGrant, User
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac


def user_create(*, user: User, marac: Marac, by: Any) -> User:
    """A new user has an unusable password until they set one through the password reset email."""
    with transaction.atomic():
        user.set_unusable_password()
        user.save()
        audit_record(action=AuditAction.CREATE, obj=user, user=by, marac_id=marac.pk, summary="Added a user")
    return user


def role_grant(*, user: User, marac: Marac, role: str, by: Any) -> RoleGrant:
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(user=user, marac=marac, role=role)
        if created:
            audit_record(
                action=AuditAction.CREATE,
                obj=grant,
                user=by,
                marac_id=marac.pk,
                summary=f"Granted role {role} to user {user.pk}",
            )
    return grant


def role_revoke(*, grant: RoleGrant, by: Any) -> None:
    with transaction.atomic():
        audit_record(
            action=AuditAction.DELETE,
            obj=grant,
            user=by,
            marac_id=grant.marac_id,
            summary=f"Removed role {grant.role} from user {grant.user_id}",
        )
        grant.delete()


def temporary_password() -> str:
    return secrets.token_urlsafe(18)
