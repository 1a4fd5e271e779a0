"""What the benchmarks share: the PostgreSQL server and their throwaway databases, manage.py
in a subprocess, the machine's numbers from /proc, and the results file.

No Django here: each benchmark sets Django up itself, with the settings and in the processes
it needs. Imported as ``bench.harness``, with the project's folder on ``sys.path``.
"""

import contextlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "var" / "bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
# Every database a benchmark drops and creates is named so; no other is ever dropped.
DATABASE_PREFIX = "chengxin_bench"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --- PostgreSQL ----------------------------------------------------------------------------


def postgres_server(url: str) -> str | None:
    """``scheme://user:password@host:port`` of a PostgreSQL URL (its database and options
    left out; host and port 127.0.0.1:5432 when it names none), or None for another URL."""
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(url)
    auth = parts.netloc.rpartition("@")[0]
    host = parts.hostname or "127.0.0.1"
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{parts.scheme}://{auth + '@' if auth else ''}{host}:{parts.port or 5432}"


def database_url(server: str, name: str, **options) -> str:
    """The URL of database ``name`` on ``server``, with ``options`` as its query."""
    query = f"?{urlencode(options)}" if options else ""
    return f"{server.rstrip('/')}/{name}{query}"


@contextlib.contextmanager
def admin_connection(server: str):
    """An autocommit connection to the server's ``postgres`` database (to create and drop)."""
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as connection:
        yield connection


def database_exists(server: str, name: str) -> bool:
    with admin_connection(server) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return connection.execute(query, [name]).fetchone() is not None


def drop_database(server: str, name: str) -> None:
    """Drop a benchmark's database if it is there, disconnecting whoever uses it."""
    _refuse_unless_throwaway(name)
    with admin_connection(server) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def create_database(server: str, name: str) -> None:
    _refuse_unless_throwaway(name)
    with admin_connection(server) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(name)
            )
        )


def _refuse_unless_throwaway(name: str) -> None:
    if not re.fullmatch(rf"{DATABASE_PREFIX}[a-z0-9_]*", name):
        raise SystemExit(f"bench: refusing to drop or create {name!r}: not a benchmark database")


# --- Processes -----------------------------------------------------------------------------


def manage(env: dict, *arguments: str, echo: bool = False) -> str:
    """Run this project's manage.py with ``env``; its output, or exit with it on failure."""
    command = [sys.executable, str(ROOT / "manage.py"), *arguments]
    process = subprocess.Popen(  # noqa: S603 - our own manage.py
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if echo:
            print(f"    {line}", end="", flush=True)
    if process.wait() != 0:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{''.join(lines)}")
    return "".join(lines)


def stop_group(process, *, timeout: float = 60) -> None:
    """Stop a process started in its own session and everything it started: SIGTERM, then
    SIGKILL if it has not ended after ``timeout`` (orphans of its children too)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The machine, from /proc -----------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """The process and its descendants, the process first."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        path = Path(f"/proc/{current}/task/{current}/children")
        with contextlib.suppress(OSError):
            pending.extend(int(child) for child in path.read_text().split())
    return found


def cpu_ticks(pid: int) -> tuple[int, int]:
    """(user + system time of a process, that of its children it has waited for), in clock
    ticks (``CLOCK_TICKS`` a second); (0, 0) once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0, 0
    utime, stime, cutime, cstime = map(int, fields[11:15])
    return utime + stime, cutime + cstime


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def machine(load_average_before: list[float]) -> dict:
    """The machine a run measured, with its load average before and now (after)."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_before": load_average_before,
        "load_average_after": load_average(),
    }


# --- Results -------------------------------------------------------------------------------


def write_results(path: Path, results: dict) -> None:
    """The results as JSON (UTF-8, readable Chinese), the folder made if need be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
