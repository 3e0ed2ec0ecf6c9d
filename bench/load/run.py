"""Meeting-day load: gunicorn and a throwaway PostgreSQL on loopback, simulated people in a closed loop.

    make bench-load                      # the full run, about 8 minutes
    .venv/bin/python -m bench.load.run --quick   # a short run, to check it works

Starts a throwaway PostgreSQL (scripts/with-postgres.sh), migrates it, loads the demo MARAC's year, today's meeting
and the simulated people (bench/load/prepare.py), starts gunicorn with config.settings.bench, signs every person in
for real (password, then authenticator code), then runs the phases, each bounded in time:

- the minimal page at 50 connections with no think time: the yardstick (bench/load/views.py);
- the meeting-day mix (bench/load/scenarios.py) for 25, 50 and 100 people thinking 2 to 5 seconds between clicks;
- the same mix for 50 people with no think time: the peak throughput;
- the same 50 people opening cases on a page that shows nothing else (bench/load/views.py `case_opened`): the
  ceiling of the mix, since every page of it does at least this;
- the minimal page again with persistent database connections switched off, for comparison.

Writes bench/results/load.json and the "Meeting-day load" section of docs/performance.md. The load generator runs
on the same machine and its CPU is counted in the results; so is the machine's load average, since other work
on the machine skews every figure.
"""

import argparse
import asyncio
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.load.client import Browser, Sample, sign_in
from bench.load.measure import WINDOW_SECONDS, CpuWindow, summarise
from bench.load.prepare import LOAD_PASSWORD
from bench.load.scenarios import (
    Behaviour,
    MeetingDay,
    Person,
    behaviour_of,
    case_opened,
    meeting_day,
    minimal_page,
    thinker,
)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "load.json"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
SECTION = "## Meeting-day load"
INSIDE = "OPENMARAC_BENCH_LOAD_INSIDE"
USER_STEPS = (25, 50, 100)
SATURATION_USERS = 50
MINIMAL_CONNECTIONS = 50
TARGET_P95_MS = 150.0
TARGET_SHARE_OF_MINIMAL = 0.5
CASE_OPENED_PHASE = f"case opened, nothing else shown, {SATURATION_USERS} people, no think time"


@dataclass(frozen=True)
class Timing:
    think_phase: float
    saturation_phase: float
    minimal_phase: float
    warm_up: float


FULL = Timing(think_phase=60, saturation_phase=45, minimal_phase=30, warm_up=10)
QUICK = Timing(think_phase=12, saturation_phase=8, minimal_phase=6, warm_up=4)


class PhaseOver(Exception):
    pass


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short phases, to check the benchmark works")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--no-write", action="store_true", help="print the results only")
    return parser.parse_args()


def _inside_a_throwaway_cluster() -> None:
    """Re-run this command under scripts/with-postgres.sh (no standby: one machine is measured)."""
    environment = {**os.environ, INSIDE: "1", "OPENMARAC_PG_REPLICA": "0"}
    environment.pop("DATABASE_URL", None)
    command = [str(ROOT / "scripts" / "with-postgres.sh"), sys.executable, "-m", "bench.load.run", *sys.argv[1:]]
    os.execvpe(command[0], command, environment)  # noqa: S606 - our own script, fixed arguments


def _django_environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "OPENMARAC_REPLICA_DATABASE_URL"}
    return {**environment, "DJANGO_SETTINGS_MODULE": "config.settings.bench", **extra}


def _create_database(url: str) -> int:
    """Create the database in the fresh cluster; return the postmaster's process id."""
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return _postmaster(url)


def _postmaster(url: str) -> int:
    with psycopg.connect(url) as connection:
        directory = connection.execute("SHOW data_directory").fetchone()[0]  # type: ignore[index]
    return int(Path(directory, "postmaster.pid").read_text().splitlines()[0])


def _prepare(plan: Path, users: int) -> float:
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.load.prepare", str(plan), str(users)],
        cwd=ROOT,
        env=_django_environment(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


@contextmanager
def _gunicorn(port: int, workers: int, log: Path, **environment: str) -> Iterator[int]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--timeout=120",
        f"--error-logfile={log}",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=_django_environment(**environment))  # noqa: S603
    try:
        _wait_until_up(port, server)
        yield server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting: see its log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within a minute")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _PhaseBrowser(Browser):
    """Refuses to start a request once the phase is over; a request already under way finishes and counts."""

    deadline: float = float("inf")

    async def _request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if time.monotonic() >= self.deadline:
            raise PhaseOver
        return await super()._request(*args, **kwargs)


