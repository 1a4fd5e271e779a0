#!/usr/bin/env python
"""A campaign's invitations to 20,000 earlier signatories: how long owing them takes (one
paced outbox row per member), beside a bare bulk insert of as many rows, and the pace a real
worker and its beat then send them at, against the configured one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengxin_dev \\
    REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/campaign_mail.py --enterprises 20000 --per-minute 1200

A benchmark, not a test (see bench/README.md): a throwaway database
(``chengxin_bench_mail``), a private Redis queue, mail written to a temporary folder; all
removed at the end. Results: a table and var/bench/campaign_mail.json.
"""

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.certificates import delete_queue  # noqa: E402
from bench.harness import (  # noqa: E402
    RESULTS_DIR,
    ROOT,
    create_database,
    database_url,
    drop_database,
    load_average,
    machine,
    postgres_server,
    stop_group,
    write_results,
)

DATABASE = "chengxin_bench_mail"
RESULTS = RESULTS_DIR / "campaign_mail.json"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--per-minute", type=int, default=1200, help="CAMPAIGN_MAIL_PER_MINUTE")
    parser.add_argument("--send-seconds", type=int, default=60, help="how long to watch sending")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args()


def fixtures(count: int):
    """Last year's campaign with ``count`` listed signatories, each with one member (bulk
    inserts: these are fixtures), and this year's campaign, open."""
    from django.utils import timezone
    from stdnum.cn import uscc

    from bench.fixtures import owned_enterprises
    from pledges.models import Campaign, Listing, Pledge

    now = timezone.now()
    last = Campaign.objects.create(
        year=now.year - 1,
        title="去年",
        pledge_text="承诺",
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=300),
    )
    this = Campaign.objects.create(
        year=now.year,
        title=f"{now.year}年企业质量诚信倡议",
        pledge_text="承诺",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=60),
    )

    def code(i):
        body = f"91320500MA{i:07d}"[:17]
        return body + uscc.calc_check_digit(body)

    users, enterprises = owned_enterprises(
        [f"测试企业{i:05d}有限公司" for i in range(count)],
        [code(i) for i in range(count)],
        domain="bench.example",
        batch_size=2000,
    )
    pledges = Pledge.objects.bulk_create(
        [
            Pledge(
                enterprise=enterprise,
                campaign=last,
                state=Pledge.State.APPROVED,
                text_snapshot="承诺",
                text_sha256="0" * 64,
                created_by=user,
            )
            for user, enterprise in zip(users, enterprises, strict=True)
        ],
        batch_size=2000,
    )
    Listing.objects.bulk_create(
        [
            Listing(
                pledge=pledge,
                enterprise=pledge.enterprise,
                campaign=last,
                year=last.year,
                status=Listing.Status.LISTED,
                name=pledge.enterprise.name,
                credit_code=pledge.enterprise.credit_code,
                text_sha256="0" * 64,
                approved_at=now - timedelta(days=350),
                sequence=i + 1,
                changed_at=now,
            )
            for i, pledge in enumerate(pledges)
        ],
        batch_size=2000,
    )
    return this


@contextlib.contextmanager
def worker_with_beat(workdir: Path, env: dict):
    log = workdir / "worker.log"
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat"]
        + ["-Q", env["CELERY_TASK_DEFAULT_QUEUE"], "--concurrency=2", "--loglevel=warning"]
        + [f"--schedule={workdir / 'beat'}", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop_group(process)


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    server = postgres_server(os.environ.get("DATABASE_URL", ""))
    if server is None or not os.environ.get("REDIS_URL", "").startswith("redis"):
        raise SystemExit("bench: set DATABASE_URL (PostgreSQL) and REDIS_URL (Redis)")
    load_before = load_average()
    drop_database(server, DATABASE)
    create_database(server, DATABASE)
    workdir = Path(tempfile.mkdtemp(prefix="chengxin-bench-mail-"))
    queue = f"bench-mail-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(server, DATABASE),
        "EMAIL_URL": f"filemail:///{workdir / 'mail'}",
        "CAMPAIGN_MAIL_PER_MINUTE": str(args.per_minute),
        "CAMPAIGN_MAIL_TICK_SECONDS": "2",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    os.environ.update(env)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections, transaction

        from pledges.models import OutboxMessage
        from pledges.services.campaign_mail import campaign_invitations_owe

        call_command("migrate", verbosity=0)
        campaign = fixtures(args.enterprises)

        # Baseline: as many bare outbox rows, in one bulk insert, rolled back.
        started = time.perf_counter()
        with transaction.atomic():
            OutboxMessage.objects.bulk_create(
                [
                    OutboxMessage(
                        kind="invitation",
                        about="bench",
                        email=f"m{i}@bench.example",
                        language="zh-hans",
                        message_id=f"<bench.{i}@bench>",
                    )
                    for i in range(args.enterprises)
                ],
                batch_size=2000,
            )
            transaction.set_rollback(True)
        baseline_seconds = time.perf_counter() - started

        started = time.perf_counter()
        owed = campaign_invitations_owe(campaign=campaign)
        owe_seconds = time.perf_counter() - started

        with worker_with_beat(workdir, env):
            began = time.time()
            time.sleep(args.send_seconds)
        sent = list(
            OutboxMessage.objects.filter(
                kind=OutboxMessage.Kind.RENEWAL_INVITATION, state=OutboxMessage.State.SENT
            )
            .order_by("sent_at")
            .values_list("sent_at", flat=True)
        )
        connections.close_all()
    finally:
        drop_database(server, DATABASE)
        with contextlib.suppress(Exception):
            delete_queue(queue)
        shutil.rmtree(workdir, ignore_errors=True)
    # The pace once sending is under way: from the first message sent to the last.
    span = (sent[-1] - sent[0]).total_seconds() if len(sent) > 1 else 0.0
    measured = (len(sent) - 1) / span * 60 if span else 0.0
    results = {
        "enterprises": args.enterprises,
        "owed": owed,
        "owe_seconds": round(owe_seconds, 2),
        "baseline_bulk_insert_seconds": round(baseline_seconds, 2),
        "configured_per_minute": args.per_minute,
        "watched_seconds": args.send_seconds,
        "sent": len(sent),
        "measured_per_minute": round(measured, 1),
        "first_sent_after_worker_start_s": round(sent[0].timestamp() - began, 2) if sent else None,
        "target_owed_under_30_s": owe_seconds < 30,
        "machine": machine(load_before),
    }
    print()
    print(f"Campaign mail — {args.enterprises} earlier signatories, {os.cpu_count()} cores")
    print(f"  baseline: bulk insert of as many rows  {baseline_seconds:8.2f} s")
    print(f"  invitations owed (paced rows)          {owe_seconds:8.2f} s  ({owed} messages)")
    print(f"  sent in {args.send_seconds} s by a real worker       {len(sent):8d}")
    print(f"  pace: configured / measured            {args.per_minute} / {measured:.0f} a minute")
    print(f"  target: owed in under 30 s             {'met' if owe_seconds < 30 else 'NOT MET'}")
    write_results(args.output, results)
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
