"""Backup and restore with the documented commands: back up, restore into a new database, find the same data."""

import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from audit.services import verify_chain
from testing.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres") is False, reason="backup and restore are PostgreSQL's"
)


def _url(database: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{database}"


def _psql_value(url: str, query: str) -> str:
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    result = subprocess.run([f"{bindir}/psql", url, "-Atc", query], capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_with_the_same_data(tmp_path, coordinator, marac, client_for):
    cases = [CaseFactory(marac=marac) for _ in range(3)]
    client_for(coordinator).get(f"/cases/{cases[0].pk}/")  # an audit entry to carry across
    source = _url(connection.settings_dict["NAME"])
    restored = "openmarac_restore_check"
    dump = tmp_path / "openmarac.dump"
    environment = {**os.environ, "DATABASE_URL": source}
    subprocess.run([str(ROOT / "scripts/backup.sh"), str(dump)], env=environment, check=True, capture_output=True)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        environment["DATABASE_URL"] = _url(restored)
        subprocess.run([str(ROOT / "scripts/restore.sh"), str(dump)], env=environment, check=True, capture_output=True)
        for table in ("cases_case", "people_person", "audit_auditevent", "accounts_user"):
            query = f"SELECT count(*) FROM {table}"  # noqa: S608 - table names are the constants above
            assert _psql_value(_url(restored), query) == _psql_value(source, query)
        references = _psql_value(_url(restored), "SELECT string_agg(reference, ',' ORDER BY reference) FROM cases_case")
        assert references == ",".join(sorted(case.reference for case in cases))
        last_hash = _psql_value(_url(restored), "SELECT entry_hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        assert last_hash == _psql_value(source, "SELECT entry_hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        assert verify_chain()[1] is None
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