async def _signed_in(base: str, people: tuple[Person, ...]) -> tuple[list[_PhaseBrowser], float]:
    started = time.monotonic()
    browsers = [_PhaseBrowser(base, []) for _ in people]
    gate = asyncio.Semaphore(4)

    async def one(browser: _PhaseBrowser, person: Person) -> None:
        async with gate:
            await sign_in(browser, email=person.email, password=LOAD_PASSWORD, totp_secret=person.totp_secret)

    try:
        await asyncio.gather(*(one(browser, person) for browser, person in zip(browsers, people, strict=True)))
    except BaseException:
        for browser in browsers:
            await browser.close()
        raise
    return browsers, time.monotonic() - started


async def _phase(
    browsers: list[_PhaseBrowser],
    people: list[Person],
    day: MeetingDay,
    *,
    seconds: float,
    think: bool,
    page: Behaviour | None = None,
) -> tuple[list[Sample], float]:
    """Each person in a closed loop: the meeting-day mix for their role, or one page (`page`) again and again."""
    samples: list[Sample] = []
    started = time.monotonic()
    deadline = started + seconds

    async def person_loop(number: int, browser: _PhaseBrowser, person: Person) -> None:
        rng = random.Random(number)  # noqa: S311 - simulated behaviour, not security
        browser.samples, browser.deadline = samples, deadline
        pause = thinker(rng, think)

        async def think_within_phase() -> None:
            await pause()
            if time.monotonic() >= deadline:
                raise PhaseOver

        behaviour = page or behaviour_of(person)
        if think:  # people arrive over the first few seconds, not all at once
            await asyncio.sleep(rng.uniform(0, 5))
        while time.monotonic() < deadline:
            try:
                await behaviour(browser, person, day, rng, think_within_phase)
            except PhaseOver:
                return
            except LookupError as missing:  # a page came back without the form a person would fill in
                samples.append(Sample("form missing", time.monotonic(), 0.0, 0, False, str(missing)))

    await asyncio.gather(*(person_loop(n, b, p) for n, (b, p) in enumerate(zip(browsers, people, strict=True))))
    last = max((sample.started + sample.seconds for sample in samples), default=deadline)
    return samples, max(last, deadline) - started


def _measured(name: str, window: CpuWindow, run: tuple[list[Sample], float], **facts: object) -> dict[str, object]:
    samples, seconds = run
    result = {"phase": name, **facts, **summarise(samples, seconds), **window.stop(len(samples))}
    print(
        f"{name:<52} {result['throughput_per_s']:>7} req/s  p50 {result['p50_ms']:>6} ms  p95 {result['p95_ms']:>6} ms"
        f"  p99 {result['p99_ms']:>6} ms  errors {result['errors']}  CPU ms a request: app "
        f"{result['app_server_cpu_ms_per_request']}, database {result['database_cpu_ms_per_request']}"
        f"  (load {result['load_average_1m_after']})",
        flush=True,
    )
    if not facts.get("think_time", True):
        print(f"{'':<52} requests a second by {WINDOW_SECONDS:g} s: {result['throughput_by_window']}", flush=True)
    return result


async def _run_phases(
    base: str, day: MeetingDay, timing: Timing, window: CpuWindow
) -> tuple[list[dict[str, object]], float]:
    people = list(day.people)
    browsers, signing_in = await _signed_in(base, day.people)
    print(f"signed in {len(browsers)} people through allauth and MFA in {signing_in:.1f} s", flush=True)
    anonymous = [_PhaseBrowser(base, []) for _ in range(MINIMAL_CONNECTIONS)]
    try:
        window.start()  # warm every worker up on every page; not reported
        await _phase(browsers[:10], people[:10], day, seconds=timing.warm_up, think=False)
        await _phase(
            anonymous, people[:MINIMAL_CONNECTIONS], day, seconds=timing.warm_up / 2, think=False, page=minimal_page
        )
        phases = []
        window.start()
        run = await _phase(
            anonymous, people[:MINIMAL_CONNECTIONS], day, seconds=timing.minimal_phase, think=False, page=minimal_page
        )
        phases.append(
            _measured(
                f"minimal page, {MINIMAL_CONNECTIONS} connections",
                window,
                run,
                users=MINIMAL_CONNECTIONS,
                think_time=False,
            )
        )
        for users in USER_STEPS:
            window.start()
            run = await _phase(browsers[:users], people[:users], day, seconds=timing.think_phase, think=True)
            phases.append(
                _measured(f"meeting day, {users} people, think time", window, run, users=users, think_time=True)
            )
        # The peak of the mix, then its ceiling: a case opened through the gate and audited, and nothing else shown.
        for name, page, seconds in (
            (f"meeting day, {SATURATION_USERS} people, no think time", None, timing.saturation_phase),
            (CASE_OPENED_PHASE, case_opened, timing.minimal_phase),
        ):
            window.start()
            at_once = browsers[:SATURATION_USERS], people[:SATURATION_USERS]
            run = await _phase(*at_once, day, seconds=seconds, think=False, page=page)
            phases.append(_measured(name, window, run, users=SATURATION_USERS, think_time=False))
    finally:
        for browser in [*browsers, *anonymous]:
            await browser.close()
    return phases, signing_in


