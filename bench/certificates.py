#!/usr/bin/env python
"""Certificate throughput: bare WeasyPrint (the naive design) against the real path.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengxin_dev \\
    REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/certificates.py --count 2000

A benchmark, not a test: see bench/README.md for what it measures and how to read it. It
works in a throwaway database (``chengxin_bench`` on the server DATABASE_URL names; that
database itself is never touched), a private Redis queue and a temporary folder, and removes
all three when it ends. Results: a table on stdout and var/bench/certificates.json.
"""

import argparse
import contextlib
import io
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, for its apps
from bench.harness import (  # noqa: E402
    CLOCK_TICKS,
    RESULTS_DIR,
    ROOT,
    cpu_ticks,
    create_database,
    database_url,
    drop_database,
    load_average,
    postgres_server,
    process_tree,
    stop_group,
    write_results,
)

BENCH_DATABASE = "chengxin_bench"
RESULTS = RESULTS_DIR / "certificates.json"
RARE_CHARACTERS = "堃㑇喆昇珺祎犇𠀾"  # outside GB 2312: printed from the fallback font

# Enterprise names: a city, two or three characters of a trade name, an industry and a form.
CITIES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "苏州",
    "无锡",
    "杭州",
    "宁波",
    "温州",
    "南京",
    "合肥",
    "福州",
    "厦门",
    "济南",
    "青岛",
    "郑州",
    "武汉",
    "长沙",
    "广州",
    "深圳",
    "佛山",
    "东莞",
    "成都",
    "西安",
    "沈阳",
    "大连",
    "长春",
    "昆明",
    "南宁",
    "太原",
]
INDUSTRIES = [
    "精密机械",
    "电子科技",
    "食品",
    "新材料",
    "汽车零部件",
    "医疗器械",
    "纺织",
    "建材",
    "化工",
    "光电",
    "环保科技",
    "智能装备",
    "家居",
    "包装",
    "电气",
    "生物科技",
]
FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
NAME_CHARACTERS = (
    "华质诚信恒泰鑫盛达隆兴宏远丰瑞祥安康博源昌润德正宇" + "中天海星明辉金宝利通永新卓越创凯乐嘉"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="certificates on the real path")
    parser.add_argument(
        "--baseline-count",
        type=int,
        default=None,
        help="renders per loop for the baselines (default: min(count, 200))",
    )
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 2, help="worker processes"
    )
    parser.add_argument(
        "--rare-share",
        type=float,
        default=0.01,
        help="share of names with a character outside GB 2312 (default 1%%)",
    )
    parser.add_argument("--database", default=BENCH_DATABASE, help="throwaway database name")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--seed", type=int, default=2025)
    # Internal: one render loop in a child process (the baselines).
    parser.add_argument("--loop", choices=["naive", "renderer", "signed"], help=argparse.SUPPRESS)
    parser.add_argument("--loop-offset", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


# --- Data --------------------------------------------------------------------------------


def credit_code(serial: int) -> str:
    from stdnum.cn import uscc

    body = f"913205{serial:06d}MA{serial % 1000:03d}"
    return body + uscc.calc_check_digit(body)


def enterprise_names(count: int, *, seed: int, rare_share: float) -> list[str]:
    generator = random.Random(seed)
    names = []
    for i in range(count):
        trade = "".join(generator.sample(NAME_CHARACTERS, generator.choice((2, 3))))
        if generator.random() < rare_share:
            trade = trade[:-1] + generator.choice(RARE_CHARACTERS)
        name = generator.choice(CITIES) + trade + generator.choice(INDUSTRIES)
        names.append(name + FORMS[i % len(FORMS)])
    return names


def certificate_data(i: int, name: str):
    from django.utils import timezone

    from pledges.certificates.rendering import CertificateData

    return CertificateData(
        number=f"CQ-2025-{i + 1:06d}",
        enterprise_name=name,
        credit_code=credit_code(i + 1),
        campaign_title="2025年全国“质量月”企业质量诚信倡议",
        campaign_year=2025,
        issued_at=timezone.now(),
        status_index=i + 1,
    )


# --- Baselines: render loops in child processes -------------------------------------------


def naive_html(data) -> str:
    """The certificate as the naive design had it: the system font, no @font-face."""
    from pledges.certificates import fonts
    from pledges.certificates.rendering import render_html

    html, faces = re.subn(r"@font-face\s*\{[^}]*\}\s*", "", render_html(data))
    html, families = re.subn(
        rf'font-family:\s*"{fonts.FAMILY}",\s*"{fonts.SOURCE_FAMILY}"',
        f'font-family: "{fonts.SOURCE_FAMILY}"',
        html,
    )
    if (faces, families) != (1, 1):
        raise SystemExit("bench: the certificate template changed; update naive_html()")
    return html


def run_loop(kind: str, count: int, offset: int, seed: int, rare_share: float) -> None:
    """Child process: warm up, say "ready", wait for "go", render, report JSON."""
    import django

    django.setup()
    from weasyprint import HTML

    from pledges.certificates.rendering import render_pdf
    from pledges.services.certificates import signed_certificate

    names = enterprise_names(offset + count, seed=seed, rare_share=rare_share)[offset:]
    if kind == "naive":

        def render(data):
            # A fresh FontConfiguration per render, the system font: HTML().write_pdf().
            return HTML(string=naive_html(data)).write_pdf()

    elif kind == "signed":

        def render(data):
            # What the worker makes of one certificate, without the database: the credential,
            # the QR payload, the PDF carrying both, and its PAdES signature.
            return signed_certificate(data)[0]

    else:
        render = render_pdf
    render(certificate_data(offset, names[0]))  # imports and caches, as any process has
    print("ready", flush=True)
    sys.stdin.readline()
    sizes = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for i, name in enumerate(names):
        sizes.append(len(render(certificate_data(offset + i, name))))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"count": count, "elapsed": elapsed, "cpu": cpu, "sizes": sizes}), flush=True)


