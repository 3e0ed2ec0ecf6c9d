"""A report's independent queries run side by side, each on a database connection of its own.

A report of many MARACs (a region, the nation) is a couple of dozen aggregate queries that do not depend on one
another. One after the other, the database works on one at a time and the app waits; side by side, the
database's cores share them and the app works through one query's rows while the others run. Measured on the
national benchmark (docs/performance.md): the same figures in about two thirds of the time.

They run side by side only where that is safe and worth it:
- on PostgreSQL (SQLite has one writer and gains nothing), each connection without PostgreSQL's parallel workers
  (the connections are the parallelism);
- outside any transaction of the calling thread: another connection cannot see what the transaction has written
  and not committed (tests run inside one, and so run the queries one by one);
- for reports of several MARACs: a new connection costs a few milliseconds, more than one MARAC's queries gain.

Each worker runs in the caller's context (the replica block of config.db_router goes with it, so a report's reads
go to the read replica as they would in the calling thread), on a connection of its own, closed when the report's
jobs are done: the app server keeps no connections or threads between requests for this.
"""

import contextvars
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections, router


def side_by_side_on(model: type[Any], *, marac_count: int) -> str | None:
    """The database alias a report of marac_count MARACs reading model's table runs its queries side by side on,
    or None where they run one by one on the request's own connection."""
    if marac_count < 2 or _connections_allowed() < 2:
        return None
    alias = router.db_for_read(model)
    if connections[alias].vendor != "postgresql":
        return None
    if any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        return None
    return alias


def run_jobs[T](jobs: Sequence[Callable[[], T]], *, side_by_side: str | None) -> list[T]:
    """Each job's result, in the order given: side by side on connections to the database side_by_side names (see
    side_by_side_on), else in turn in this thread. The first exception a job raised is raised here, once every job
    has stopped."""
    if side_by_side is None or len(jobs) < 2:
        return [job() for job in jobs]
    waiting = deque(enumerate(jobs))  # taken by the workers in order; a deque's popleft is thread-safe
    results: dict[int, T] = {}
    failures: list[BaseException] = []

    def work() -> None:
        try:
            _without_parallel_workers(side_by_side)
            while not failures:
                try:
                    index, job = waiting.popleft()
                except IndexError:
                    return
                results[index] = job()
        except BaseException as failure:  # raised in the calling thread below
            failures.append(failure)
        finally:
            _closed(side_by_side)

    # Each worker in a copy of the caller's context (one context cannot be entered by two threads at once).
    workers = [
        threading.Thread(target=contextvars.copy_context().run, args=(work,), name=f"report-query-{number}")
        for number in range(min(len(jobs), _connections_allowed()))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]
    return [results[index] for index in range(len(jobs))]


def _without_parallel_workers(alias: str) -> None:
    """The report's connections are its parallelism: PostgreSQL's own parallel workers on top of them cost a third
    more of the database's CPU for the same rows (measured on the national benchmark: docs/performance.md), so the
    worker's connection goes without them. A bigger database server takes more report connections instead."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")


def _closed(alias: str) -> None:
    """This worker's own connections, never the caller's; the setting undone first, for a pooler that keeps the
    server's connection."""
    try:
        if connections[alias].connection is not None:
            with connections[alias].cursor() as cursor:
                cursor.execute("RESET max_parallel_workers_per_gather")
    finally:
        connections.close_all()


def _connections_allowed() -> int:
    return int(getattr(settings, "OPENMARAC_REPORT_CONNECTIONS", 1))
