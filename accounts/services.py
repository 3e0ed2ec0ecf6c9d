"""Adding users and granting roles. Each is audited against the MARAC it concerns."""

import secrets
from typing import Any

from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import PendingRoleGrant, Role, RoleGrant, User
from accounts.permissions import CASE_ROLES
from accounts.selectors import emails_of
from accounts.tokens import InvitationTokenGenerator
from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac, MaracAgency
from web.dates import spoken
from web.links import site_link
from web.mail import send_one, send_to_each

ACCESS_CHANGED_SUBJECT = "OpenMARAC: your access has changed"
INVITATION_SUBJECT = "OpenMARAC: set up your account"
AGENCY_NOT_MEMBER = "Choose an agency that is a member of this MARAC"


class UserRefused(Exception):
    """A new user the rules do not allow; the message says why."""


def works_for_no_other_marac(*, user: User, marac: Marac) -> bool:
    """Their agency is a member of this MARAC, or of none (set up by an operator and not yet added anywhere, as is a
    user with no agency). Another MARAC's users, its new users and leavers included, are not this one's to see or to
    give a role: the pages add users only for a member agency (user_create)."""
    if user.agency_id is None:
        return True
    maracs = set(MaracAgency.objects.filter(agency_id=user.agency_id).values_list("marac_id", flat=True))
    return not maracs or marac.pk in maracs


def user_create(*, user: User, marac: Marac, by: Any) -> User:
    """A new user has an unusable password until they set one through the invitation (user_invite). They work for
    one of the MARAC's member agencies: another MARAC's agencies are not this one's to choose from."""
    member = user.agency_id is not None and MaracAgency.objects.filter(marac=marac, agency_id=user.agency_id).exists()
    if not member:
        raise UserRefused(AGENCY_NOT_MEMBER)
    with transaction.atomic():
        user.set_unusable_password()
        user.save()
        audit_record(action=AuditAction.CREATE, obj=user, user=by, marac_id=marac.pk, summary="Added a user")
    return user


def user_invite(*, user: User, marac: Marac) -> None:
    """The new user's invitation: who added them (the MARAC, never a person), the link to set their password, how
    long it works, and what comes next. The link opens allauth's set-password page, so it works once, until the
    password is set; it stops working after OPENMARAC_INVITATION_TIMEOUT, longer than a reset link's
    PASSWORD_RESET_TIMEOUT (accounts/tokens.py). No personal data: not even their name."""
    uid, token = user_pk_to_url_str(user), InvitationTokenGenerator().make_token(user)
    body = render_to_string(
        "emails/invitation.txt",
        {
            "marac_name": marac.name,
            "link": site_link("account_reset_password_from_key", uid, token),
            "lifetime": reset_link_lifetime(settings.OPENMARAC_INVITATION_TIMEOUT),
            "sign_in": site_link("account_login"),
        },
    )
    send_one(subject=INVITATION_SUBJECT, message=body, address=user.email)


def reset_link_lifetime(seconds: int | None = None) -> str:
    """How long a set-password link works, in words for an email: "3 days", "1 day", "12 hours"."""
    seconds = int(settings.PASSWORD_RESET_TIMEOUT if seconds is None else seconds)
    days, hours = seconds // 86400, seconds // 3600
    if days and seconds % 86400 == 0:
        return f"{days} day{'s' if days != 1 else ''}"
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


PASSWORD_CHANGED_SUBJECT = "OpenMARAC: your password was changed"  # noqa: S105 (a subject, not a password)
AUTHENTICATOR_REMOVED_SUBJECT = "OpenMARAC: your authenticator app was removed"


def tell_password_changed(*, user: User, with_reset_link: bool) -> None:
    """Someone who changed the password without its owner (a stolen session, a reset link from a read mailbox) is
    told of at once. No personal data, and nothing that would help them: when, and whom to tell."""
    _tell_sign_in_changed(
        user=user,
        subject=PASSWORD_CHANGED_SUBJECT,
        template="account/email/password_changed.txt",
        context={"with_reset_link": with_reset_link},
    )


def tell_authenticator_removed(*, user: User) -> None:
    """Removing the authenticator app is the step before setting up another one: the owner hears of it, as of a
    changed password."""
    _tell_sign_in_changed(
        user=user, subject=AUTHENTICATOR_REMOVED_SUBJECT, template="account/email/authenticator_removed.txt", context={}
    )


def _tell_sign_in_changed(*, user: User, subject: str, template: str, context: dict[str, Any]) -> None:
    if not user.is_active or not user.email:
        return
    now = timezone.localtime()
    time = f"{now.hour % 12 or 12}:{now.minute:02d}{'am' if now.hour < 12 else 'pm'}"  # GOV.UK style: 6:40am
    body = render_to_string(
        template, {**context, "day": spoken(now.date()), "time": time, "sign_in": site_link("account_login")}
    )
    address = user.email
    # robust: should the mail server fail, the change stands and the page still answers; the failure is logged.
    transaction.on_commit(lambda: send_one(subject=subject, message=body, address=address), robust=True)


