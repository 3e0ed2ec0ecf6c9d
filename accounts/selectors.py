"""Who holds which role at a MARAC, and who granted it and when: for the MARAC's administrators and coordinators.

A role grant records when it was made; who made it is in the audit trail (accounts.services.role_grant writes it,
found here by the grant's id), or, for a credential's service account, on the credential that was issued with it. A
case role granted by an administrator and approved by a second person names both on the grant itself.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accounts.models import PendingRoleGrant, Role, RoleGrant, User
from audit.models import AuditAction, AuditEvent
from marac.models import Marac

NOT_RECORDED = ""

# The made-up domain of API credentials' service accounts (api.services): never written to.
SERVICE_ACCOUNT_DOMAIN = "api-credential.openmarac.invalid"


def emails_of(users: Any) -> list[str]:
    """The addresses to write to among these users: active people's, never an API credential's service account."""
    people = users.filter(is_active=True).exclude(email="").exclude(email__endswith="@" + SERVICE_ACCOUNT_DOMAIN)
    return sorted(set(people.values_list("email", flat=True)))


def role_emails(*, marac_id: int, role: str) -> list[str]:
    """The addresses of the people holding a role at a MARAC."""
    return emails_of(User.objects.filter(role_grants__marac_id=marac_id, role_grants__role=role))


@dataclass(frozen=True)
class GrantRecord:
    grant: RoleGrant
    granted_at: datetime.datetime
    granted_by: str  # their name and the roles they held then, or NOT_RECORDED (made outside the pages)
    credential: Any = None  # the API credential whose service account holds it, if it is one's


def role_grants_at(*, marac: Marac, user: User | None = None) -> list[GrantRecord]:
    """Every role grant at the MARAC (of one user, if given), the administrator role included, oldest first."""
    from api.models import ApiCredential

    grants = (
        RoleGrant.objects.filter(marac=marac)
        .select_related("user__agency")
        .order_by("user__full_name", "user_id", "granted_at", "pk")
    )
    if user is not None:
        grants = grants.filter(user=user)
    grants_list = list(grants)
    events = AuditEvent.objects.filter(
        marac_id=marac.pk,
        object_type=RoleGrant._meta.label_lower,
        action=AuditAction.CREATE,
        object_id__in=[str(grant.pk) for grant in grants_list],
    ).order_by("id")
    granted_by_event = {event.object_id: event for event in events}  # the newest, should an id ever recur
    credentials = {
        credential.service_user_id: credential
        for credential in ApiCredential.objects.filter(service_user__in=[grant.user_id for grant in grants_list])
    }
    actor_ids = {event.actor_id for event in granted_by_event.values() if event.actor_id is not None}
    actor_ids |= {credential.created_by_id for credential in credentials.values()}
    actor_ids |= {grant.granted_by_id for grant in grants_list if grant.granted_by_id is not None}
    names: dict[int | None, str] = dict(User.objects.filter(pk__in=actor_ids).values_list("pk", "full_name"))
    records = []
    for grant in grants_list:
        event = granted_by_event.get(str(grant.pk))
        credential = credentials.get(grant.user_id)
        if grant.approved_by_id is not None and event is not None:  # the approver wrote the grant's audit entry
            granter = names.get(grant.granted_by_id) or "a user no longer here"
            granted_by = f"{granter}, approved by {_who(names.get(event.actor_id) or event.actor_label, event.roles)}"
        elif event is not None:
            granted_by = _who(names.get(event.actor_id) or event.actor_label, event.roles)
        elif credential is not None:
            granted_by = _who(names.get(credential.created_by_id, ""), "") + " (issued with the credential)"
        else:
            granted_by = NOT_RECORDED
        records.append(
            GrantRecord(grant=grant, granted_at=grant.granted_at, granted_by=granted_by, credential=credential)
        )
    return records


def _who(name: str, roles: str) -> str:
    labels = [Role(role).label for role in roles.split(", ") if role in Role.values]
    return (name or "a user no longer here") + (f" ({', '.join(labels)})" if labels else "")


def users_with_grants_at(*, marac: Marac) -> list[tuple[User, list[GrantRecord]]]:
    """The people who hold a role at the MARAC, by name, each with their grants there. Not the API credentials'
    service accounts: their roles are the credentials' (credentials_with_grants_at)."""
    return _by_user(record for record in role_grants_at(marac=marac) if record.credential is None)


