"""Writing the audit trail. Every service that changes case or configuration data calls audit_record
inside its own transaction, so the change and its audit entry land together or not at all."""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from audit import context
from audit.models import AuditAction, AuditEvent

GENESIS_HASH = "0" * 64
_CHAIN_LOCK = 7_240_001  # PostgreSQL advisory lock id that serialises appends to the chain


def _actor_details(user: Any, marac_id: int | None) -> tuple[Any, str, str, str]:
    from accounts.permissions import roles_at

    if user is None or not getattr(user, "is_authenticated", False):
        return None, "", "", ""
    roles = ", ".join(sorted(roles_at(user, marac_id)))
    agency = str(user.agency) if getattr(user, "agency_id", None) else ""
    return user, user.email, agency, roles


def _marac_id_of(obj: Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label_lower == "marac.marac":
        return int(obj.pk)
    return getattr(obj, "marac_id", None)


def audit_record(
    *,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    marac_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    user: Any = None,
) -> AuditEvent:
    """Append one entry. Summaries and changes name fields and ids, never a person's details."""
    request = context.current()
    if user is None and request is not None:
        user = request.user
    if marac_id is None:
        marac_id = _marac_id_of(obj)
    # Within the caller's transaction when there is one, without a savepoint of its own: an entry that cannot be
    # written fails the whole transaction, as it must (two statements fewer on every audited change).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        event = _new_event(
            _actor_details(user, marac_id),
            marac_id=marac_id,
            action=action,
            object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=object_id or (str(obj.pk) if obj is not None else ""),
            summary=summary,
            changes=changes,
            previous_hash=_chain_end(cursor),
        )
        _insert(cursor, event)
    return event


# One entry is appended on every page that shows case data, so the two statements are written out once rather than
# built by the ORM each time (the same SQL it would send: the newest entry's hash, then one INSERT).
_TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)
_LAST_HASH_SQL = "SELECT {hash} FROM {table} ORDER BY {id} DESC LIMIT 1".format(  # noqa: S608 - fixed names
    hash=connection.ops.quote_name("entry_hash"), table=_TABLE, id=connection.ops.quote_name("id")
)
_FIELDS = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
_INSERT_SQL = "INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {id}".format(  # noqa: S608 - fixed names
    table=_TABLE,
    columns=", ".join(connection.ops.quote_name(str(field.column)) for field in _FIELDS),
    values=", ".join(["%s"] * len(_FIELDS)),
    id=connection.ops.quote_name("id"),
)


def _insert(cursor: Any, event: AuditEvent) -> None:
    if not connection.features.can_return_columns_from_insert:
        event.save(force_insert=True)
        return
    cursor.execute(_INSERT_SQL, [field.get_db_prep_save(field.pre_save(event, True), connection) for field in _FIELDS])
    event.pk = cursor.fetchone()[0]
    event._state.adding, event._state.db = False, connection.alias


def audit_cases_seen(*, case_ids: Iterable[int], action: str, summary: str, user: Any = None) -> None:
    """One entry for each case whose details a page or download showed among others (a meeting's case list, its
    summary of actions), so that the case's own trail, and "who has seen this case", include it. One lock, one
    look-up of the chain's newest entry and one INSERT for them all."""
    from cases.models import Case

    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return
    label = Case._meta.label_lower
    request = context.current()
    if user is None and request is not None:
        user = request.user
    maracs = dict(Case.objects.filter(pk__in=ids).values_list("pk", "marac_id"))
    actors = {marac_id: _actor_details(user, marac_id) for marac_id in set(maracs.values())}
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        previous, events = _chain_end(cursor), []
        for case_id in ids:
            event = _new_event(
                actors[maracs[case_id]],
                marac_id=maracs[case_id],
                action=action,
                object_type=label,
                object_id=str(case_id),
                summary=summary,
                changes=None,
                previous_hash=previous,
            )
            events.append(event)
            previous = event.entry_hash
        AuditEvent.objects.bulk_create(events)  # one INSERT, in the chain's order


def _chain_end(cursor: Any) -> str:
    """The newest entry's hash, with the chain locked (on PostgreSQL) until the transaction ends."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    cursor.execute(_LAST_HASH_SQL)
    last = cursor.fetchone()
    return str(last[0]) if last else GENESIS_HASH


def _new_event(
    actor_details: tuple[Any, str, str, str],
    *,
    marac_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    changes: dict[str, Any] | None,
    previous_hash: str,
) -> AuditEvent:
    request = context.current()
    actor, actor_label, agency_label, roles = actor_details
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label,
        agency_label=agency_label,
        roles=roles,
        marac_id=marac_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        changes=changes or {},
        request_id=request.request_id if request else "",
        client_address=request.client_address if request else None,
        previous_hash=previous_hash,
    )
    event.entry_hash = event.compute_hash()
    return event


def audit_view(obj: Model, *, user: Any = None, summary: str = "") -> AuditEvent:
    return audit_record(action=AuditAction.VIEW, obj=obj, user=user, summary=summary)


def field_changes(before: Model, after: Model, fields: list[str], *, with_values: bool) -> dict[str, Any]:
    """The fields that differ. Values only for configuration; for personal data only the field names."""
    changed: dict[str, Any] = {}
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changed[name] = {"from": str(old), "to": str(new)} if with_values else "changed"
    return changed


def verify_chain() -> tuple[int, AuditEvent | None]:
    """Walk the chain oldest first; return how many entries held and the first broken one, if any."""
    expected_previous = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != expected_previous or event.compute_hash() != event.entry_hash:
            return checked, event
        expected_previous = event.entry_hash
        checked += 1
    return checked, None