class RoleChangeRefused(Exception):
    """A change of roles the rules do not allow; the message says why."""


OWN_ROLES_REFUSED = "You cannot change your own roles: another administrator must do it"


def may_change_roles_of(*, user: User, by: Any) -> bool:
    """Nobody grants or removes their own roles: an administrator, who sees no case, could otherwise give
    themselves a case role and read every case. Another administrator of the MARAC must do it."""
    return getattr(by, "pk", None) != user.pk


SERVICE_ACCOUNT_REFUSED = (
    "This is an API credential's account: its roles are the ones it was issued with. Revoke it and issue a new one"
)


def role_needs_approval(role: str) -> bool:
    """A person holding a case role reads cases, and an administrator can add a person with an email address they
    control: so a second person (a coordinator, or another administrator, of the MARAC) must approve the grant
    before it gives any access, as for an API credential (api.services.credential_needs_approval). So must the
    administrator role: granted at once, it would give that second account of theirs the approving of their own
    grants."""
    return role in CASE_ROLES or role == Role.ADMINISTRATOR


def role_grant(*, user: User, marac: Marac, role: str, by: Any) -> RoleGrant | PendingRoleGrant:
    """A case role is only granted awaiting approval (role_grant_approve): a PendingRoleGrant, no access yet. Any
    other role is granted at once. Never to an API credential's service account. A credential holding a case role
    works only once a second person approves it (api.services.credential_needs_approval); a role granted here
    afterwards would skip that, and an administrator could give their own token a case role and read every case."""
    from api.services import is_service_account  # api builds on accounts, not the other way round

    if not may_change_roles_of(user=user, by=by):
        raise RoleChangeRefused(OWN_ROLES_REFUSED)
    if is_service_account(user):
        raise RoleChangeRefused(SERVICE_ACCOUNT_REFUSED)
    held = RoleGrant.objects.filter(user=user, marac=marac, role=role).first()
    if held is not None:
        return held
    if role_needs_approval(role):
        return _role_grant_awaiting_approval(user=user, marac=marac, role=role, by=by)
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


def _role_grant_awaiting_approval(*, user: User, marac: Marac, role: str, by: Any) -> PendingRoleGrant:
    with transaction.atomic():
        pending, created = PendingRoleGrant.objects.get_or_create(
            user=user, marac=marac, role=role, defaults={"granted_by": by}
        )
        if created:
            audit_record(
                action=AuditAction.CREATE,
                obj=pending,
                user=by,
                marac_id=marac.pk,
                summary=f"Granted role {role} to user {user.pk}, awaiting approval by a second person",
            )
            # robust: should the mail server fail, the grant still waits on the users page; the failure is logged.
            transaction.on_commit(lambda: _ask_for_approval(marac=marac, granted_by=by), robust=True)
    return pending


ROLE_APPROVAL_SUBJECT = "OpenMARAC: a role is waiting for your approval"


def _ask_for_approval(*, marac: Marac, granted_by: Any) -> None:
    """Tell the MARAC's coordinators and its other administrators; the email names no person and no role."""
    people = User.objects.filter(
        is_active=True, role_grants__marac=marac, role_grants__role__in=[Role.COORDINATOR, Role.ADMINISTRATOR]
    )
    if getattr(granted_by, "pk", None) is not None:
        people = people.exclude(pk=granted_by.pk)
    send_to_each(
        subject=ROLE_APPROVAL_SUBJECT,
        message=f"An administrator at {marac.name} has granted someone a role that reads cases or administers the "
        "MARAC. "
        "It gives no access until a coordinator or another administrator approves it. "
        "Approve it only if you expected it; if not, refuse it. "
        f"See it here:\n\n{site_link('accounts:users')}\n",
        recipients=emails_of(people),
    )


APPROVE_CASE_ROLES = "accounts.approve_case_roles"
OWN_GRANT_APPROVAL_REFUSED = "You granted this role: a coordinator or another administrator must approve it"
OWN_ROLE_APPROVAL_REFUSED = "This role is your own: a coordinator or another administrator must approve it"
NOT_AWAITING_APPROVAL = "This role is not waiting for approval"


def role_approval_refusal(*, pending: PendingRoleGrant, by: Any) -> str | None:
    """Why `by` may not approve this grant, or None if they may: never the administrator who granted it, never
    the person it is for, and only a coordinator or an administrator of its MARAC."""
    if not may_change_roles_of(user=pending.user, by=by):
        return OWN_ROLE_APPROVAL_REFUSED
    if pending.granted_by_id is not None and pending.granted_by_id == getattr(by, "pk", None):
        return OWN_GRANT_APPROVAL_REFUSED
    if not by.has_perm(APPROVE_CASE_ROLES, pending):
        return "Only a coordinator or an administrator of this MARAC can approve a role"
    return None


