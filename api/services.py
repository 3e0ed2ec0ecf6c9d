"""Issuing, revoking and checking API credentials. Each change is audited against the credential's MARAC."""

import datetime
import hmac
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from accounts.permissions import CASE_ROLES
from accounts.selectors import SERVICE_ACCOUNT_DOMAIN, emails_of, role_emails
from api.models import TOKEN_PREFIX_LENGTH, ApiCredential, token_hash
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Agency, Marac
from web.dates import spoken
from web.links import site_link
from web.mail import send_to_each

TOKEN_START = "omk_"  # noqa: S105 - recognisable in a secret scanner, and in a configuration file
# Service accounts get an address under a reserved domain (RFC 2606): no mail reaches it, so no password
# reset can ever be completed, and the sign-in guard can tell a service account without a query.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)  # at most one write a minute per credential
MAX_LIFETIME_DAYS = 730


class CredentialRefused(Exception):
    """A change to a credential that its state or the two-person rule does not allow; the message says why."""


class CredentialNameTaken(CredentialRefused):
    """Another credential at the MARAC has this name: the database said so, when two people issued at once."""


def credential_needs_approval(roles: list[str]) -> bool:
    """A credential that holds a case role reads cases, and whoever issues it holds its token: so a second person
    (a coordinator, or another administrator, of the MARAC) must approve it before it works. Otherwise an
    administrator, who sees no case, could read every case through the API with a token they issued themselves."""
    return bool(set(roles) & CASE_ROLES)


def credential_name_taken(*, marac: Marac, name: str) -> bool:
    """Names are unique per MARAC ignoring case (revoked ones included), so no two look alike where credentials are
    listed, such as the picker of users a restricted case is open to. Checked by the issue form, and held by the
    database constraint api_credential_name_once_per_marac when two people issue at the same moment."""
    return ApiCredential.objects.filter(marac=marac, name__iexact=name.strip()).exists()


def name_taken_message(name: str) -> str:
    return f"A credential called {name.strip()} already exists: give this one another name"


def credential_issue(
    *,
    marac: Marac,
    agency: Agency,
    name: str,
    roles: list[str],
    expires_on: datetime.date,
    by: Any,
    awaiting_approval: bool = False,
) -> tuple[ApiCredential, str]:
    """A new credential and its token. The token is returned here once and never stored.

    A credential awaiting approval has an inactive service account, so its token gets 401 until
    credential_approve. The pages ask for approval by credential_needs_approval; a direct caller (a test, an
    operator's script) decides for itself. Raises CredentialNameTaken, with nothing saved, if the name is taken."""
    name = name.strip()
    try:
        return _credential_create(
            marac=marac,
            agency=agency,
            name=name,
            roles=roles,
            expires_on=expires_on,
            by=by,
            awaiting_approval=awaiting_approval,
        )
    except IntegrityError:
        # The form checked the name, but a second submission (a double click, a colleague) may have taken it since.
        # Any other integrity error is a fault, not something to tell the user.
        if credential_name_taken(marac=marac, name=name):
            raise CredentialNameTaken(name_taken_message(name)) from None
        raise


def _credential_create(
    *,
    marac: Marac,
    agency: Agency,
    name: str,
    roles: list[str],
    expires_on: datetime.date,
    by: Any,
    awaiting_approval: bool,
) -> tuple[ApiCredential, str]:
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
    role_names = ", ".join(sorted(set(roles)))
    # A savepoint when called inside a transaction, so the caller's transaction survives a refused name.
    with transaction.atomic():
        user = User(
            email=f"api-{uuid.uuid4().hex}@{SERVICE_ACCOUNT_DOMAIN}",
            full_name=f"API credential: {name}"[:150],
            agency=agency,
            is_active=not awaiting_approval,
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
            summary=f"Issued API credential {credential.pk} to agency {agency.pk} with roles {role_names}"
            + (", awaiting approval by a second person" if awaiting_approval else ""),
        )
        if awaiting_approval:
            transaction.on_commit(lambda: _ask_for_approval(marac=marac, issued_by=by))
    return credential, token


def _ask_for_approval(*, marac: Marac, issued_by: Any) -> None:
    """Tell the MARAC's coordinators and its other administrators; the email names no credential and no person."""
    people = User.objects.filter(
        is_active=True, role_grants__marac=marac, role_grants__role__in=[Role.COORDINATOR, Role.ADMINISTRATOR]
    )
    if getattr(issued_by, "pk", None) is not None:
        people = people.exclude(pk=issued_by.pk)
    recipients = emails_of(people)
    if not recipients:
        return
    link = site_link("api_credentials:approvals")
    send_to_each(
        subject="OpenMARAC: an API credential that can read cases is waiting for your approval",
        message=f"An administrator at {marac.name} has issued an API credential for an agency's system that holds "
        "a case role. It does not work until a coordinator or another administrator approves it. "
        "Approve it only if you expected it; if not, ask the MARAC's administrators to revoke it. "
        f"See it here:\n\n{link}\n",
        recipients=recipients,
    )