async def _minimal_only(base: str, day: MeetingDay, timing: Timing, window: CpuWindow) -> dict[str, object]:
    anonymous = [_PhaseBrowser(base, []) for _ in range(MINIMAL_CONNECTIONS)]
    people = list(day.people[:MINIMAL_CONNECTIONS])
    try:
        await _phase(anonymous, people, day, seconds=timing.warm_up / 2, think=False, page=minimal_page)
        window.start()
        run = await _phase(anonymous, people, day, seconds=timing.minimal_phase, think=False, page=minimal_page)
    finally:
        for browser in anonymous:
            await browser.close()
    name = f"minimal page, {MINIMAL_CONNECTIONS} connections, no persistent connections"
    return _measured(name, window, run, users=MINIMAL_CONNECTIONS, think_time=False, conn_max_age=0)


def _server_errors(log: Path) -> int:
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text().splitlines() if " ERROR " in line or "Traceback" in line)


def _verdict(phases: list[dict[str, object]]) -> dict[str, object]:
    by_name = {phase["phase"]: phase for phase in phases}
    hundred = by_name[f"meeting day, {USER_STEPS[-1]} people, think time"]
    peak = by_name[f"meeting day, {SATURATION_USERS} people, no think time"]
    minimal = by_name[f"minimal page, {MINIMAL_CONNECTIONS} connections"]
    share = float(peak["throughput_per_s"]) / max(float(minimal["throughput_per_s"]), 0.1)  # type: ignore[arg-type]
    ceiling = float(by_name[CASE_OPENED_PHASE]["throughput_per_s"]) / max(float(minimal["throughput_per_s"]), 0.1)  # type: ignore[arg-type]
    return {
        "p95_at_100_people_ms": hundred["p95_ms"],
        "p95_target_ms": TARGET_P95_MS,
        "errors_with_think_time": sum(int(p["errors"]) for p in phases if p.get("think_time")),  # type: ignore[call-overload]
        "peak_share_of_minimal_page": round(share, 2),
        "share_target": TARGET_SHARE_OF_MINIMAL,
        # Not a target: the share of an empty case page (bench/load/views.py case_opened), the mix's ceiling.
        "case_opened_share_of_minimal_page": round(ceiling, 2),
        "p95_met": float(hundred["p95_ms"]) < TARGET_P95_MS and int(hundred["errors"]) == 0,  # type: ignore[arg-type, call-overload]
        "throughput_met": share >= TARGET_SHARE_OF_MINIMAL,
    }


def _machine(load_before: float) -> dict[str, object]:
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "postgresql": _postgres_version(),
        "load_average_1m_at_start": round(load_before, 2),
        "shared_machine": load_before > 0.5,
    }


def _postgres_version() -> str:
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        return str(connection.execute("SHOW server_version").fetchone()[0]).split()[0]  # type: ignore[index]


