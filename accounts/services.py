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


class RoleChangeRefused(Exception):
    """A change of roles the rules do not allow; the message says why."""


OWN_ROLES_REFUSED = "You cannot change your own roles: another administrator must do it"


def may_change_roles_of(*, user: User, by: Any) -> bool:
    """Nobody grants or removes their own roles: an administrator, who sees no case, could otherwise give
    themselves a case role and read every case. Another administrator of the MARAC must do it."""
    return getattr(by, "pk", None) != user.pk


def role_grant(*, user: User, marac: Marac, role: str, by: Any) -> RoleGrant:
    if not may_change_roles_of(user=user, by=by):
        raise RoleChangeRefused(OWN_ROLES_REFUSED)
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
    if not may_change_roles_of(user=grant.user, by=by):
        raise RoleChangeRefused(OWN_ROLES_REFUSED)
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
