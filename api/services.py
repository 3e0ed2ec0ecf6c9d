"""Issuing, revoking and checking API credentials. Each change is audited against the credential's MARAC."""

import datetime
import hmac
import secrets
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import RoleGrant, User
from api.models import TOKEN_PREFIX_LENGTH, ApiCredential, token_hash
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Agency, Marac

TOKEN_START = "omk_"  # noqa: S105 - recognisable in a secret scanner, and in a configuration file
# Service accounts get an address under a reserved domain (RFC 2606): no mail reaches it, so no password
# reset can ever be completed, and the sign-in guard can tell a service account without a query.
SERVICE_ACCOUNT_DOMAIN = "api-credential.openmarac.invalid"
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)  # at most one write a minute per credential
MAX_LIFETIME_DAYS = 730


def credential_issue(
    *, marac: Marac, agency: Agency, name: str, roles: list[str], expires_on: datetime.date, by: Any
) -> tuple[ApiCredential, str]:
    """A new credential and its token. The token is returned here once and never stored."""
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
    role_names = ", ".join(sorted(set(roles)))
    with transaction.atomic():
        user = User(
            email=f"api-{uuid.uuid4().hex}@{SERVICE_ACCOUNT_DOMAIN}",
            full_name=f"API credential: {name}"[:150],
            agency=agency,
        )
        user.set_unusable_password()
        user.save()
        credential = ApiCredential.objects.create(
            marac=marac,
            agency=agency,
            service_user=user,
            name=name,
            prefix=prefix,
            secret_hash=token_hash(token),
            created_by=by,
            expires_at=expires_at,
        )
        for role in sorted(set(roles)):
            RoleGrant.objects.create(user=user, marac=marac, role=role)
        audit_record(
            action=AuditAction.CREATE,
            obj=credential,
            user=by,
            marac_id=marac.pk,
            summary=f"Issued API credential {credential.pk} to agency {agency.pk} with roles {role_names}",
        )
    return credential, token


def credential_revoke(*, credential: ApiCredential, by: Any) -> ApiCredential:
    """Revoked at once: the token gets 401 from now on, and the service account can do nothing."""
    with transaction.atomic():
        credential = ApiCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.revoked_at is not None:
            return credential
        credential.revoked_at = timezone.now()
        credential.revoked_by = by
        credential.save(update_fields=["revoked_at", "revoked_by"])
        User.objects.filter(pk=credential.service_user_id).update(is_active=False)
        audit_record(
            action=AuditAction.CHANGE,
            obj=credential,
            user=by,
            marac_id=credential.marac_id,
            summary=f"Revoked API credential {credential.pk}",
        )
    return credential


def credential_for_token(token: str) -> ApiCredential | None:
    """The usable credential a token belongs to, else None (unknown, malformed, revoked or expired)."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, _, secret = token.removeprefix(TOKEN_START).partition("_")
    if len(prefix) != TOKEN_PREFIX_LENGTH or not secret:
        return None
    credential = ApiCredential.objects.select_related("service_user").filter(prefix=prefix).first()
    if credential is None or not hmac.compare_digest(credential.secret_hash, token_hash(token)):
        return None
    if not credential.is_usable() or not credential.service_user.is_active:
        return None
    _note_use(credential)
    return credential


def _note_use(credential: ApiCredential) -> None:
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_RESOLUTION:
        ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now


def is_service_account(user: Any) -> bool:
    email = getattr(user, "email", "") or ""
    return email.endswith("@" + SERVICE_ACCOUNT_DOMAIN) and ApiCredential.objects.filter(service_user=user).exists()