def _table(results: dict[str, object]) -> str:
    lines = [
        "| phase | req/s | p50 ms | p95 ms | p99 ms | errors | app CPU ms/req | db CPU ms/req | load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for phase in results["phases"]:  # type: ignore[attr-defined]
        lines.append(
            f"| {phase['phase']} | {phase['throughput_per_s']} | {phase['p50_ms']} | {phase['p95_ms']} | "
            f"{phase['p99_ms']} | {phase['errors']} | {phase['app_server_cpu_ms_per_request']} | "
            f"{phase['database_cpu_ms_per_request']} | {phase['load_average_1m_after']} |"
        )
    return "\n".join(lines)


RESULTS_START = "<!-- bench-load results: written by `make bench-load`, do not edit by hand -->"
RESULTS_END = "<!-- end of bench-load results -->"
INTRODUCTION = (
    "`make bench-load` (`bench/load/`): gunicorn and a throwaway PostgreSQL on loopback, the demo MARAC with a "
    "year of history and a meeting of 25 cases running. Simulated people sign in through allauth and MFA, then "
    "representatives open the case list, case pages and the live case and save their agency's research, and "
    "coordinators (one in ten) record actions, thinking 2 to 5 seconds between clicks. The minimal page is one "
    "indexed query of 20 rows through a template and the standard middleware; the case opened with nothing else "
    "shown is what every page of the mix does at least (sign-in checked, a case through the gate and audited, the "
    "layout). The load generator shares the machine, and its CPU is in the figures."
)


def _results_text(results: dict[str, object]) -> str:
    verdict = results["verdict"]
    machine = results["environment"]
    quiet = "shared with other work (figures skewed)" if machine["shared_machine"] else "quiet"  # type: ignore[index]
    return (
        f"Latest run {results['date']}{' (--quick)' if results['quick'] else ''}: {machine['machine']}, "  # type: ignore[index]
        f"PostgreSQL {machine['postgresql']}, {results['workers']} gunicorn workers; machine {quiet}, "  # type: ignore[index]
        f"load average {machine['load_average_1m_at_start']} at the start.\n\n"  # type: ignore[index]
        f"{_table(results)}\n\n"
        f"Targets: p95 at 100 people {verdict['p95_at_100_people_ms']} ms (under {TARGET_P95_MS:.0f} ms with no "  # type: ignore[index]
        f"errors: {'met' if verdict['p95_met'] else 'missed'}); peak throughput of the mix "  # type: ignore[index]
        f"{verdict['peak_share_of_minimal_page']} of the minimal page's (at least {TARGET_SHARE_OF_MINIMAL}: "  # type: ignore[index]
        f"{'met' if verdict['throughput_met'] else 'missed'}). A case opened with nothing else shown reached "  # type: ignore[index]
        f"{verdict['case_opened_share_of_minimal_page']} of the minimal page's throughput: no page of the mix can do "  # type: ignore[index]
        "better. Per-page figures: `bench/results/load.json`."
    )


def _write_doc(results_text: str) -> None:
    """Replace the results between the markers; the rest of the section is written by hand."""
    text = PERFORMANCE_DOC.read_text()
    block = f"{RESULTS_START}\n{results_text}\n{RESULTS_END}"
    if RESULTS_START in text and RESULTS_END in text:
        start, end = text.index(RESULTS_START), text.index(RESULTS_END) + len(RESULTS_END)
        text = text[:start] + block + text[end:]
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{INTRODUCTION}\n\n{block}\n"
    PERFORMANCE_DOC.write_text(text)


def main() -> None:
    arguments = _arguments()
    if os.environ.get(INSIDE) != "1":
        _inside_a_throwaway_cluster()
    timing = QUICK if arguments.quick else FULL
    load_before = os.getloadavg()[0]
    url = os.environ["DATABASE_URL"]
    database_pid = _create_database(url)
    with tempfile.TemporaryDirectory(prefix="openmarac-load-") as folder:
        plan_path, log = Path(folder, "plan.json"), Path(folder, "gunicorn.log")
        preparing = _prepare(plan_path, USER_STEPS[-1])
        print(
            f"database ready (migrate, demo year, meeting day, {USER_STEPS[-1]} people) in {preparing:.0f} s",
            flush=True,
        )
        day = meeting_day(json.loads(plan_path.read_text()))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with _gunicorn(port, arguments.workers, log) as server_pid:
            phases, signing_in = asyncio.run(_run_phases(base, day, timing, CpuWindow(server_pid, database_pid)))
        with _gunicorn(port, arguments.workers, log, OPENMARAC_BENCH_CONN_MAX_AGE="0") as server_pid:
            phases.append(asyncio.run(_minimal_only(base, day, timing, CpuWindow(server_pid, database_pid))))
        server_errors = _server_errors(log)
    results = {
        "benchmark": "load",
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "quick": arguments.quick,
        "workers": arguments.workers,
        "environment": _machine(load_before),
        "setup_seconds": round(preparing, 1),
        "sign_in_seconds": round(signing_in, 1),
        "people": len(day.people),
        "listed_cases": len(day.listings),
        "server_error_log_lines": server_errors,
        "phases": phases,
        "verdict": _verdict(phases),
    }
    print(json.dumps(results["verdict"], indent=1))
    if not arguments.no_write:
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        _write_doc(_results_text(results))
        print(f"wrote {RESULTS.relative_to(ROOT)} and the table in {PERFORMANCE_DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