def loop_throughput(kind: str, count: int, processes: int, args, env: dict) -> dict:
    """Start ``processes`` render loops at once; certificates/s over the wall clock."""
    children = [
        subprocess.Popen(  # noqa: S603 - this very script, fixed arguments
            [sys.executable, __file__, "--loop", kind, "--loop-offset", str(p * count)]
            + ["--baseline-count", str(count), "--seed", str(args.seed)]
            + ["--rare-share", str(args.rare_share)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    for child in children:
        if child.stdout.readline().strip() != "ready":
            raise SystemExit(f"bench: the {kind} loop did not start")
    started = time.perf_counter()
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [json.loads(child.stdout.readline()) for child in children]
    elapsed = time.perf_counter() - started
    for child in children:
        child.wait()
    sizes = [size for result in results for size in result["sizes"]]
    return {
        "processes": processes,
        "certificates": len(sizes),
        "seconds": round(elapsed, 2),
        "per_second": round(len(sizes) / elapsed, 2),
        "ms_per_certificate_per_process": round(1000 * elapsed * processes / len(sizes), 1),
        # CPU time, which other work on the machine disturbs less than the wall clock.
        "cpu_ms_per_certificate": round(1000 * sum(r["cpu"] for r in results) / len(sizes), 1),
        "median_bytes": int(statistics.median(sizes)),
        "max_bytes": max(sizes),
    }


# --- The throwaway database -------------------------------------------------------------


def server_url() -> str:
    """The PostgreSQL server DATABASE_URL names (the benchmark never uses its database)."""
    server = postgres_server(os.environ.get("DATABASE_URL", ""))
    if server is None:
        raise SystemExit("bench: set DATABASE_URL to a PostgreSQL server (postgres://…)")
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        raise SystemExit("bench: set REDIS_URL to a Redis server (redis://…)")
    return server


def bench_database_url(server: str, name: str) -> str:
    # Options in DATABASE_URL's query (sslmode, conn_max_age …) apply to the bench database.
    options = parse_qsl(urlsplit(os.environ["DATABASE_URL"]).query, keep_blank_values=True)
    return database_url(server, name, **dict(options))


def recreate_database(server: str, name: str, *, drop_only: bool = False) -> None:
    drop_database(server, name)  # refuses any name but chengxin_bench…
    if not drop_only:
        create_database(server, name)


# --- Fixtures: enterprises with submitted pledges, in bulk --------------------------------


def create_fixtures(names: list[str]):
    """The campaign, a reviewer and one submitted pledge per name (bulk ORM inserts: these
    are fixtures; the approvals below go through the real service)."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import User
    from bench.fixtures import owned_enterprises
    from pledges.models import Campaign, Pledge
    from pledges.services.pledges import text_sha256

    now = timezone.now()
    text = "我们郑重承诺：坚持质量第一，诚信经营，守住质量安全底线。"
    campaign = Campaign.objects.create(
        year=2025,
        title="2025年全国“质量月”企业质量诚信倡议",
        pledge_text=text,
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=30),
    )
    reviewer = User(email="reviewer@bench.chengxin.localhost", full_name="审核员")
    reviewer.set_unusable_password()
    reviewer.save()
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    owners, enterprises = owned_enterprises(
        names, [credit_code(i + 1) for i in range(len(names))], domain="bench.chengxin.localhost"
    )
    Pledge.objects.bulk_create(
        [
            Pledge(
                enterprise=enterprise,
                campaign=campaign,
                state=Pledge.State.SUBMITTED,
                text_snapshot=text,
                text_sha256=text_sha256(text),
                signer_name="王芳",
                signer_title="法定代表人",
                signer_authorised=True,
                stamped_page="bench/stamped.png",
                stamped_page_type="image/png",
                created_by=owner,
                submitted_at=now,
            )
            for owner, enterprise in zip(owners, enterprises, strict=True)
        ],
        batch_size=500,
    )
    pledges = list(
        Pledge.objects.filter(campaign=campaign)
        .select_related("enterprise", "campaign")
        .order_by("pk")
    )
    return reviewer, pledges


# --- The worker and its memory -----------------------------------------------------------


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; (0, 0) if it is gone."""
    rss = pss = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


class MemorySampler(threading.Thread):
    """Every 0.5 s: the summed RSS (and PSS) of the worker's main process and children."""

    def __init__(self, pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples = []  # (time.time(), rss kB, pss kB, number of processes)
        self.children_seen = set()
        self.stopped = threading.Event()

    def sample(self):
        pids = process_tree(self.pid)
        self.children_seen.update(pids[1:])
        rss, pss = map(sum, zip(*(memory_kb(pid) for pid in pids), strict=True))
        self.samples.append((time.time(), rss, pss, len(pids)))
        return rss

    def run(self):
        while not self.stopped.wait(self.interval):
            self.sample()

    def stop(self):
        self.stopped.set()
        self.join()

    def between(self, start: float, end: float):
        return [sample for sample in self.samples if start <= sample[0] <= end]


@contextlib.contextmanager
def celery_worker(workdir: Path, env: dict, queue: str, concurrency: int, name: str):
    log = workdir / f"{name}.log"
    spawned = time.time()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "celery", "-A", "bench.celery_app", "worker", "-Q", queue]
        + [f"--concurrency={concurrency}", "--pool=prefork", "--loglevel=info"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        + [f"--hostname={name}-{queue}@%h"],
        cwd=ROOT,
        env={**env, "CHENGXIN_BENCH_QUEUE": queue},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.spawned, process.log = spawned, log
    try:
        deadline = time.monotonic() + 120
        while "ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: the worker did not start:\n{log.read_text()}")
            time.sleep(0.05)
        process.ready = time.time()
        yield process
    finally:
        stop_group(process)


def tree_cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time of a process and its children (those already gone included), and of the
    process alone."""
    own, reaped = cpu_ticks(pid)
    children = sum(cpu_ticks(child)[0] for child in process_tree(pid)[1:])
    return (own + reaped + children) / CLOCK_TICKS, own / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all processes, all cores), from /proc/stat."""
    values = list(map(int, Path("/proc/stat").read_text().splitlines()[0].split()[1:]))
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: timed out waiting for {what}")
        time.sleep(interval)


# --- The real path ------------------------------------------------------------------------


def approve_all(pledges, reviewer) -> tuple[float, float]:
    from pledges.services.pledges import pledge_approve

    started = time.time()
    for pledge in pledges:
        # Each approval commits; the certificate task is queued after the commit.
        pledge_approve(pledge=pledge, actor=reviewer)
    return started, time.time()


def certificates_of(pledges):
    from pledges.models import Certificate

    # The pledges were created in one go: their ids form a range.
    return Certificate.objects.filter(pledge__pk__range=(pledges[0].pk, pledges[-1].pk))


def certificates_state(pledges):
    from django.db.models import Count, Max, Min, Q

    from pledges.models import Certificate, OutboxMessage

    state = certificates_of(pledges).aggregate(
        ready=Count("pk", filter=Q(state=Certificate.State.READY)),
        failed=Count("pk", filter=Q(state=Certificate.State.FAILED)),
        first_ready=Min("rendered_at"),
        last_ready=Max("rendered_at"),
    )
    mailed = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.CERTIFICATE,
        state=OutboxMessage.State.SENT,
        enterprise__pledges__in=[pledge.pk for pledge in pledges],
    ).aggregate(emailed=Count("pk", distinct=True), last_emailed=Max("sent_at"))
    return state | mailed


def decision_events(pledges) -> list[int]:
    from pledges.models import AuditEvent

    return list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.PLEDGE_APPROVED, pledge__in=[p.pk for p in pledges]
        ).values_list("pk", flat=True)
    )


