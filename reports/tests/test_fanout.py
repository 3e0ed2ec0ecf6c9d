"""A report of several MARACs runs its queries side by side on PostgreSQL, with the same figures as one by one."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import Case, PartyRole
from reports.fanout import run_jobs, side_by_side_on
from reports.meeting_return import meeting_return
from reports.report import build_report
from reports.tests.helpers import QUARTER, add_party, cases, listing, meeting, records_begin, scope
from testing.factories import MaracFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="side by side only on PostgreSQL")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_each_job_s_result_comes_back_in_the_order_given_though_they_finish_out_of_order(settings):
    settings.OPENMARAC_REPORT_CONNECTIONS = 3
    threads: set[str] = set()

    def job(number: int, seconds: float):
        def run() -> int:
            threads.add(threading.current_thread().name)
            time.sleep(seconds)
            return number

        return run

    assert run_jobs([job(1, 0.05), job(2, 0.0), job(3, 0.02), job(4, 0.0)], side_by_side="default") == [1, 2, 3, 4]
    assert len(threads) > 1 and threading.current_thread().name not in threads
    threads.clear()
    assert run_jobs([job(1, 0.0), job(2, 0.0)], side_by_side=None) == [1, 2]
    assert threads == {threading.current_thread().name}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_job_that_fails_fails_the_report_with_its_own_error(settings):
    settings.OPENMARAC_REPORT_CONNECTIONS = 2

    def broken() -> int:
        raise ValueError("a query the database refused")

    with pytest.raises(ValueError, match="a query the database refused"):
        run_jobs([lambda: 1, broken, lambda: 3], side_by_side="default")


def _parallel_workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_report_s_connections_leave_postgresql_s_parallel_workers_to_the_request_s_own(settings):
    settings.OPENMARAC_REPORT_CONNECTIONS = 2
    own = _parallel_workers()
    assert run_jobs([_parallel_workers, _parallel_workers], side_by_side="default") == ["0", "0"]
    assert _parallel_workers() == own != "0"


def _two_maracs():
    first, second = MaracFactory(name="Northbrook"), MaracFactory(name="Southmere")
    records_begin(first, second)
    for marac, heard in ((first, 4), (second, 7)):
        held = meeting(marac)
        for number, heard_case in enumerate(cases(marac, heard)):
            listing(held, heard_case)
            if number % 2:
                add_party(heard_case, PartyRole.CHILD)
    return first, second


def _figures(first, second):
    report = build_report(
        maracs=[(first.pk, first.name), (second.pk, second.name)], period=QUARTER, suppress=False, threshold=5
    )
    rows = [row for group in report.groups for row in group.rows]
    cells = {row.indicator.key: [cell.value_text for cell in row.cells] for row in rows}
    return cells, meeting_return(scope(first, second))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_report_of_several_maracs_gives_the_same_figures_side_by_side_as_one_by_one(settings):
    first, second = _two_maracs()
    assert side_by_side_on(Case, marac_count=2)
    settings.OPENMARAC_REPORT_CONNECTIONS = 1
    one_by_one = _figures(first, second)
    settings.OPENMARAC_REPORT_CONNECTIONS = 3
    with CaptureQueriesContext(connection) as on_this_connection:
        side_by_side = _figures(first, second)
    assert side_by_side == one_by_one
    cells, rows = side_by_side
    assert cells["cases_heard"] == ["4", "7", "11"]
    assert sorted(row.counts["cases"] for row in rows) == [4, 7]
    assert sorted(row.counts["children"] for row in rows) == [2, 3]
    # The counts were asked on the workers' connections: this one only read the indicators' few look-ups' setup.
    assert len(on_this_connection) < 5


@pytest.mark.django_db
def test_inside_a_transaction_a_report_counts_what_the_transaction_wrote(settings):
    """Another connection cannot see uncommitted rows: inside a transaction the queries run one by one on it."""
    settings.OPENMARAC_REPORT_CONNECTIONS = 3
    with transaction.atomic():
        first, second = _two_maracs()
        assert not side_by_side_on(Case, marac_count=2)
        cells, rows = _figures(first, second)
    assert cells["cases_heard"] == ["4", "7", "11"]
    assert sorted(row.counts["cases"] for row in rows) == [4, 7]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_marac_s_report_runs_on_the_request_s_own_connection(settings):
    settings.OPENMARAC_REPORT_CONNECTIONS = 3
    assert not side_by_side_on(Case, marac_count=1)
    settings.OPENMARAC_REPORT_CONNECTIONS = 1
    assert not side_by_side_on(Case, marac_count=300)