def _still_waiting(pending: PendingRoleGrant) -> PendingRoleGrant:
    """The waiting grant, locked for its approval or refusal: RoleChangeRefused if someone else approved or refused
    it a moment ago. Call inside a transaction."""
    locked = PendingRoleGrant.objects.select_for_update().select_related("user").filter(pk=pending.pk).first()
    if locked is None:
        raise RoleChangeRefused(NOT_AWAITING_APPROVAL)
    return locked


def role_grant_approve(*, pending: PendingRoleGrant, by: Any) -> RoleGrant:
    """The second person's approval: the role gives access from now on. The grant records who granted it and who
    approved it, and the approval is audited."""
    with transaction.atomic():
        locked = _still_waiting(pending)
        refusal = role_approval_refusal(pending=locked, by=by)
        if refusal is not None:
            raise RoleChangeRefused(refusal)
        grant, _ = RoleGrant.objects.get_or_create(
            user_id=locked.user_id,
            marac_id=locked.marac_id,
            role=locked.role,
            defaults={"granted_by_id": locked.granted_by_id, "approved_by": by},
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=grant,
            user=by,
            marac_id=locked.marac_id,
            summary=f"Approved role {locked.role} for user {locked.user_id}, granted by user {locked.granted_by_id}",
        )
        locked.delete()
    return grant


def role_grant_refuse(*, pending: PendingRoleGrant, by: Any) -> None:
    """A grant someone did not expect is refused, and one granted by mistake withdrawn by whoever granted it: by a
    coordinator or an administrator of its MARAC, never the person it is for. Audited; nothing else changes."""
    with transaction.atomic():
        locked = _still_waiting(pending)
        if not may_change_roles_of(user=locked.user, by=by):
            raise RoleChangeRefused(OWN_ROLES_REFUSED)
        if not by.has_perm(APPROVE_CASE_ROLES, locked):
            raise RoleChangeRefused("Only a coordinator or an administrator of this MARAC can refuse a role")
        audit_record(
            action=AuditAction.DELETE,
            obj=locked,
            user=by,
            marac_id=locked.marac_id,
            summary=f"Refused role {locked.role} for user {locked.user_id}, granted by user {locked.granted_by_id}",
        )
        locked.delete()


def role_revoke_refusal(*, grant: RoleGrant, by: Any) -> str | None:
    """Why `by` may not remove this grant, or None if they may. An administrator of the MARAC removes any role but
    their own. A coordinator, accountable for who sees the MARAC's cases, removes a case role whoever granted it
    (an administrator included), but never the administrator role, nor a role that only gives their own referrals
    or the figures: those stay with the administrators."""
    if not may_change_roles_of(user=grant.user, by=by):
        return OWN_ROLES_REFUSED
    if by.has_perm("accounts.manage_users", grant):
        return None
    if not by.has_perm("accounts.revoke_case_roles", grant):
        return "Only an administrator of this MARAC can remove roles"
    if grant.role == Role.ADMINISTRATOR:
        return "Only another administrator can remove the administrator role"
    if grant.role not in CASE_ROLES:
        return f"Only an administrator can remove the role {grant.get_role_display()}"
    return None


def role_revoke(*, grant: RoleGrant, by: Any) -> None:
    refusal = role_revoke_refusal(grant=grant, by=by)
    if refusal is not None:
        raise RoleChangeRefused(refusal)
    with transaction.atomic():
        if not RoleGrant.objects.select_for_update().filter(pk=grant.pk).exists():
            return  # someone else removed it a moment ago
        audit_record(
            action=AuditAction.DELETE,
            obj=grant,
            user=by,
            marac_id=grant.marac_id,
            summary=f"Removed role {grant.role} from user {grant.user_id}",
            changes={"user_id": grant.user_id},  # read back by accounts.selectors.former_role_holder_ids_at
        )
        grant.delete()
        person, marac, role = grant.user, grant.marac, grant.get_role_display()
        # robust: should the mail server fail, the removal stands and the page still answers; the failure is logged.
        transaction.on_commit(lambda: _tell_role_removed(person=person, marac=marac, role=role), robust=True)


def _tell_role_removed(*, person: User, marac: Marac, role: str) -> None:
    """The person learns their access changed, and which role at which MARAC: nothing about any case or person, and
    not who removed it. Sent once the removal is saved, so a refused or rolled-back removal sends nothing."""
    from api.services import is_service_account  # api builds on accounts, not the other way round

    # A deactivated account, or an API credential's service account (no mail reaches it), has nobody to tell.
    if not person.is_active or not person.email or is_service_account(person):
        return
    body = render_to_string(
        "emails/role_removed.txt",
        {
            "role": role,
            "marac_name": marac.name,
            "day": spoken(timezone.localdate()),
            "link": site_link("web:home"),
        },
    )
    send_one(subject=ACCESS_CHANGED_SUBJECT, message=body, address=person.email)


def temporary_password() -> str:
    return secrets.token_urlsafe(18)
