"""The fault run: nothing owed is lost when workers and the broker die.

300 approvals with a real Celery worker (2 children, its beat embedded), a broker of its own
(a redis-server this script starts, kills and restarts empty) and a real SMTP server that
records every message it accepts. While the batch is in flight: five worker children killed
with SIGKILL, then the worker's main process (a supervisor starts it again), then the broker
killed and restarted empty. The run ends when every certificate is ready and every owed mail
sent, and reports what was lost or doubled and how long after the last fault the last
certificate and mail came.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/faults.py
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.certificates import (  # noqa: E402
    BENCH_DATABASE,
    bench_database_url,
    create_fixtures,
    enterprise_names,
    recreate_database,
)
from bench.harness import ROOT, free_port, postgres_server, write_results  # noqa: E402
from tests.smtp import SMTPServer  # noqa: E402

RESULTS = ROOT / "var" / "bench" / "faults.json"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    server = postgres_server(os.environ.get("DATABASE_URL", ""))
    if server is None:
        sys.exit("faults: set DATABASE_URL to a PostgreSQL server")
    name = BENCH_DATABASE + "_faults"
    workdir = Path(tempfile.mkdtemp(prefix="chengxin-faults-"))
    broker_port = free_port()
    queue = "faults"
    with SMTPServer() as smtp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": bench_database_url(server, name),
            "REDIS_URL": f"redis://127.0.0.1:{broker_port}/0",
            "EMAIL_URL": smtp.url,
            "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
            "CELERY_TASK_DEFAULT_QUEUE": queue,
        }
        os.environ.update(env)
        recreate_database(server, name)
        broker = start_broker(broker_port, workdir)
        try:
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            names = enterprise_names(args.count, seed=7, rare_share=0.01)
            reviewer, pledges = create_fixtures(names)
            report = run(pledges, reviewer, smtp.recorder, env, workdir, broker, broker_port)
        finally:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            stop(broker)
            recreate_database(server, name, drop_only=True)
            shutil.rmtree(workdir, ignore_errors=True)
    write_results(RESULTS, report)
    for key, value in report.items():
        print(f"{key}: {value}")
    return 0 if report["all_met"] else 1


def start_broker(port: int, workdir: Path):
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [REDIS_SERVER, "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(0.5)
    return process


def start_worker(env: dict, workdir: Path, name: str):
    log = workdir / f"{name}.log"
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            env["CELERY_TASK_DEFAULT_QUEUE"],
        ]
        + ["--concurrency=2", "--pool=prefork", "--loglevel=info", "--without-gossip"]
        + ["--without-mingle", "--without-heartbeat", f"--hostname={name}@%h"]
        + ["--beat", f"--schedule={workdir / (name + '-beat')}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    return process


def stop(process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def run(pledges, reviewer, recorder, env, workdir, broker, broker_port) -> dict:
    from pledges.models import Certificate, OutboxMessage
    from pledges.services.pledges import pledge_approve

    worker = start_worker(env, workdir, "worker-1")
    faults = []
    for pledge in pledges:
        pledge_approve(pledge=pledge, actor=reviewer)
    ready = lambda: Certificate.objects.filter(state="ready").count()  # noqa: E731
    while ready() < 20:
        time.sleep(0.1)
    for _ in range(5):  # worker children, mid-render
        kids = children(worker.pid)
        if kids:
            os.kill(kids[0], signal.SIGKILL)
            faults.append(("child", time.time()))
        time.sleep(1.5)
    stop(worker)  # the main process and its children
    faults.append(("main process", time.time()))
    worker = start_worker(env, workdir, "worker-2")
    time.sleep(3)
    stop(broker)  # the broker, and everything queued in it
    faults.append(("broker", time.time()))
    broker = start_broker(broker_port, workdir)
    last_fault = faults[-1][1]

    expected_messages = 2 * len(pledges)  # each owner: the decision, the certificate
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        done = ready() == len(pledges) and OutboxMessage.objects.filter(state="sent").count() == (
            expected_messages
        )
        if done:
            break
        time.sleep(0.5)
    stop(worker)
    stop(broker)

    certificates = list(Certificate.objects.values("pledge_id", "number", "rendered_at"))
    numbers = Counter(c["number"] for c in certificates)
    messages = list(OutboxMessage.objects.values("kind", "email", "state", "message_id", "sent_at"))
    delivered = Counter(recorder.message_ids())
    told = {(m["kind"], m["email"]) for m in messages if delivered[m["message_id"]]}
    owners = {p.created_by.email for p in pledges}
    never_told = sum(
        1 for email in owners for kind in ("decision", "certificate") if (kind, email) not in told
    )
    last_certificate = max(c["rendered_at"].timestamp() for c in certificates if c["rendered_at"])
    last_mail = max(m["sent_at"].timestamp() for m in messages if m["sent_at"])
    report = {
        "approvals": len(pledges),
        "faults": [(what, round(at - faults[0][1], 1)) for what, at in faults],
        "certificates_ready": sum(1 for c in certificates if c["rendered_at"]),
        "certificates_lost": len(pledges) - len(certificates),
        "certificate_numbers_doubled": sum(1 for n in numbers.values() if n > 1),
        "messages_owed": len(messages),
        "messages_sent": sum(1 for m in messages if m["state"] == "sent"),
        "mails_delivered": sum(delivered.values()),
        "mails_repeated": sum(n - 1 for n in delivered.values() if n > 1),
        "members_never_told": never_told,
        "last_certificate_after_last_fault_s": round(last_certificate - last_fault, 1),
        "last_mail_after_last_fault_s": round(last_mail - last_fault, 1),
    }
    report["all_met"] = (
        report["certificates_lost"] == 0
        and report["certificate_numbers_doubled"] == 0
        and report["members_never_told"] == 0
        and report["last_certificate_after_last_fault_s"] <= 60
        and report["last_mail_after_last_fault_s"] <= 60
    )
    return report


if __name__ == "__main__":
    sys.exit(main())
