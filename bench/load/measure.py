"""Latency percentiles, and the CPU that the server, the database and the whole machine spent during a phase."""

import os
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.load.client import Sample

TICKS = os.sysconf("SC_CLK_TCK")


def percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    if len(seconds) == 1:
        only = round(seconds[0] * 1000, 1)
        return {"p50_ms": only, "p95_ms": only, "p99_ms": only}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
    }


def summarise(samples: list[Sample], seconds: float) -> dict[str, object]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    errors = Counter(sample.error for sample in samples if not sample.ok)
    return {
        "requests": len(samples),
        "seconds": round(seconds, 1),
        "throughput_per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
        **percentiles([sample.seconds for sample in samples]),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(5)),
        "pages": {
            kind: {"requests": len(rows), **percentiles([row.seconds for row in rows])}
            for kind, rows in sorted(by_kind.items())
        },
        "throughput_by_window": throughput_by_window(samples),
    }


WINDOW_SECONDS = 5.0


def throughput_by_window(samples: list[Sample]) -> list[float]:
    """Requests a second finished in each WINDOW_SECONDS of the phase, from its first request on: shows whether
    the server slows as the phase goes on. The last, partial window is left out."""
    if not samples:
        return []
    start = min(sample.started for sample in samples)
    ends = [sample.started + sample.seconds - start for sample in samples]
    windows = int(max(ends) // WINDOW_SECONDS)
    counts = Counter(int(end // WINDOW_SECONDS) for end in ends)
    return [round(counts[window] / WINDOW_SECONDS, 1) for window in range(windows)]


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the state on; the name may hold spaces


def process_tree_cpu(root: int) -> float:
    """CPU seconds of a process and its live children, plus what its finished children used."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat(int(entry))
        if fields is None:
            continue
        if int(entry) == root:
            total += sum(int(value) for value in fields[11:15]) / TICKS  # utime stime cutime cstime
        elif int(fields[1]) == root:
            total += sum(int(value) for value in fields[11:13]) / TICKS
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies since boot, over every CPU."""
    values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


@dataclass
class CpuWindow:
    """CPU used between start and stop by the app server, the database and the machine, and the load average."""

    server_pid: int
    database_pid: int

    def start(self) -> None:
        self._began = time.monotonic()
        self._server = process_tree_cpu(self.server_pid)
        self._database = process_tree_cpu(self.database_pid)
        self._machine = machine_cpu()
        self._own = sum(os.times()[:2])
        self._load = os.getloadavg()[0]

    def stop(self, requests: int) -> dict[str, object]:
        wall = time.monotonic() - self._began
        server = process_tree_cpu(self.server_pid) - self._server
        database = process_tree_cpu(self.database_pid) - self._database
        busy, total = machine_cpu()
        own = sum(os.times()[:2]) - self._own
        per_request = max(requests, 1)
        return {
            "app_server_cpu_ms_per_request": round(server * 1000 / per_request, 2),
            "database_cpu_ms_per_request": round(database * 1000 / per_request, 2),
            "app_server_cores_busy": round(server / wall, 2),
            "database_cores_busy": round(database / wall, 2),
            "load_generator_cores_busy": round(own / wall, 2),
            "machine_cpu_busy_share": round((busy - self._machine[0]) / max(total - self._machine[1], 1), 2),
            "load_average_1m_before": round(self._load, 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        }
