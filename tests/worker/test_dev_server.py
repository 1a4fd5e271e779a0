"""`make run`'s bin/dev-server stops everything it started, however it is stopped, and the next
start finds no worker left on the broker.

The module has a SQLite file and a Celery queue of its own, each test a var folder of its own
(DEV_VAR_DIR: the worker's log, beat's schedule, the pidfile). The filesystem broker's folder comes
from the settings (var/celery/), so it is shared with a developer's own `make run`: the test's
worker consumes only its own queue (CELERY_WORKER_QUEUES, read by Celery's command line), and the
message its beat sends to the default queue at start (the certificate sweep, harmless anywhere) is
removed afterwards.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
# The broker folder of config/settings/base.py (VAR_DIR/celery/queue).
BROKER_QUEUE = ROOT / "var" / "celery" / "queue"
# Every process started here inherits this variable, setsid or not: "<module token>-<run>".
MARK = "DEV_SERVER_TEST_RUN"
TOKEN = uuid.uuid4().hex[:12]
STOP_SECONDS = 10
# Ctrl-C's SIGINT acts in a terminal; a suite started in the background (`cmd &` in a script)
# hands its children SIGINT ignored, which no shell can trap. Start as a terminal would.
AS_IN_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


@dataclass
class Proc:
    pid: int
    pgid: int
    session: int
    cmdline: str
    environ: dict


@dataclass
class DevServer:
    process: subprocess.Popen
    run: str
    port: int
    var: Path
    output: Path
    pids: set = field(default_factory=set)  # every pid seen, for the broker clean-up

    def processes(self) -> list[Proc]:
        """Live processes of this run: in its session, or carrying its mark."""
        return [
            proc
            for proc in live_processes()
            if proc.session == self.process.pid or proc.environ.get(MARK) == self.run
        ]

    def log(self) -> str:
        path = self.var / "worker.log"
        return path.read_text(errors="replace") if path.exists() else ""


def live_processes() -> list[Proc]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours
            stat = (entry / "stat").read_text()
            state, _ppid, pgid, session = stat[stat.rindex(")") + 2 :].split()[:4]
            if state in "ZX":  # a zombie runs nothing; its parent reaps it
                continue
            raw = (entry / "environ").read_bytes()
            environ = dict(
                item.split("=", 1)
                for item in raw.decode(errors="replace").split("\0")
                if "=" in item
            )
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            found.append(Proc(int(entry.name), int(pgid), int(session), cmdline, environ))
    return found


def is_worker(proc: Proc) -> bool:
    return "celery -A config worker" in proc.cmdline


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(condition, *, timeout: float, what) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what()}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The environment of `make run` on a fresh machine, with a migrated SQLite file."""
    folder = tmp_path_factory.mktemp("dev-server")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "EMAIL_URL": f"filemail:///{folder / 'mail'}",
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "SIGNING_KEYS_DIR": settings.SIGNING_KEYS_DIR,
        "HOST": "127.0.0.1",
        "CELERY_WORKER_QUEUES": f"dev-server-test-{TOKEN}",
        "CELERY_WORKER_HOSTNAME": f"dev-server-test-{TOKEN}@%h",
    }
    for name in ("REDIS_URL", "SITE_URL", "PORT", "DEV_VAR_DIR"):
        env.pop(name, None)  # the filesystem broker; SITE_URL left to dev-server
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return env


@pytest.fixture
def dev_server(site, tmp_path):
    """start(name, **env) starts bin/dev-server in a session of its own; all are gone after."""
    started = []

    def start(name: str, **extra) -> DevServer:
        run = f"{TOKEN}-{name}"
        var = tmp_path / "var"  # one per test: a later start sees an earlier one's pidfile
        (var / "worker.log").unlink(missing_ok=True)
        port = free_port()
        output = tmp_path / f"{name}.out"
        with output.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", AS_IN_A_TERMINAL, str(ROOT / "bin" / "dev-server")],
                cwd=ROOT,
                env={**site, "PORT": str(port), "DEV_VAR_DIR": str(var), MARK: run, **extra},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own session and process group, as in a terminal
            )
        server = DevServer(process, run, port, var, output)
        started.append(server)

        def ready():
            assert server.process.poll() is None, f"dev-server ended:\n{output.read_text()}"
            return healthy(port) and "ready." in server.log()

        wait_for(ready, timeout=90, what=lambda: f"dev-server to start:\n{output.read_text()}")
        # The worker consumes this test's queue only, never a developer's tasks.
        assert f".> dev-server-test-{TOKEN} " in server.log()
        server.pids.update(proc.pid for proc in server.processes())
        return server

    yield start
    for server in started:  # whatever an assertion left behind
        for proc in server.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.process.wait(timeout=5)
        remove_sweeps_sent_by(server.pids)