def credentials_with_grants_at(*, marac: Marac) -> list[tuple[User, list[GrantRecord]]]:
    """The API credentials' service accounts that hold a role at the MARAC, each with their grants there."""
    return _by_user(record for record in role_grants_at(marac=marac) if record.credential is not None)


def _by_user(records: Iterable[GrantRecord]) -> list[tuple[User, list[GrantRecord]]]:
    by_user: dict[int, tuple[User, list[GrantRecord]]] = {}
    for record in records:
        by_user.setdefault(record.grant.user_id, (record.grant.user, []))[1].append(record)
    return list(by_user.values())


def pending_role_grants_at(*, marac: Marac, user: User | None = None) -> list[PendingRoleGrant]:
    """The case roles granted at the MARAC (to one user, if given) that await a second person's approval, oldest
    first, with who granted them."""
    pending = PendingRoleGrant.objects.filter(marac=marac).select_related("user__agency", "granted_by")
    return list(pending.filter(user=user) if user is not None else pending)


# accounts.services.role_revoke, the only way a role grant ends, records whose role it removed: the audit trail is the
# one record that someone held a role at a MARAC once the grant is gone. Its entries name the user in their changes;
# older ones only in their summary, read with this.
_ROLE_REMOVED = re.compile(r"Removed role \S+ from user (\d+)")


def former_role_holder_ids_at(*, marac: Marac) -> set[int]:
    """The users who had a role at the MARAC removed, whether or not they hold one there again."""
    removals = AuditEvent.objects.filter(
        marac_id=marac.pk, object_type=RoleGrant._meta.label_lower, action=AuditAction.DELETE
    ).values_list("changes", "summary")
    return {user_id for changes, summary in removals if (user_id := _removed_user_id(changes, summary)) is not None}


def _removed_user_id(changes: Any, summary: str) -> int | None:
    if isinstance(changes, dict) and isinstance(changes.get("user_id"), int):
        return int(changes["user_id"])
    found = _ROLE_REMOVED.fullmatch(summary)
    return int(found.group(1)) if found else None


def held_a_role_at(*, user: User, marac: Marac) -> bool:
    """They hold a role at the MARAC, or held one there before."""
    return user.role_grants.filter(marac=marac).exists() or user.pk in former_role_holder_ids_at(marac=marac)


def administrators_may_see(*, user: User, marac: Marac) -> bool:
    """Whether the MARAC's administrators may open this user's roles page (accounts.views._user_at, for an
    administrator): they hold a role here or wait for one, or hold none anywhere and work for no other MARAC's
    agency. Never an API credential's service account: its roles are the credential's."""
    from accounts.services import works_for_no_other_marac  # services reads this module's emails_of
    from api.services import is_service_account  # api builds on accounts, not the other way round

    if is_service_account(user):
        return False
    if holds_or_waits_at(user=user, marac=marac):
        return True
    return not user.role_grants.exists() and works_for_no_other_marac(user=user, marac=marac)


def holds_or_waits_at(*, user: User, marac: Marac) -> bool:
    """They hold a role at the MARAC, or wait for one to be approved there."""
    return user.role_grants.filter(marac=marac).exists() or user.pending_role_grants.filter(marac=marac).exists()


def users_without_a_role_at(*, marac: Marac) -> list[User]:
    """For the MARAC's administrators: who held a role here, holds none anywhere now, and works for no other MARAC's
    agency, by name: the people whose roles page this MARAC's administrators open to give them a role again
    (accounts.views._user_at). Someone who now holds a role at another MARAC, or works for its agency, is that MARAC's
    to see, and is left out. Not a credential's service account, nor anyone waiting for a role here: they are listed
    with the roles waiting for approval."""
    from accounts.services import works_for_no_other_marac  # services reads this module's emails_of

    users = (
        User.objects.filter(pk__in=former_role_holder_ids_at(marac=marac), role_grants__isnull=True)
        .exclude(pending_role_grants__marac=marac)
        .exclude(email__endswith="@" + SERVICE_ACCOUNT_DOMAIN)
        .select_related("agency")
        .order_by("full_name", "pk")
    )
    return [user for user in users if works_for_no_other_marac(user=user, marac=marac)]
