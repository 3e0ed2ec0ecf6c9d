"""Reads for reports and exports may go to a PostgreSQL read replica; everything else stays on the primary.

The rule is opt-in per code path, not per model: a view or command wraps its work in `use_replica()` (or is
decorated with `@use_replica`), and only inside it do reads go to the "replica" alias. Even then a read stays
on the primary when

- no replica is configured (`OPENMARAC_REPLICA_DATABASE_URL` unset: the alias does not exist),
- it happens inside a transaction on the primary (a service that reads before it writes, such as
  audit_record reading the last hash of the chain, must see the primary's latest row),
- the same block has already written (an export records its audit entry: later reads must not see an older
  state than the one just written),
- it is of the shared cache or the sessions, whose counts and sign-ins must be current on every app server.

Writes always go to the primary, and migrations never run on the replica (it is read-only and copies the
primary's schema by streaming). A replica lags the primary by a fraction of a second on a healthy link, which
reports over months and years can bear; pages where someone checks what they have just saved must not use it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY_APP_LABELS = frozenset({"django_cache", "sessions"})


@dataclass
class _ReplicaBlock:
    wrote: bool = False


_current: ContextVar[_ReplicaBlock | None] = ContextVar("openmarac_replica_block", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def use_replica() -> Iterator[None]:
    """Send this block's reads to the replica when one is configured (see the module's rule)."""
    token = _current.set(_ReplicaBlock())
    try:
        yield
    finally:
        _current.reset(token)


def replica_reads[View: Callable[..., Any]](view: View) -> View:
    """Decorator form of use_replica for report and export views. Put it under require_permission, so that who
    may see the page is decided on the primary."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with use_replica():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    """DATABASE_ROUTERS entry: see the module docstring for the rule."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        block = _current.get()
        if block is None or block.wrote or not replica_configured():
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APP_LABELS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        block = _current.get()
        if block is not None:
            block.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same database.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA
