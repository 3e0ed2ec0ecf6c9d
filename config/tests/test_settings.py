"""The production profile is safe as it stands, and the demo's shortcut cannot be switched on in it."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("OPENMARAC_", "DATABASE_URL"))
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


PRODUCTION = {
    "OPENMARAC_SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://marac@db.example.invalid/marac",
    "OPENMARAC_ALLOWED_HOSTS": "marac.example.org",
    "OPENMARAC_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def test_the_production_profile_passes_the_deployment_checks_with_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_profile_refuses_the_demo_shortcut():
    result = _manage("check", **PRODUCTION, OPENMARAC_DEMO_MODE="true")
    assert result.returncode != 0
    assert "OPENMARAC_DEMO_MODE cannot be enabled in production settings" in result.stderr


def test_the_production_profile_needs_a_secret_key_from_the_environment():
    without_key = {key: value for key, value in PRODUCTION.items() if key != "OPENMARAC_SECRET_KEY"}
    result = _manage("check", **without_key)
    assert result.returncode != 0
    assert "Set the environment variable OPENMARAC_SECRET_KEY" in result.stderr


def test_the_production_profile_needs_field_encryption_keys_from_the_environment():
    without_keys = {key: value for key, value in PRODUCTION.items() if key != "OPENMARAC_FIELD_ENCRYPTION_KEYS"}
    result = _manage("check", **without_keys)
    assert result.returncode != 0
    assert "Set the environment variable OPENMARAC_FIELD_ENCRYPTION_KEYS" in result.stderr


def test_the_production_profile_refuses_the_development_encryption_key():
    from config.settings.base import DEV_ONLY_FIELD_ENCRYPTION_KEY

    result = _manage("check", **{**PRODUCTION, "OPENMARAC_FIELD_ENCRYPTION_KEYS": DEV_ONLY_FIELD_ENCRYPTION_KEY})
    assert result.returncode != 0
    assert "cannot include the development key" in result.stderr


def test_a_malformed_encryption_key_is_refused_without_being_echoed():
    result = _manage("check", **{**PRODUCTION, "OPENMARAC_FIELD_ENCRYPTION_KEYS": "not-a-real-key-xyz"})
    assert result.returncode != 0
    assert "Key 1 in OPENMARAC_FIELD_ENCRYPTION_KEYS is not a Fernet key" in result.stderr
    assert "not-a-real-key-xyz" not in result.stderr


def test_sign_in_with_an_organisations_identity_provider_is_switched_on_by_configuration():
    from config.env import read_environment
    from config.settings.base import configure

    os.environ.update(
        {
            "OPENMARAC_OIDC_SERVER_URL": "https://login.example.invalid/realms/northbrook",
            "OPENMARAC_OIDC_CLIENT_ID": "openmarac",
            "OPENMARAC_OIDC_CLIENT_SECRET": "not-a-real-secret",
            "OPENMARAC_OIDC_NAME": "Northbrook Council",
        }
    )
    try:
        values = configure(read_environment(secret_key_default="x", database_default="sqlite:///:memory:"))
    finally:
        for key in ("SERVER_URL", "CLIENT_ID", "CLIENT_SECRET", "NAME"):
            os.environ.pop(f"OPENMARAC_OIDC_{key}")
    app = values["SOCIALACCOUNT_PROVIDERS"]["openid_connect"]["APPS"][0]
    assert app["name"] == "Northbrook Council"
    assert app["settings"]["server_url"] == "https://login.example.invalid/realms/northbrook"
    assert values["OPENMARAC_OIDC_ENABLED"] is True


def _database_options(**env: str) -> dict[str, object]:
    return _configured(**env)["DATABASES"]["default"].get("OPTIONS", {})  # type: ignore[index, no-any-return]


def test_postgresql_prepares_repeated_queries_unless_switched_off_for_a_transaction_pooler():
    postgres = {"DATABASE_URL": "postgres://marac@db.example.invalid/marac"}
    assert _database_options(**postgres) == {"server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(**postgres, OPENMARAC_DB_PREPARED_STATEMENTS="false") == {}
    # SQLite prepares nothing; it gets its own options, for writers to wait for each other (SQLITE_OPTIONS).
    assert _database_options(DATABASE_URL="sqlite:///var/demo.sqlite3") == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }


@pytest.mark.django_db
def test_a_query_run_again_and_again_on_postgresql_is_planned_once():
    from django.db import connection

    from marac.models import Agency

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(6):
        list(Agency.objects.filter(name="Northbrook Police").values_list("id"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "marac_agency"' in statement for statement in prepared)


def _configured(**env: str) -> dict[str, object]:
    from config.env import read_environment
    from config.settings.base import configure

    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return configure(read_environment(secret_key_default="x", database_default="sqlite:///:memory:"))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key)
            else:
                os.environ[key] = value


def test_the_proxies_in_front_of_the_app_servers_are_trusted_only_when_configured():
    from django.core.exceptions import ImproperlyConfigured

    assert _configured()["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0
    assert _configured()["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] is None
    assert _configured(OPENMARAC_TRUSTED_PROXY_COUNT="1")["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    header = _configured(OPENMARAC_TRUSTED_CLIENT_ADDRESS_HEADER="X-Real-IP")
    assert header["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] == "X-Real-IP"
    with pytest.raises(ImproperlyConfigured, match="OPENMARAC_TRUSTED_PROXY_COUNT must be 0 or more"):
        _configured(OPENMARAC_TRUSTED_PROXY_COUNT="-1")
    with pytest.raises(ImproperlyConfigured, match="must be a whole number"):
        _configured(OPENMARAC_TRUSTED_PROXY_COUNT="one")