def wait_for_certificates(pledges, *, timeout: float, emailed: bool = False) -> dict:
    from pledges.models import Certificate, OutboxMessage

    def done():
        state = certificates_state(pledges)
        if state["failed"]:
            error = certificates_of(pledges).filter(state=Certificate.State.FAILED)[0].error
            raise SystemExit(f"bench: {state['failed']} certificates failed: {error}")
        if emailed:
            # Both e-mails of each approval: the decision and the certificate.
            notices = OutboxMessage.objects.filter(
                kind=OutboxMessage.Kind.DECISION,
                state=OutboxMessage.State.SENT,
                about__in=[f"event:{pk}" for pk in decision_events(pledges)],
            ).count()
            return state["emailed"] == notices == len(pledges)
        return state["ready"] == len(pledges)

    wait_until(done, timeout=timeout, what="certificates" + (" e-mailed" if emailed else ""))
    return certificates_state(pledges)


def check_sample(pledges, storage_root: Path, names: dict, rng: random.Random) -> dict:
    """Read back some of the stored PDFs as a person would: text, and the QR code."""
    from pypdf import PdfReader

    from pledges.certificates.credentials import read_qr_payload
    from pledges.certificates.rendering import verify_url
    from pledges.certificates.verification import FAILED, report_for_pdf
    from pledges.models import Certificate

    try:
        from tests.pdf import pdf_qr_codes
    except ImportError:  # the dev extras (pypdfium2, zxing-cpp) are not installed
        pdf_qr_codes = None
    rare = [p.pk for p in pledges if any(char in names[p.pk] for char in RARE_CHARACTERS)]
    chosen = set(rng.sample([p.pk for p in pledges], min(20, len(pledges)))) | set(rare[:5])
    checked = qr_checked = 0
    for certificate in Certificate.objects.filter(pledge_id__in=chosen):
        data = (storage_root / certificate.file.name).read_bytes()
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        text = text.replace(" ", "").replace("\n", "")
        if names[certificate.pledge_id] not in text or certificate.number not in text:
            raise SystemExit(f"bench: {certificate.number} does not read back")
        if pdf_qr_codes is not None:
            [scanned] = pdf_qr_codes(data) or [""]
            url, _, payload = scanned.partition("#")
            if url != verify_url(certificate.number) or not payload:
                raise SystemExit(f"bench: the QR code of {certificate.number} does not scan")
            if read_qr_payload(payload).number != certificate.number:
                raise SystemExit(f"bench: the QR payload of {certificate.number} is wrong")
            qr_checked += 1
        # Its signature and signed payload, offline (the record's status is not asked).
        failed = [c.name for c in report_for_pdf(data, None).checks if c.outcome == FAILED]
        if failed:
            raise SystemExit(f"bench: {certificate.number} fails {failed}")
        checked += 1
    return {"read_back": checked, "qr_scanned": qr_checked, "with_rare_characters": len(rare)}


