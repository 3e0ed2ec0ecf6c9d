"""On SQLite (the demo's database) two people saving at once both succeed: the second waits for the first instead
of failing with "database is locked" (config/settings/base.py, SQLITE_OPTIONS)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from config.env import read_environment
from config.settings.base import _database

ALIAS = "concurrent_sqlite"


def test_the_settings_give_sqlite_immediate_transactions_and_a_wait():
    env = read_environment(secret_key_default="x", database_default="sqlite:///demo.sqlite3")
    options = _database("sqlite:///demo.sqlite3", env)["OPTIONS"]
    assert options == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    assert _database("postgres://marac@db.example.invalid/marac", env).get("OPTIONS", {}).get("timeout") is None
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@contextmanager
def _file_database(path: Path, options: dict[str, Any]) -> Iterator[None]:
    config = {
        **_database(f"sqlite:///{path}", read_environment(secret_key_default="x", database_default="")),
        "OPTIONS": options,
        "CONN_MAX_AGE": 0,
        "TIME_ZONE": None,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }
    connections.settings[ALIAS] = config
    try:
        with connections[ALIAS].schema_editor() as editor:
            editor.create_model(Session)
        connections[ALIAS].close()
        yield
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]


def _two_writers_at_once() -> list[BaseException]:
    """Each reads, then both try to write while the other's transaction is open: the pattern of two people
    accepting the same referral (check its state, then change it)."""
    both_have_read = threading.Barrier(2)
    failures: list[BaseException] = []

    def write(key: str) -> None:
        try:
            with transaction.atomic(using=ALIAS):
                Session.objects.using(ALIAS).count()
                with suppress(threading.BrokenBarrierError):  # with IMMEDIATE the other is waiting to begin
                    both_have_read.wait(timeout=1)
                Session.objects.using(ALIAS).create(session_key=key, session_data="", expire_date=timezone.now())
        except BaseException as error:  # collected for the assertion
            failures.append(error)
        finally:
            connections[ALIAS].close()

    threads = [threading.Thread(target=write, args=(f"writer-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return failures


@pytest.fixture
def unblocked(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


def test_two_writers_on_a_file_database_both_succeed(tmp_path, unblocked):
    options = _database("sqlite:///x", read_environment(secret_key_default="x", database_default=""))["OPTIONS"]
    with _file_database(tmp_path / "demo.sqlite3", options):
        assert _two_writers_at_once() == []
        assert Session.objects.using(ALIAS).count() == 2


def test_without_the_options_one_of_them_failed(tmp_path, unblocked):
    # The contrast, as it was: a deferred transaction cannot wait for the other writer.
    with _file_database(tmp_path / "demo.sqlite3", {"transaction_mode": "DEFERRED", "timeout": 5}):
        failures = _two_writers_at_once()
        assert len(failures) == 1 and isinstance(failures[0], OperationalError)
        assert "database is locked" in str(failures[0])
