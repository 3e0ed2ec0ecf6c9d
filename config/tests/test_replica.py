"""Reports and exports read from a real PostgreSQL streaming replica; everything else stays on the primary.

scripts/with-postgres.sh starts a hot standby of the throwaway primary (pg_basebackup -R) on loopback and sets
OPENMARAC_REPLICA_DATABASE_URL, so in the PostgreSQL run of `make test` these tests talk to a real replica. Pausing
the standby's replay shows which of the two a page read: what was written since is missing only on the replica.
"""

import csv
import datetime
import io
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connections, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEvent
from audit.services import verify_chain
from config.db_router import use_replica
from marac.models import Agency
from reports.periods import PeriodKind, period_containing
from reports.tests.helpers import cases, listing, meeting
from testing.factories import CaseFactory

REPLICA_URL = os.environ.get("OPENMARAC_REPLICA_DATABASE_URL", "")

pytestmark = [
    pytest.mark.skipif(
        not REPLICA_URL, reason="needs the PostgreSQL run's streaming replica (scripts/with-postgres.sh)"
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"] if REPLICA_URL else ["default"]),
]

QUARTER_QUERY = "?period=quarter&on=2026-05-15"
HEARD_ON = datetime.date(2026, 5, 12)


def _value(alias: str, query: str) -> object:
    with connections[alias].cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def _caught_up(timeout: float = 10.0) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    target = _value("default", "SELECT pg_current_wal_insert_lsn()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replayed = _value("replica", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
        if replayed:
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up within 10 seconds")


@contextmanager
def _replay_paused() -> Iterator[None]:
    _value("replica", "SELECT pg_wal_replay_pause()::text")
    try:
        yield
    finally:
        _value("replica", "SELECT pg_wal_replay_resume()::text")


def _heard(marac, count, day=HEARD_ON):
    held = meeting(marac, day)
    for heard_case in cases(marac, count):
        listing(held, heard_case)


def _cases_heard(client) -> str:
    response = client.get("/reports/" + QUARTER_QUERY)
    assert response.status_code == 200
    rows = {row.indicator.key: row for group in response.context["report"].groups for row in group.rows}
    return rows["cases_heard"].cells[0].value_text


def test_the_replica_is_a_read_only_standby_of_the_primary():
    assert _value("replica", "SELECT pg_is_in_recovery()") is True
    assert _value("default", "SELECT pg_is_in_recovery()") is False
    assert _value("replica", "SELECT current_database()") == _value("default", "SELECT current_database()")
    with pytest.raises(DatabaseError, match="read-only"):
        Agency.objects.using("replica").create(name="Northbrook Written-Nowhere Service")


def test_the_dashboard_reads_the_replica_and_shows_new_cases_once_replayed(client_for, coordinator, marac):
    _heard(marac, 3)
    _caught_up()
    client = client_for(coordinator)
    with _replay_paused():
        _heard(marac, 2, HEARD_ON + datetime.timedelta(days=14))
        new_case = CaseFactory(marac=marac)
        # The dashboard shows what the paused replica has, not the primary's 5; a case page reads the primary.
        assert _cases_heard(client) == "3"
        assert client.get(f"/cases/{new_case.pk}/").status_code == 200
    _caught_up()
    assert _cases_heard(client) == "5"


def test_an_export_reads_the_replica_but_writes_its_audit_entry_on_the_primary(client_for, coordinator, marac):
    _heard(marac, 7)
    _caught_up()
    client = client_for(coordinator)
    with _replay_paused():
        _heard(marac, 3, HEARD_ON + datetime.timedelta(days=14))
        exports_before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
        response = client.get("/reports/indicators.csv" + QUARTER_QUERY)
        assert response.status_code == 200
        rows = csv.reader(io.StringIO(response.content.decode()))
        value = next(rows).index("Value")
        heard = next(row for row in rows if row[1] == "cases_heard")
        # The replica's figures (downloads suppress below 6): the three new cases are not replayed yet.
        assert heard[value] == "7"
        assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == exports_before + 1
    assert verify_chain()[1] is None


def _replica_queries(action) -> int:
    with CaptureQueriesContext(connections["replica"]) as captured:
        action()
    return len(captured)


def test_only_reads_inside_a_replica_block_go_to_the_replica():
    count_agencies = Agency.objects.count
    assert _replica_queries(count_agencies) == 0
    with use_replica():
        assert _replica_queries(count_agencies) == 1
        assert _replica_queries(lambda: cache.get("openmarac-any-key")) == 0  # the shared cache is always current
        with transaction.atomic():
            assert _replica_queries(count_agencies) == 0  # a service reading before it writes sees the primary
        Agency.objects.create(name="Northbrook Read-Your-Writes Service")
        # Once the block has written, its later reads must not see an older state than it just wrote.
        assert _replica_queries(count_agencies) == 0
    with use_replica():
        assert _replica_queries(count_agencies) == 1


def test_a_report_of_several_maracs_reads_the_replica_on_every_connection_it_runs_its_queries_on(
    settings, marac, other_marac
):
    """The queries of a report of several MARACs run side by side on connections of their own (reports/fanout.py):
    each must still read the replica, as the request would, not the primary."""
    from reports.report import build_report

    settings.OPENMARAC_REPORT_CONNECTIONS = 3
    _heard(marac, 2)
    _heard(other_marac, 3)
    _caught_up()

    def heard() -> list[str]:
        with use_replica():
            report = build_report(
                maracs=[(marac.pk, marac.name), (other_marac.pk, other_marac.name)],
                period=period_containing(PeriodKind.QUARTER, HEARD_ON),
                suppress=False,
                threshold=5,
            )
        row = next(row for group in report.groups for row in group.rows if row.indicator.key == "cases_heard")
        return [cell.value_text for cell in row.cells]

    with _replay_paused():
        _heard(other_marac, 4, HEARD_ON + datetime.timedelta(days=14))
        assert heard() == ["2", "3", "5"]  # the primary has 7 for the second MARAC
    _caught_up()
    assert heard() == ["2", "7", "9"]
