"""Sign-in events in the audit trail, and the emails that tell someone their password or authenticator changed.

Written from Django's and allauth's signals (connected in accounts/apps.py), so every way in is covered: the sign-in
page, an organisation's identity provider, a reset link. Each entry goes to the trail of every MARAC where the person
holds a role, whose coordinator reads it at /audit/; an account with no role yet is recorded without a MARAC.

Nothing typed is stored: never a password, and for a failed sign-in with an address that is no account's, not the
address either (it could be a mistyped one of someone else's, or a victim's if pasted into the wrong box): the entry
then names no one, and keeps only when and from which network address, as every entry does."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Model
from django.dispatch import receiver

from accounts.models import RoleGrant, User
from accounts.services import tell_authenticator_removed, tell_password_changed
from audit import context
from audit.models import AuditAction
from audit.services import audit_record

WRONG_PASSWORD = "Wrong password"  # noqa: S105 (a summary, not a password)
DEACTIVATED = "Account deactivated"
NO_SUCH_ACCOUNT = "No account has the email address typed"
LOCKED_OUT = "Refused: too many failed sign-ins"
CODE_LOCKED_OUT = "Refused: too many wrong codes"

_AUTHENTICATOR_NAMES = {
    Authenticator.Type.TOTP: "authenticator app",
    Authenticator.Type.RECOVERY_CODES: "recovery codes",
}


def _record(
    *,
    action: str,
    user: User | None,
    summary: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
) -> None:
    """One entry at each MARAC where the person holds a role (one without a MARAC if none, or if nobody is known)."""
    marac_ids: list[int | None] = []
    if user is not None:
        marac_ids = list(RoleGrant.objects.filter(user=user).values_list("marac_id", flat=True).distinct())
    for marac_id in marac_ids or [None]:
        audit_record(
            action=action,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            user=user,
            marac_id=marac_id,
            summary=summary,
        )


def account_with_address(typed: Any) -> User | None:
    """The account whose address was typed, if any: matched as sign-in matches it (case aside)."""
    if not isinstance(typed, str) or not typed:
        return None
    return User.objects.filter(email__iexact=typed.strip()).first()


def record_failed_sign_in(*, typed_address: Any, summary: str) -> None:
    """A refused sign-in: against the account whose address was typed, or against nobody."""
    user = account_with_address(typed_address)
    if user is None:
        # Not even the address: only that a sign-in with an unknown address was refused (see the module).
        summary = f"{LOCKED_OUT} ({NO_SUCH_ACCOUNT.lower()})" if summary == LOCKED_OUT else NO_SUCH_ACCOUNT
        audit_record(action=AuditAction.SIGN_IN_FAILED, user=None, marac_id=None, summary=summary)
        return
    _record(action=AuditAction.SIGN_IN_FAILED, user=user, summary=summary)


def record_code_locked_out(*, user: User) -> None:
    """An authenticator code refused unchecked, as too many wrong ones came before it (accounts/adapters.py)."""
    _record(action=AuditAction.SIGN_IN_FAILED, user=user, summary=CODE_LOCKED_OUT)


def _through_the_service() -> bool:
    """Whether a request to the service is under way (audit.middleware): every sign-in to it is. Django's own calls
    outside one (the test client's force_login, a shell) sign nobody in to a browser, and are not recorded."""
    return context.current() is not None


@receiver(user_logged_in, dispatch_uid="accounts_audit_signed_in")
def _signed_in(sender: Any, request: Any = None, user: User | None = None, **kwargs: Any) -> None:
    # Sent once the sign-in is complete: after the authenticator code, not after the password alone.
    if _through_the_service():
        _record(action=AuditAction.SIGN_IN, user=user, summary="Signed in")


@receiver(user_logged_out, dispatch_uid="accounts_audit_signed_out")
def _signed_out(sender: Any, request: Any = None, user: User | None = None, **kwargs: Any) -> None:
    if user is not None and _through_the_service():
        _record(action=AuditAction.SIGN_OUT, user=user, summary="Signed out")


@receiver(user_login_failed, dispatch_uid="accounts_audit_sign_in_failed")
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if not _through_the_service():
        return
    # Django has already masked the password in `credentials`; only the address is read, to find the account.
    typed = credentials.get("email") or credentials.get("username")
    user = account_with_address(typed)
    summary = DEACTIVATED if user is not None and not user.is_active else WRONG_PASSWORD
    record_failed_sign_in(typed_address=typed, summary=summary)


@receiver(authentication_failed, dispatch_uid="accounts_audit_code_failed")
def _code_failed(sender: Any, user: User, authenticator: Authenticator, **kwargs: Any) -> None:
    summary = "Wrong recovery code" if authenticator.type == Authenticator.Type.RECOVERY_CODES else "Wrong code"
    _record(action=AuditAction.SIGN_IN_FAILED, user=user, summary=summary)


@receiver(password_changed, dispatch_uid="accounts_password_changed")
@receiver(password_set, dispatch_uid="accounts_password_set")
def _password_changed(sender: Any, user: User, **kwargs: Any) -> None:
    _record(action=AuditAction.CHANGE, user=user, obj=user, summary="Changed their password")
    tell_password_changed(user=user, with_reset_link=False)


@receiver(password_reset, dispatch_uid="accounts_password_reset")
def _password_reset(sender: Any, user: User, **kwargs: Any) -> None:
    """A reset (or invitation) link was used: its owner reads mail at the address, so it is verified. (Nothing in
    OpenMARAC depends on that: MFA_ALLOW_UNVERIFIED_EMAIL, config/settings/base.py. It keeps allauth's record true.)"""
    EmailAddress.objects.filter(user_id=user.pk, email__iexact=user.email).update(verified=True)
    _record(action=AuditAction.CHANGE, user=user, obj=user, summary="Set their password with a link sent by email")
    tell_password_changed(user=user, with_reset_link=True)


def _authenticator_name(authenticator: Authenticator) -> str:
    return _AUTHENTICATOR_NAMES.get(authenticator.type, str(authenticator.type))


@receiver(authenticator_added, dispatch_uid="accounts_authenticator_added")
def _authenticator_added(sender: Any, user: User, authenticator: Authenticator, **kwargs: Any) -> None:
    summary = f"Set up their {_authenticator_name(authenticator)}"
    _record(action=AuditAction.CREATE, user=user, obj=authenticator, summary=summary)


@receiver(authenticator_reset, dispatch_uid="accounts_authenticator_reset")
def _authenticator_reset(sender: Any, user: User, authenticator: Authenticator, **kwargs: Any) -> None:
    summary = f"Made new {_authenticator_name(authenticator)}"
    _record(action=AuditAction.CHANGE, user=user, obj=authenticator, summary=summary)


@receiver(authenticator_removed, dispatch_uid="accounts_authenticator_removed")
def _authenticator_removed(sender: Any, user: User, authenticator: Authenticator, **kwargs: Any) -> None:
    summary = f"Removed their {_authenticator_name(authenticator)}"
    # Deleting an authenticator app clears its id; the recovery codes deleted with it keep theirs.
    label, pk = Authenticator._meta.label_lower, str(authenticator.pk or "")
    _record(action=AuditAction.DELETE, user=user, summary=summary, object_type=label, object_id=pk)
    # Recovery codes go with the app they back up: one email for the two.
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        tell_authenticator_removed(user=authenticator.user)
