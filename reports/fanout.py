"""A report's independent queries run side by side, each on a database connection of its own.

A report of many MARACs (a region, the nation) is a couple of dozen aggregate queries that do not depend on one
another. One after the other, the database works on one at a time and the app waits; side by side, the
database's cores share them and the app works through one query's rows while the others run. Measured on the
national benchmark (docs/performance.md): the same figures in about two thirds of the time.

They run side by side only where that is safe and worth it:
- on PostgreSQL (SQLite has one writer and gains nothing);
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


def side_by_side_allowed(model: type[Any], *, marac_count: int) -> bool:
    """Whether a report of marac_count MARACs reading model's table may run its queries side by side."""
    if marac_count < 2 or _connections_allowed() < 2:
        return False
    if connections[router.db_for_read(model)].vendor != "postgresql":
        return False
    return not any(connection.in_atomic_block for connection in connections.all(initialized_only=True))


def run_jobs[T](jobs: Sequence[Callable[[], T]], *, side_by_side: bool) -> list[T]:
    """Each job's result, in the order given: side by side where allowed (see side_by_side_allowed), else in
    turn in this thread. The first exception a job raised is raised here, once every job has stopped."""
    if not side_by_side or len(jobs) < 2:
        return [job() for job in jobs]
    waiting = deque(enumerate(jobs))  # taken by the workers in order; a deque's popleft is thread-safe
    results: dict[int, T] = {}
    failures: list[BaseException] = []

    def work() -> None:
        try:
            while not failures:
                try:
                    index, job = waiting.popleft()
                except IndexError:
                    return
                results[index] = job()
        except BaseException as failure:  # raised in the calling thread below
            failures.append(failure)
        finally:
            connections.close_all()  # this worker's own connections, never the caller's

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


def _connections_allowed() -> int:
    return int(getattr(settings, "OPENMARAC_REPORT_CONNECTIONS", 1))
