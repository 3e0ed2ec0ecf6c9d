"""A PostgreSQL cluster of the benchmark's own that outlives the run, so that the national data (which takes a
while to generate) is generated once and reused. Debian's server binaries; as root the cluster runs as the
postgres user, since initdb refuses root. Settings are those of a modestly tuned server on this machine."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# What a well-run server of this size would be given; fsync off only because the data is disposable and
# regenerable (it changes how fast the data is written, not how fast it is read).
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "shared_buffers": "2GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "effective_cache_size": "8GB",
    "random_page_cost": "1.1",
    # JIT compiling a report's wide aggregate took 10 s of a 23 s national query; short analytical queries like
    # these never win it back. Recommended off for OpenMARAC's database (docs/performance.md).
    "jit": "off",
    "max_wal_size": "8GB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def _bindir() -> Path:
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)  # noqa: S607
    if found.returncode == 0 and (Path(found.stdout.strip()) / "initdb").exists():
        return Path(found.stdout.strip())
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
    if not candidates:
        raise SystemExit("PostgreSQL's server binaries are missing: apt-get install postgresql (or set DATABASE_URL).")
    return candidates[-1]


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


@dataclass(frozen=True)
class Cluster:
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(_as_owner(list(arguments)), capture_output=True, text=True, check=False)  # noqa: S603

    def running(self) -> bool:
        return self._run(str(_bindir() / "pg_ctl"), "-D", str(self.data), "status").returncode == 0

    def start(self) -> None:
        """Creates the cluster the first time; starts it unless it is running."""
        bindir = _bindir()
        if not (self.data / "PG_VERSION").exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            if os.getuid() == 0:
                shutil.chown(self.directory, "postgres")
            made = self._run(
                str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8",
            )  # fmt: skip
            if made.returncode:
                raise SystemExit(f"initdb failed: {made.stderr}")
        if self.running():
            return
        options = " ".join(f"-c {name}={value}" for name, value in SETTINGS.items())
        started = self._run(
            str(bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"), "-w",
            "-o", f"-p {self.port} -k {self.directory} {options}", "start",
        )  # fmt: skip
        if started.returncode:
            raise SystemExit(f"PostgreSQL did not start: {started.stderr} (see {self.directory / 'log'})")

    def stop(self) -> None:
        self._run(str(_bindir() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = self._run(
            str(_bindir() / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
            "-XAtqc", sql,
        )  # fmt: skip
        if done.returncode:
            raise SystemExit(f"psql failed: {done.stderr}")
        return done.stdout.strip()

    def ensure_database(self, name: str, *, fresh: bool) -> bool:
        """Creates the database if missing (dropping it first if fresh); True if it had to be created."""
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608  our own name
        if exists and fresh:
            self.psql(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            self.psql(f'CREATE DATABASE "{name}"')
        return not exists