def first_certificate_latency(pledge, reviewer, workdir, env, args) -> dict:
    """A fresh worker, one approval: how long until the certificate is ready."""
    from config.celery import app
    from pledges.services.pledges import pledge_approve

    queue = f"bench-{uuid.uuid4().hex[:10]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        with celery_worker(workdir, env, queue, args.concurrency, "first") as worker:
            approved = time.time()
            pledge_approve(pledge=pledge, actor=reviewer)
            state = wait_for_certificates([pledge], timeout=120)
            ready = state["last_ready"].timestamp()
            return {
                "worker_start_s": round(worker.ready - worker.spawned, 2),
                "approval_to_ready_s": round(ready - approved, 3),
                "worker_spawn_to_ready_s": round(ready - worker.spawned, 2),
            }
    finally:
        delete_queue(queue)


def delete_queue(queue: str) -> None:
    """Remove the private queue, what is left in it (e-mails queued after the last certificate
    of the first-certificate run) and its bindings."""
    from kombu import Exchange, Queue

    from config.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        # kombu deletes only the bindings this channel knows of: declare them first, as
        # Celery did (a direct exchange named like the queue).
        Queue(queue, Exchange(queue, type="direct"), routing_key=queue)(channel).declare()
        channel.queue_delete(queue)


def real_path(pledges, reviewer, names, workdir, env, args) -> dict:
    from config.celery import app

    queue = f"bench-{uuid.uuid4().hex[:10]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        with celery_worker(workdir, env, queue, args.concurrency, "worker") as worker:
            sampler = MemorySampler(worker.pid)
            time.sleep(1.0)  # let the pool settle before the reference sample
            start_rss = sampler.sample()
            sampler.start()
            cpu_start = (tree_cpu_seconds(worker.pid), machine_busy_seconds())
            approvals_cpu = time.process_time()
            first_approval, last_approval = approve_all(pledges, reviewer)
            approvals_cpu = time.process_time() - approvals_cpu
            state = wait_for_certificates(pledges, timeout=max(300, len(pledges) * 0.5))
            all_ready = time.time()
            mailed = wait_for_certificates(pledges, timeout=300, emailed=True)
            drained = time.time()
            worker_cpu, worker_main_cpu = (
                end - start
                for end, start in zip(tree_cpu_seconds(worker.pid), cpu_start[0], strict=True)
            )
            machine_busy = machine_busy_seconds() - cpu_start[1]
            sampler.stop()
            log = worker.log.read_text()
    finally:
        delete_queue(queue)
    first_ready, last_ready = state["first_ready"].timestamp(), state["last_ready"].timestamp()
    seconds = last_ready - first_approval
    during = sampler.between(first_approval, all_ready)
    tenth = max(1, len(during) // 10)
    # At the end: the median of the last 5 s (one sample may fall while a child is replaced).
    end_rss = statistics.median(s[1] for s in sampler.between(all_ready - 5, all_ready) or during)
    mb = 1024
    storage_root = workdir / "private"
    stored = list(certificates_of(pledges).values_list("file", "size"))
    db_sizes = [size for _name, size in stored]
    return {
        "certificates": len(pledges),
        "files_stored": sum((storage_root / name).is_file() for name, _size in stored),
        "seconds": round(seconds, 2),
        "per_second": round(len(pledges) / seconds, 2),
        "approvals_seconds": round(last_approval - first_approval, 2),
        "first_ready_after_first_approval_s": round(first_ready - first_approval, 3),
        "all_mail_sent_after_first_approval_s": round(
            mailed["last_emailed"].timestamp() - first_approval, 2
        ),
        "queue_drained_s": round(drained - first_approval, 2),
        "median_bytes": int(statistics.median(db_sizes)),
        "p95_bytes": int(statistics.quantiles(db_sizes, n=20)[-1]) if len(db_sizes) > 1 else 0,
        "max_bytes": max(db_sizes),
        "memory": {
            "rss_start_mb": round(start_rss / mb, 1),
            "rss_peak_mb": round(max(s[1] for s in during) / mb, 1) if during else None,
            "rss_end_mb": round(end_rss / mb, 1),
            "rss_first_tenth_mean_mb": round(statistics.mean(s[1] for s in during[:tenth]) / mb, 1),
            "rss_last_tenth_mean_mb": round(statistics.mean(s[1] for s in during[-tenth:]) / mb, 1),
            "pss_peak_mb": round(max(s[2] for s in during) / mb, 1) if during else None,
            "samples": len(during),
            "child_processes_seen": len(sampler.children_seen),
        },
        "cpu": {
            # From the first approval until every e-mail was sent: all the work for N
            # certificates (each: the certificate task with its e-mail, and the decision e-mail).
            "worker_ms_per_certificate": round(1000 * worker_cpu / len(pledges), 1),
            # Of which the worker's main process (the broker, dispatching to the children).
            "worker_main_ms_per_certificate": round(1000 * worker_main_cpu / len(pledges), 1),
            "approval_ms_per_certificate": round(1000 * approvals_cpu / len(pledges), 1),
            # Everything else busy meanwhile: PostgreSQL, Redis and any other work here.
            "rest_of_machine_ms_per_certificate": round(
                1000 * (machine_busy - worker_cpu - approvals_cpu) / len(pledges), 1
            ),
            "machine_busy_cores": round(machine_busy / (drained - first_approval), 2),
        },
        "tasks_succeeded": log.count(" succeeded in "),
        "check": check_sample(pledges, storage_root, names, random.Random(args.seed)),
    }


# --- Report --------------------------------------------------------------------------------


def print_table(results: dict) -> None:
    baseline, baseline_parallel = results["baseline"], results["baseline_parallel"]
    renderer, renderer_parallel = results["renderer"], results["renderer_parallel"]
    real, first = results["real"], results["first_certificate"]
    memory = real["memory"]
    kb = 1024

    def row(label, value, note=""):
        print(f"  {label:<44} {value:>14}  {note}")

    print()
    print(f"Certificates — {results['count']} on the real path, {results['cpus']} cores")
    print("  " + "-" * 86)
    row(
        "baseline: naive WeasyPrint, 1 process",
        f"{baseline['per_second']:.2f}/s",
        f"median {baseline['median_bytes'] / kb:.0f} KB "
        f"({baseline['certificates']} renders, {baseline['ms_per_certificate_per_process']} ms)",
    )
    row(
        f"baseline: naive WeasyPrint, {baseline_parallel['processes']} processes",
        f"{baseline_parallel['per_second']:.2f}/s",
        f"({baseline_parallel['ms_per_certificate_per_process']} ms per render per process)",
    )
    row(
        "render_pdf alone, 1 process",
        f"{renderer['per_second']:.2f}/s",
        f"median {renderer['median_bytes'] / kb:.0f} KB "
        f"({renderer['ms_per_certificate_per_process']} ms)",
    )
    row(
        f"render_pdf alone, {renderer_parallel['processes']} processes",
        f"{renderer_parallel['per_second']:.2f}/s",
    )
    signed, signed_parallel = results["signed"], results["signed_parallel"]
    row(
        "render + credential + PAdES signature, 1 process",
        f"{signed['per_second']:.2f}/s",
        f"median {signed['median_bytes'] / kb:.0f} KB "
        f"({signed['ms_per_certificate_per_process']} ms)",
    )
    row(
        f"render + credential + signature, {signed_parallel['processes']} processes",
        f"{signed_parallel['per_second']:.2f}/s",
    )
    row(
        f"REAL PATH (approval → Celery ×{results['concurrency']} → stored)",
        f"{real['per_second']:.2f}/s",
        f"{real['certificates']} in {real['seconds']:.1f} s",
    )
    print("  " + "-" * 86)
    row("ratio real / baseline (1 process)", f"{results['ratio_real_to_baseline']:.2f}×")
    row(
        f"ratio real / baseline ({baseline_parallel['processes']} processes)",
        f"{results['ratio_real_to_baseline_parallel']:.2f}×",
    )
    row(
        f"ratio real / render_pdf alone ({renderer_parallel['processes']} processes)",
        f"{results['ratio_real_to_renderer_parallel']:.2f}×",
        "(what signing, queueing, the database and storage leave)",
    )
    row(
        f"ratio real / render + sign alone ({signed_parallel['processes']} processes)",
        f"{results['ratio_real_to_signed_parallel']:.2f}×",
        "(what queueing, the database and storage leave)",
    )
    row(
        "PDF size, real path",
        f"{real['median_bytes'] / kb:.1f} KB",
        f"median; p95 {real['p95_bytes'] / kb:.0f} KB, max {real['max_bytes'] / kb:.0f} KB",
    )
    row(
        "worker memory (RSS, main + children)",
        f"{memory['rss_peak_mb']:.0f} MB",
        f"peak; start {memory['rss_start_mb']:.0f} MB, end {memory['rss_end_mb']:.0f} MB, "
        f"first/last tenth {memory['rss_first_tenth_mean_mb']:.0f}/"
        f"{memory['rss_last_tenth_mean_mb']:.0f} MB",
    )
    row(
        "first certificate, fresh idle worker",
        f"{first['approval_to_ready_s']:.2f} s",
        f"after approval; worker start {first['worker_start_s']:.1f} s",
    )
    row(
        "first certificate in the bulk run",
        f"{real['first_ready_after_first_approval_s']:.2f} s",
        "after the first approval",
    )
    row("approvals (the reviewer's side)", f"{real['approvals_seconds']:.1f} s")
    cpu = real["cpu"]
    row(
        "CPU per certificate: baseline / render_pdf",
        f"{baseline['cpu_ms_per_certificate']:.0f} / {renderer['cpu_ms_per_certificate']:.0f} ms",
        "(in the loops above)",
    )
    row(
        "CPU per certificate: signing",
        f"{results['signing_cpu_ms_per_certificate']:.0f} ms",
        "credential, QR payload and PAdES signature (signed loop − render_pdf loop)",
    )
    row(
        "CPU per certificate, real path",
        f"{cpu['worker_ms_per_certificate'] + cpu['approval_ms_per_certificate']:.0f} ms",
        f"worker {cpu['worker_ms_per_certificate']:.0f} ms (certificate + 2 e-mails; "
        f"{cpu['worker_main_ms_per_certificate']:.0f} in its main process), "
        f"approval {cpu['approval_ms_per_certificate']:.0f} ms",
    )
    row(
        "rest of the machine meanwhile",
        f"{cpu['rest_of_machine_ms_per_certificate']:.0f} ms",
        f"per certificate (PostgreSQL, Redis, other work); "
        f"machine busy {cpu['machine_busy_cores']:.2f} of {results['cpus']} cores",
    )
    row("all certificate e-mails sent", f"{real['all_mail_sent_after_first_approval_s']:.1f} s")
    print("  " + "-" * 86)
    targets = results["targets"]
    for name, target in targets.items():
        verdict = "met" if target["met"] else "NOT MET"
        print(f"  target {name:<37} {verdict:>14}  {target['detail']}")
    print()


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"  # no query log, as in production
    if args.loop:
        run_loop(args.loop, args.baseline_count, args.loop_offset, args.seed, args.rare_share)
        return
    baseline_count = args.baseline_count or min(args.count, 200)
    server = server_url()
    if args.database == urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/"):
        raise SystemExit(f"bench: refusing to (re)create {args.database!r}: DATABASE_URL names it")

    from pledges.certificates import fonts

    fonts.ensure_font(log=print)
    workdir = Path(tempfile.mkdtemp(prefix="chengxin-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": bench_database_url(server, args.database),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "EMAIL_URL": f"filemail:///{workdir / 'mail'}",
        "SIGNING_KEYS_DIR": str(workdir / "keys"),
    }
    os.environ.update(env)
    subprocess.run(  # noqa: S603 - manage.py, fixed arguments
        [sys.executable, "manage.py", "create_signing_key", "--dev"], cwd=ROOT, env=env, check=True
    )
    load_before = load_average()
    try:
        print(f"Baselines ({baseline_count} renders per process)…", flush=True)
        results = {
            "count": args.count,
            "concurrency": args.concurrency,
            "cpus": os.cpu_count(),
            "baseline": loop_throughput("naive", baseline_count, 1, args, env),
            "baseline_parallel": loop_throughput(
                "naive", baseline_count, args.concurrency, args, env
            ),
            "renderer": loop_throughput("renderer", baseline_count, 1, args, env),
            "renderer_parallel": loop_throughput(
                "renderer", baseline_count, args.concurrency, args, env
            ),
            "signed": loop_throughput("signed", baseline_count, 1, args, env),
            "signed_parallel": loop_throughput(
                "signed", baseline_count, args.concurrency, args, env
            ),
        }
        print(f"Database {args.database}: creating and migrating…", flush=True)
        recreate_database(server, args.database)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        names = enterprise_names(args.count + 1, seed=args.seed, rare_share=args.rare_share)
        reviewer, pledges = create_fixtures(names)
        names_by_pledge = {p.pk: p.enterprise.name for p in pledges}
        print("First certificate on a fresh worker…", flush=True)
        results["first_certificate"] = first_certificate_latency(
            pledges[0], reviewer, workdir, env, args
        )
        print(f"Real path: {args.count} approvals, worker ×{args.concurrency}…", flush=True)
        results["real"] = real_path(pledges[1:], reviewer, names_by_pledge, workdir, env, args)
    finally:
        if not args.keep:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            with contextlib.suppress(SystemExit):
                recreate_database(server, args.database, drop_only=True)
            shutil.rmtree(workdir, ignore_errors=True)
    real = results["real"]
    results["ratio_real_to_baseline"] = round(
        real["per_second"] / results["baseline"]["per_second"], 2
    )
    results["ratio_real_to_baseline_parallel"] = round(
        real["per_second"] / results["baseline_parallel"]["per_second"], 2
    )
    results["ratio_real_to_renderer_parallel"] = round(
        real["per_second"] / results["renderer_parallel"]["per_second"], 2
    )
    results["ratio_real_to_signed_parallel"] = round(
        real["per_second"] / results["signed_parallel"]["per_second"], 2
    )
    results["signing_cpu_ms_per_certificate"] = round(
        results["signed"]["cpu_ms_per_certificate"] - results["renderer"]["cpu_ms_per_certificate"],
        1,
    )
    memory = real["memory"]
    growth = memory["rss_last_tenth_mean_mb"] - memory["rss_first_tenth_mean_mb"]
    time_for_2000 = 2000 / real["per_second"]
    results["targets"] = {
        "real ≥ 0.9 × baseline": {
            "met": results["ratio_real_to_baseline"] >= 0.9,
            "detail": f"{results['ratio_real_to_baseline']:.2f}× (1-process baseline); "
            f"{results['ratio_real_to_baseline_parallel']:.2f}× against "
            f"{results['baseline_parallel']['processes']} baseline processes",
        },
        "real ≥ 0.7 × render_pdf alone": {
            "met": results["ratio_real_to_renderer_parallel"] >= 0.7,
            "detail": f"{results['ratio_real_to_renderer_parallel']:.2f}× render_pdf alone; "
            f"{results['ratio_real_to_signed_parallel']:.2f}× render + sign alone "
            f"({results['renderer_parallel']['processes']} processes each)",
        },
        "2,000 signed in under 60 s": {
            "met": time_for_2000 < 60,
            "detail": f"{time_for_2000:.1f} s at the measured rate"
            + (f" ({real['seconds']:.1f} s measured)" if args.count == 2000 else ""),
        },
        "worker memory flat": {
            "met": growth < 0.1 * memory["rss_first_tenth_mean_mb"],
            "detail": f"{growth:+.0f} MB from the first to the last tenth of the run",
        },
        "PDF under 150 KB": {
            "met": real["median_bytes"] < 150 * 1024,
            "detail": f"median {real['median_bytes'] / 1024:.1f} KB; "
            f"max {real['max_bytes'] / 1024:.0f} KB (names outside GB 2312)",
        },
    }
    results["environment"] = {
        "python": platform.python_version(),
        "weasyprint": __import__("weasyprint").__version__,
        "font": fonts.font_path().name,
        "font_bytes": fonts.font_path().stat().st_size,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    print_table(results)
    write_results(args.output, results)
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
