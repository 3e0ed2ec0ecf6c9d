"""Where a meeting-day page spends its time: each page of the mix requested in this process under cProfile.

    .venv/bin/python -m bench.load.profile [--repeat 20] [--top 25]

Same throwaway PostgreSQL and data as bench/load/run.py; prints, for each page, the mean time, the number of SQL
queries and the slowest of them, the Python function calls per request (a measure other work on the machine does
not skew), then the functions with the most cumulative time over all pages.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.load.client import post_form
from bench.load.run import INSIDE, ROOT, _create_database, _prepare
from bench.load.scenarios import fill_research, meeting_day


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--queries", action="store_true", help="print every query of each page")
    return parser.parse_args()


def _pages(plan: dict) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    meeting, listing = plan["meeting"], plan["listings"][0]
    representative = next(person for person in meeting_day(plan).people if person.kind == "representative")
    coordinator = next(user["email"] for user in plan["users"] if user["kind"] == "coordinator")
    mine = representative.research_listings[0]
    return [
        ("minimal page", "", "/bench/minimal/"),
        ("case opened, nothing else", representative.email, f"/bench/case-opened/{listing['case']}/"),
        ("case list", representative.email, f"/meetings/{meeting}/case-list/"),
        ("case page", representative.email, f"/cases/{listing['case']}/"),
        ("live case", representative.email, f"/meetings/{meeting}/live/{listing['listing']}/"),
        ("research form", representative.email, f"/meetings/listings/{mine}/research/"),
        (RESEARCH_SAVE, representative.email, f"/meetings/listings/{mine}/research/"),
        ("live meeting", coordinator, f"/meetings/{meeting}/live/"),
        ("live case (coordinator)", coordinator, f"/meetings/{meeting}/live/{listing['listing']}/"),
    ]


# The one POST of the mix profiled: an agency's research saved, as bench/load/scenarios.py sends it (the form
# is read first, outside the measurement, for its current version).
RESEARCH_SAVE = "research save (POST)"


def _requester(name: str, client: Any, path: str) -> Callable[[], Any]:
    """What one request of the page is: a GET, or for the research save a POST of the form just read."""
    if name != RESEARCH_SAVE:

        def get() -> Any:
            with _measuring():
                return client.get(path)

        return get

    rng = random.Random(1)  # noqa: S311 - the bench's made-up notes

    def save() -> Any:
        form = post_form(client.get(path).content.decode(), containing="version")
        data = fill_research(form, rng)
        with _measuring():
            return client.post(path, data)

    return save


def _recorder(queries: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append({"sql": sql, "time": time.perf_counter() - started})

    return record


# Where the CPU goes, by the function that encloses it (cumulative time; recursion counted once).
AREAS = {
    "templates": ("django/template/backends/django.py", "render"),
    "navigation": ("web/context_processors.py", "navigation"),
    "SQL compiled": ("django/db/models/sql/compiler.py", "as_sql"),
    "SQL sent and read": ("django/db/backends/utils.py", "_execute"),
    "session saved": ("django/contrib/sessions/backends/db.py", "save"),
    "audit entry": ("audit/services.py", "audit_record"),
}


def _shares(profiler: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = max(sum(row[2] for row in stats.values()), 1e-9)
    shares = {}
    for area, (path, function) in AREAS.items():
        spent = sum(row[3] for (file, _, name), row in stats.items() if file.endswith(path) and name == function)
        shares[area] = round(100 * spent / total)
    return shares


class _Measure:
    """What the requests measured so far cost (CPU and wall time, queries), with the profilers switched on only
    while a measured request runs (a POST's preparatory GET is not measured)."""

    def __init__(self) -> None:
        self.profilers: list[cProfile.Profile] = []
        self.cpu = self.wall = 0.0
        self.queries: list[dict[str, object]] | None = None


_MEASURE = _Measure()


@contextmanager
def _measuring() -> Iterator[None]:
    from django.db import connection

    for profiler in _MEASURE.profilers:
        profiler.enable()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        if _MEASURE.queries is None:
            yield
        else:
            with connection.execute_wrapper(_recorder(_MEASURE.queries)):
                yield
    finally:
        _MEASURE.cpu += time.process_time() - cpu
        _MEASURE.wall += time.perf_counter() - wall
        for profiler in _MEASURE.profilers:
            profiler.disable()


def _profile(plan: dict, repeat: int, top: int, verbose: bool) -> None:  # type: ignore[type-arg]
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()
    from django.test import Client

    from accounts.models import User

    overall = cProfile.Profile(time.process_time)
    for name, email, path in _pages(plan):
        client = Client(HTTP_HOST="127.0.0.1")
        if email:
            client.force_login(User.objects.get(email=email))
        request = _requester(name, client, path)
        request()  # warm
        queries: list[dict[str, object]] = []
        _MEASURE.queries = queries
        request()
        _MEASURE.queries = None
        # CPU time, not wall time: on a shared machine, waiting for a core would otherwise swamp the picture.
        _MEASURE.cpu = _MEASURE.wall = 0.0
        for _ in range(repeat):
            response = request()
        wall, cpu = _MEASURE.wall * 1000 / repeat, _MEASURE.cpu * 1000 / repeat
        profiler = cProfile.Profile(time.process_time)
        for page_profiler in (profiler, overall):  # one profiler at a time, as Python allows
            _MEASURE.profilers = [page_profiler]
            for _ in range(repeat):
                request()
        _MEASURE.profilers = []
        kinds = Counter(str(query["sql"]).split()[0] for query in queries)
        shares = ", ".join(f"{area} {share}%" for area, share in _shares(profiler).items())
        # Python function calls per request: unlike time, other work on the machine does not change them.
        calls = pstats.Stats(profiler).total_calls / repeat / 1000  # type: ignore[attr-defined]
        print(
            f"\n{name}: {response.status_code}, {wall:.1f} ms, {cpu:.1f} ms CPU in Django, {len(queries)} queries, "
            f"{calls:.1f}k Python calls"
        )
        print(f"   {dict(kinds)}\n   CPU: {shares}")
        for query in queries if verbose else sorted(queries, key=lambda query: -float(query["time"]))[:3]:  # type: ignore[arg-type]
            print(f"   {float(query['time']) * 1000:.1f} ms  {str(query['sql'])[:220]}")  # type: ignore[arg-type]
    if top:
        out = io.StringIO()
        pstats.Stats(overall, stream=out).sort_stats("cumulative").print_stats(top)
        print(out.getvalue())


def main() -> None:
    arguments = _arguments()
    if os.environ.get(INSIDE) != "1":
        environment = {**os.environ, INSIDE: "1", "OPENMARAC_PG_REPLICA": "0"}
        environment.pop("DATABASE_URL", None)
        command = [
            str(ROOT / "scripts" / "with-postgres.sh"),
            sys.executable,
            "-m",
            "bench.load.profile",
            *sys.argv[1:],
        ]
        os.execvpe(command[0], command, environment)  # noqa: S606
    _create_database(os.environ["DATABASE_URL"])
    with tempfile.TemporaryDirectory(prefix="openmarac-profile-") as folder:
        plan_path = Path(folder, "plan.json")
        _prepare(plan_path, 20)
        os.environ.pop("OPENMARAC_REPLICA_DATABASE_URL", None)
        _profile(json.loads(plan_path.read_text()), arguments.repeat, arguments.top, arguments.queries)


if __name__ == "__main__":
    main()