def credential_awaits_approval(credential: ApiCredential) -> bool:
    return credential.revoked_at is None and not credential.service_user.is_active


def credential_approve(*, credential: ApiCredential, by: Any) -> ApiCredential:
    """The second person's approval: the token works from now on. Never the person who issued it."""
    with transaction.atomic():
        credential = ApiCredential.objects.select_for_update().select_related("service_user").get(pk=credential.pk)
        if credential.created_by_id == by.pk:
            raise CredentialRefused(
                "You issued this credential: a coordinator or another administrator must approve it"
            )
        if not credential_awaits_approval(credential):
            raise CredentialRefused("This credential is not waiting for approval")
        User.objects.filter(pk=credential.service_user_id).update(is_active=True)
        credential.service_user.is_active = True
        audit_record(
            action=AuditAction.CHANGE,
            obj=credential,
            user=by,
            marac_id=credential.marac_id,
            summary=f"Approved API credential {credential.pk}",
        )
    return credential


REVOCATION_REASON_REQUIRED = "Say why you are revoking it"


def credential_revoke(*, credential: ApiCredential, by: Any, reason: str) -> ApiCredential:
    """Revoked at once: the token gets 401 from its next call, and the service account can do nothing. An
    administrator or a coordinator of its MARAC may revoke it (a coordinator may be the first to hear that a partner
    system is leaking), and must say why. The reason is kept on the credential; the audit trail names the field
    only, since free text may name a person."""
    reason = reason.strip()
    if not reason:
        raise CredentialRefused(REVOCATION_REASON_REQUIRED)
    with transaction.atomic():
        credential = ApiCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.revoked_at is not None:
            return credential
        credential.revoked_at = timezone.now()
        credential.revoked_by = by
        credential.revocation_reason = reason
        credential.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        User.objects.filter(pk=credential.service_user_id).update(is_active=False)
        audit_record(
            action=AuditAction.CHANGE,
            obj=credential,
            user=by,
            marac_id=credential.marac_id,
            summary=f"Revoked API credential {credential.pk}",
            changes={"revoked_at": credential.revoked_at.isoformat(), "revocation_reason": "recorded"},
        )
        revoked = credential
        # robust: should the mail server fail, the revocation stands and the page still answers; the failure is logged.
        transaction.on_commit(lambda: _tell_revoked(revoked), robust=True)
    return credential


ACCESS_CHANGED_SUBJECT = "OpenMARAC: access for an agency's system has changed"


def _tell_revoked(credential: ApiCredential) -> None:
    """Whoever issued the credential learns it was revoked, or, if they can no longer be told (their account is
    closed, or they no longer hold a role at the MARAC), the MARAC's coordinators. The email names no credential, no
    agency, no person and not the reason, which is free text: it says where to sign in to see them."""
    issuer = (
        User.objects.filter(pk=credential.created_by_id, is_active=True, role_grants__marac_id=credential.marac_id)
        .exclude(email="")
        .exclude(email__endswith="@" + SERVICE_ACCOUNT_DOMAIN)
        .first()
    )
    if issuer is not None:
        recipients, whose = [issuer.email], "that you issued"
    else:
        recipients = role_emails(marac_id=credential.marac_id, role=Role.COORDINATOR)
        whose = "issued by an administrator"
    if not recipients:
        return
    body = render_to_string(
        "emails/credential_revoked.txt",
        {
            "whose": whose,
            "marac_name": credential.marac.name,
            "day": spoken(timezone.localtime(credential.revoked_at or timezone.now()).date()),
            "link": site_link("api_credentials:list"),
        },
    )
    send_to_each(subject=ACCESS_CHANGED_SUBJECT, message=body, recipients=recipients)


def credential_for_token(token: str) -> ApiCredential | None:
    """The usable credential a token belongs to, else None (unknown, malformed, revoked, expired or not approved)."""
    credential = _credential_holding(token)
    if credential is None or not credential.is_usable() or not credential.service_user.is_active:
        return None
    _note_use(credential)
    return credential


def token_awaits_approval(token: str) -> bool:
    """Whether a refused token is a whole, valid token of a credential still awaiting a second person's approval.
    Only the token's holder can send it, so telling them so reveals nothing to anyone else."""
    credential = _credential_holding(token)
    return credential is not None and credential.is_usable() and credential_awaits_approval(credential)


def _credential_holding(token: str) -> ApiCredential | None:
    """The credential whose token this is, whatever its state; None for any other text."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, _, secret = token.removeprefix(TOKEN_START).partition("_")
    if len(prefix) != TOKEN_PREFIX_LENGTH or not secret:
        return None
    credential = ApiCredential.objects.select_related("service_user").filter(prefix=prefix).first()
    if credential is None or not hmac.compare_digest(credential.secret_hash, token_hash(token)):
        return None
    return credential


def _note_use(credential: ApiCredential) -> None:
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_RESOLUTION:
        ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now


def is_service_account(user: Any) -> bool:
    email = getattr(user, "email", "") or ""
    return email.endswith("@" + SERVICE_ACCOUNT_DOMAIN) and ApiCredential.objects.filter(service_user=user).exists()
