"""A real Celery worker in its own process, against the test database and the real broker.

The worker listens on a queue of its own, so a development worker on the same broker cannot
take the test's messages.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(
    tmp_path: Path,
    *,
    concurrency: int = 1,
    queue: str | None = None,
    env: dict | None = None,
    name: str = "worker",
    beat: bool = False,
):
    """Start a worker, route this process's tasks to it, and stop it afterwards.

    Files the worker stores land in ``tmp_path / "private"``; its mail in ``tmp_path / "mail"``.
    """
    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / f"{name}.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        # The test run's signing keys (tests/conftest.py made them).
        "SIGNING_KEYS_DIR": settings.SIGNING_KEYS_DIR,
        # What the worker (and its beat) queues goes to the test's queue too.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **(env or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={name}-{queue}@%h",
            *(["--beat", f"--schedule={tmp_path / f'{name}-beat'}"] if beat else []),
        ],
        cwd=ROOT,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so no child outlives the test
    )
    process.queue = queue
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        wait_for(
            lambda: "ready." in log.read_text(),
            timeout=60,
            what=lambda: "the worker to start:\n" + log.read_text(),
        )
        yield process
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
        stop_group(process)


def stop_group(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # orphans of a killed main process


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def wait_for(condition, *, timeout: float, what) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
