"""The one way round the append-only trigger: the test suite empties the audit table between tests.

Nothing in the application calls allow_purge; on PostgreSQL the same switch is the session setting
openmarac.audit_purge, which only the test suite sets."""

from typing import Any

_purge_allowed = False


def allow_purge(enabled: bool) -> None:
    global _purge_allowed
    _purge_allowed = enabled


def _purge_allowed_now() -> int:
    return 1 if _purge_allowed else 0


def install_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "openmarac_audit_purge_allowed", 0, _purge_allowed_now, deterministic=False
        )
