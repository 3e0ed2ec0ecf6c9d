"""Every value OpenMARAC takes from the environment, read and typed in one place."""

import os
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

DEFAULT_API_RATE_LIMIT = 120  # requests a minute to /api/ per user, credential or client address
DEFAULT_REPORT_CONNECTIONS = 3  # database connections a report of several MARACs runs its queries on


def _text(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from error


def _count(name: str, default: int) -> int:
    value = _number(name, default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more, not {value}.")
    return value


def _at_least_one(name: str, default: int) -> int:
    value = _number(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be 1 or more, not {value}.")
    return value


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


@dataclass(frozen=True)
class Environment:
    secret_key: str
    database_url: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    email_url_host: str
    email_port: int
    email_user: str
    email_password: str
    email_use_tls: bool
    default_from_email: str
    site_url: str
    idle_timeout_minutes: int
    oidc_server_url: str
    oidc_client_id: str
    oidc_client_secret: str
    oidc_name: str
    field_encryption_keys: list[str] = field(default_factory=list)
    replica_database_url: str = ""
    prepared_statements: bool = True
    trusted_proxy_count: int = 0
    trusted_client_address_header: str = ""
    api_rate_limit: int = DEFAULT_API_RATE_LIMIT
    report_connections: int = DEFAULT_REPORT_CONNECTIONS


def read_environment(*, secret_key_default: str | None, database_default: str) -> Environment:
    return Environment(
        secret_key=_text("OPENMARAC_SECRET_KEY", secret_key_default),
        database_url=_text("DATABASE_URL", database_default),
        allowed_hosts=_list("OPENMARAC_ALLOWED_HOSTS", "localhost,127.0.0.1"),
        csrf_trusted_origins=_list("OPENMARAC_CSRF_TRUSTED_ORIGINS"),
        email_url_host=_text("OPENMARAC_EMAIL_HOST", "localhost"),
        email_port=_number("OPENMARAC_EMAIL_PORT", 25),
        email_user=_text("OPENMARAC_EMAIL_USER", ""),
        email_password=_text("OPENMARAC_EMAIL_PASSWORD", ""),
        email_use_tls=_flag("OPENMARAC_EMAIL_USE_TLS", False),
        default_from_email=_text("OPENMARAC_FROM_EMAIL", "marac-noreply@example.invalid"),
        site_url=_text("OPENMARAC_SITE_URL", "http://localhost:8000"),
        idle_timeout_minutes=_number("OPENMARAC_IDLE_TIMEOUT_MINUTES", 20),
        oidc_server_url=_text("OPENMARAC_OIDC_SERVER_URL", ""),
        oidc_client_id=_text("OPENMARAC_OIDC_CLIENT_ID", ""),
        oidc_client_secret=_text("OPENMARAC_OIDC_CLIENT_SECRET", ""),
        oidc_name=_text("OPENMARAC_OIDC_NAME", "Your organisation"),
        field_encryption_keys=_list("OPENMARAC_FIELD_ENCRYPTION_KEYS"),
        # A PostgreSQL read replica (hot standby) of DATABASE_URL, for reports and exports; empty for none.
        replica_database_url=_text("OPENMARAC_REPLICA_DATABASE_URL", ""),
        # PostgreSQL plans a query once a connection after its fifth use (off behind PgBouncer in transaction mode).
        prepared_statements=_flag("OPENMARAC_DB_PREPARED_STATEMENTS", True),
        # Behind load balancers or proxies: how many of them, in front of the app servers, add the client's address
        # to X-Forwarded-For (0: none, and the header is ignored, since a client can send it itself)...
        trusted_proxy_count=_count("OPENMARAC_TRUSTED_PROXY_COUNT", 0),
        # ...or the one header a trusted proxy sets to the client's address instead (e.g. X-Real-IP); empty for none.
        trusted_client_address_header=_text("OPENMARAC_TRUSTED_CLIENT_ADDRESS_HEADER", ""),
        # How many requests a minute /api/ takes from one user or credential, or from one client address without
        # either (failed sign-ins included), before answering 429 (web/middleware.py).
        api_rate_limit=_at_least_one("OPENMARAC_API_RATE_LIMIT", DEFAULT_API_RATE_LIMIT),
        # How many database connections a report of several MARACs runs its queries on side by side
        # (reports/fanout.py); 1 runs them one by one on the request's own connection.
        report_connections=_at_least_one("OPENMARAC_REPORT_CONNECTIONS", DEFAULT_REPORT_CONNECTIONS),
    )


def demo_mode() -> bool:
    """The demo's sign-in helper; refused by the production settings."""
    return _flag("OPENMARAC_DEMO_MODE", False)
