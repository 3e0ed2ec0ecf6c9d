"""An administrator closes a leaver's account, opens it again, and resets the sign-in app of someone who lost it.

Each change is audited at every MARAC where the person holds a role, so that each of their administrators sees it,
and at the MARAC it was made from. Nobody does any of these to their own account: another administrator must."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from accounts.permissions import marac_ids_where
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac
from web.dates import spoken
from web.links import site_link
from web.mail import send_one

OWN_ACCOUNT_REFUSED = "You cannot change your own account here: another administrator of your MARAC must do it"
REACTIVATION_REFUSED = (
    "Only an administrator of each MARAC where they hold a role can reactivate their account: ask your service's "
    "operators"
)
ACTOR_INACTIVE = "Your own account has just been deactivated"
CREDENTIAL_REVOKED_REASON = "The account of the person who issued it was deactivated"
SIGN_IN_APP_RESET_SUBJECT = "OpenMARAC: your sign-in app was reset"


class AccountChangeRefused(Exception):
    """A change to an account the rules do not allow; the message says why."""


def _refuse_own(*, user: User, by: Any) -> None:
    if getattr(by, "pk", None) == user.pk:
        raise AccountChangeRefused(OWN_ACCOUNT_REFUSED)


def _audit_everywhere(*, user: User, marac: Marac, by: Any, summary: str, changes: dict[str, Any]) -> None:
    marac_ids = set(RoleGrant.objects.filter(user=user).values_list("marac_id", flat=True)) | {marac.pk}
    for marac_id in sorted(marac_ids):
        audit_record(action=AuditAction.CHANGE, obj=user, user=by, marac_id=marac_id, summary=summary, changes=changes)


def sessions_end(*, user: User) -> int:
    """Signs the user out everywhere at once: their sessions are deleted, so their next request finds none. Sessions
    are kept in the database (Django's default) and name their user only inside their data, so each live one is
    read; the idle timeout keeps them few. Returns how many ended."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def usable_credentials_issued_by(user: User) -> Any:
    """The API credentials this person issued that still work or wait for approval: they saw each token once, so a
    leaver may still hold it."""
    from api.models import ApiCredential  # api builds on accounts, not the other way round

    return ApiCredential.objects.filter(created_by=user, revoked_at__isnull=True, expires_at__gt=timezone.now())


def account_deactivate(*, user: User, marac: Marac, by: Any) -> None:
    """A leaver's account is closed: they cannot sign in (once the password is right, the sign-in page shows
    templates/account/account_inactive.html), their sessions end at once, and the API credentials they issued are
    revoked, whichever MARAC they are at. Their roles stay, to show what they held; they give nothing while the account
    is closed (accounts.permissions.roles_at). Closing an account puts nobody's data at risk, so one administrator
    does it."""
    from api.services import credential_revoke  # api builds on accounts, not the other way round

    _refuse_own(user=user, by=by)
    with transaction.atomic():
        # Both accounts locked, in a fixed order: two administrators deactivating each other at the same moment would
        # otherwise leave the MARAC with neither. Whoever comes second is refused.
        locked = {
            account.pk: account
            for account in User.objects.select_for_update().filter(pk__in={user.pk, by.pk}).order_by("pk")
        }
        if not locked[by.pk].is_active:
            raise AccountChangeRefused(ACTOR_INACTIVE)
        if not locked[user.pk].is_active:
            return  # someone else closed it a moment ago
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        _audit_everywhere(
            user=user,
            marac=marac,
            by=by,
            summary=f"Deactivated the account of user {user.pk}",
            changes={"is_active": {"from": "True", "to": "False"}},
        )
        for credential in usable_credentials_issued_by(user):
            credential_revoke(credential=credential, by=by, reason=CREDENTIAL_REVOKED_REASON)
        sessions_end(user=user)


def reactivation_refusal(*, user: User, by: Any) -> str | None:
    """Why `by` may not reactivate this account, or None if they may. Reactivating gives back every role the person
    still holds, at every MARAC: so only someone who administers each of those MARACs may, lest one MARAC's
    administrator reopen an account another MARAC closed."""
    if getattr(by, "pk", None) == user.pk:
        return OWN_ACCOUNT_REFUSED
    held = set(RoleGrant.objects.filter(user=user).values_list("marac_id", flat=True))
    if not held <= marac_ids_where(by, {Role.ADMINISTRATOR}):
        return REACTIVATION_REFUSED
    return None


def account_reactivate(*, user: User, marac: Marac, by: Any) -> None:
    """The account opens again, with the roles it still holds. API credentials revoked when it was closed stay
    revoked: an administrator issues new ones."""
    refusal = reactivation_refusal(user=user, by=by)
    if refusal is not None:
        raise AccountChangeRefused(refusal)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            return
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        _audit_everywhere(
            user=user,
            marac=marac,
            by=by,
            summary=f"Reactivated the account of user {user.pk}",
            changes={"is_active": {"from": "False", "to": "True"}},
        )


def sign_in_app_reset(*, user: User, marac: Marac, by: Any) -> None:
    """For someone who lost their authenticator app: it and its recovery codes are removed, and their sessions end,
    so that the next sign-in, with their password, asks them to set up a new one
    (accounts.middleware.RequireMultiFactorMiddleware). They are told by email at once: a reset they did not ask for
    means someone may be trying to sign in as them."""
    _refuse_own(user=user, by=by)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        removed = Authenticator.objects.filter(user=user)
        if not removed.exists():
            return
        types = sorted(set(removed.values_list("type", flat=True)))
        removed.delete()
        _audit_everywhere(
            user=user,
            marac=marac,
            by=by,
            summary=f"Reset the sign-in app of user {user.pk}",
            changes={"authenticators_removed": types},
        )
        sessions_end(user=user)
        person = user
        # robust: should the mail server fail, the reset stands and the page still answers; the failure is logged.
        transaction.on_commit(lambda: _tell_sign_in_app_reset(user=person, marac=marac), robust=True)


def _tell_sign_in_app_reset(*, user: User, marac: Marac) -> None:
    """No personal data and not who reset it: when, which MARAC's administrators did, and what to do."""
    if not user.is_active or not user.email:
        return
    now = timezone.localtime()
    body = render_to_string(
        "accounts/emails/sign_in_app_reset.txt",
        {
            "marac_name": marac.name,
            "day": spoken(now.date()),
            "time": now.strftime("%H:%M"),
            "sign_in": site_link("account_login"),
        },
    )
    send_one(subject=SIGN_IN_APP_RESET_SUBJECT, message=body, address=user.email)