def remove_sweeps_sent_by(pids: set) -> None:
    """Beat sends its sweep to the default queue, which the test's worker does not consume."""
    origins = {f"gen{pid}" for pid in pids}  # celery's "gen<pid>@<host>"
    for message in BROKER_QUEUE.glob("*.celery.msg"):
        with contextlib.suppress(OSError, ValueError, KeyError):
            origin = json.loads(message.read_text())["headers"]["origin"]
            if origin.partition("@")[0] in origins:
                message.unlink()


def stop(server: DevServer, send) -> float:
    """Sends the signal (send()), then waits until no process of the run is left."""
    server.pids.update(proc.pid for proc in server.processes())
    send()
    seconds = wait_for(
        lambda: not server.processes(),
        timeout=STOP_SECONDS,
        what=lambda: (
            "every process to end; left:\n"
            + "\n".join(f"{p.pid} (group {p.pgid}) {p.cmdline}" for p in server.processes())
        ),
    )
    server.process.wait(timeout=5)
    print(f"{server.run}: every process gone {seconds:.1f} s after the signal")
    return seconds


def test_ctrl_c_and_sigterm_to_the_group_stop_everything(dev_server):
    first = dev_server("first")
    assert len([proc for proc in first.processes() if is_worker(proc)]) >= 3  # beat, pool
    # Links in mails and QR codes follow the port served when SITE_URL is not set.
    site_url = f"http://127.0.0.1:{first.port}"
    assert {
        proc.environ.get("SITE_URL")
        for proc in first.processes()
        if "runserver" in proc.cmdline or is_worker(proc)
    } == {site_url}
    # Ctrl-C in a terminal: SIGINT to the whole foreground process group.
    stop(first, lambda: os.killpg(first.process.pid, signal.SIGINT))

    second = dev_server("second")
    assert "left by an earlier run" not in second.output.read_text()
    workers = [
        proc
        for proc in live_processes()
        if is_worker(proc) and proc.environ.get(MARK, "").startswith(TOKEN)
    ]
    assert {proc.environ[MARK] for proc in workers} == {second.run}
    assert len({proc.pgid for proc in workers}) == 1  # one worker, with its beat and pool
    stop(second, lambda: os.killpg(second.process.pid, signal.SIGTERM))
    assert not (second.var / "dev-server.pid").exists()


def test_a_worker_left_by_a_killed_run_is_stopped_by_the_next_start(dev_server):
    killed = dev_server("killed")
    killed.process.kill()  # SIGKILL to the script alone: no clean-up at all
    killed.process.wait(timeout=5)
    time.sleep(1)
    leftovers = killed.processes()
    assert any(is_worker(proc) for proc in leftovers)
    for proc in leftovers:  # a stale web server is loud (its port is taken): not the point here
        if not is_worker(proc):
            os.kill(proc.pid, signal.SIGKILL)

    after = dev_server("after", SITE_URL="https://pledge.example.org")
    assert "Stopping the Celery worker left by an earlier run" in after.output.read_text()
    assert not killed.processes()
    # A SITE_URL that is set is kept.
    assert {
        proc.environ.get("SITE_URL")
        for proc in after.processes()
        if "runserver" in proc.cmdline or is_worker(proc)
    } == {"https://pledge.example.org"}
    # SIGTERM to the script alone (a process manager, an IDE's stop button) stops it all too.
    stop(after, lambda: os.kill(after.process.pid, signal.SIGTERM))
