#!/usr/bin/env python
"""The public list under load: the real server, a million pledges, concurrency 8.

    .venv/bin/python bench/public_list.py            # first run: creates and seeds the database
    .venv/bin/python bench/public_list.py --reseed   # start again from an empty database

A benchmark, not a test: see bench/README.md for what it measures and how to read it. It
works in its own database (``chengxin_bench_public`` on the PostgreSQL server DATABASE_URL
names, default 127.0.0.1:5432; that URL's own database is never touched), created, migrated
and seeded with ``manage.py seed_bulk`` when missing, incomplete or with --reseed, and kept
for the next run. The server is gunicorn with ``config.wsgi`` and ``bench.settings``
(production's settings plus the /bench/floor view). Results: a table on stdout and
var/bench/public_list.json.
"""

import argparse
import array
import html
import multiprocessing
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urljoin

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, for bench.*
from bench.harness import (  # noqa: E402
    CLOCK_TICKS,
    DEFAULT_SERVER,
    RESULTS_DIR,
    ROOT,
    cpu_ticks,
    create_database,
    database_exists,
    database_url,
    drop_database,
    free_port,
    load_average,
    machine,
    manage,
    postgres_server,
    process_tree,
    say,
    write_results,
)

BENCH_DATABASE = "chengxin_bench_public"
RESULTS = RESULTS_DIR / "public_list.json"
SERVER_LOG = RESULTS_DIR / "public_list-gunicorn.log"
CACHE_PREFIX = "chengxin-bench-public"  # bench.settings' KEY_PREFIX
BULK_TITLE_PREFIX = "[bulk] "  # bench.management.commands.seed_bulk's markers
BULK_EMAIL_DOMAIN = "seed-bulk.invalid"
MIN_RATIO = 0.2
MAX_P99_MS = 50.0


def main() -> int:
    args = parse_args()
    if not args.database.startswith(BENCH_DATABASE):
        sys.exit(f"--database must start with {BENCH_DATABASE}: it may be dropped and re-created.")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    load_before = load_average()
    env = django_env(args)

    database = ensure_database(args, env)
    say("collecting static files (var/bench/static) …")
    manage(env, "collectstatic", "--noinput", "--skip-checks", "-v", "0")
    clear_cache(args.redis_url)
    with psycopg.connect(database_url(args.server, args.database), autocommit=True) as conn:
        inputs = pick_inputs(conn)
        url_sets = pick_url_sets(conn)
        database.update(database_counts(conn))

    server = Server(args, env)
    try:
        server.start()
        cases, inputs = prepare_cases(server.port, inputs)
        results = [measure(server, "floor", "/bench/floor", args)]
        for name, path in [*cases, *url_sets.items()]:
            if args.only is None or args.only in name:
                results.append(measure(server, name, path, args))
        results.append(measure(server, "floor (again)", "/bench/floor", args))
        after_decision = stats_after_decisions(server, args)
    finally:
        server.stop()
        clear_cache(args.redis_url)

    floors = [r["rps"] for r in results if r["name"].startswith("floor") and r["rps"]]
    floor = sum(floors) / len(floors) if floors else 0.0
    for result in results:
        judge(result, floor)
    report = {
        "benchmark": "public_list",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "server": {
            "command": "gunicorn config.wsgi:application",
            "settings": "bench.settings (config.settings.production + /bench/floor)",
            "worker_class": "sync",
            "workers": args.workers,
            "conn_max_age": args.conn_max_age,
            "cache": "redis",
        },
        "load": {
            "concurrency": args.concurrency,
            "client_processes": args.client_processes,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
            "connection": "one per request (gunicorn's sync workers close it)",
        },
        "database": database,
        "inputs": inputs,
        "targets": {"min_ratio_to_floor": MIN_RATIO, "max_p99_ms": MAX_P99_MS},
        "floor_rps": round(floor, 1),
        "cases": results,
        "stats_after_decision": after_decision,
        "all_targets_met": all(r["meets_targets"] for r in results)
        and after_decision["max_ms"] < MAX_P99_MS,
    }
    write_results(RESULTS, report)
    print_table(report)
    say(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def parse_args():
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pledges", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--database", default=BENCH_DATABASE)
    parser.add_argument(
        "--server",
        default=postgres_server(os.environ.get("DATABASE_URL", "")) or DEFAULT_SERVER,
        help="PostgreSQL server URL without a database (default: DATABASE_URL's server)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * cpus + 1,
        help=f"gunicorn sync workers (default 2 × cores + 1 = {2 * cpus + 1})",
    )
    parser.add_argument("--conn-max-age", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument(
        "--only", metavar="TEXT", help="only the cases whose name holds TEXT (and the floor)"
    )
    return parser.parse_args()


# --- The database ------------------------------------------------------------------------


def django_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url(args.server, args.database, conn_max_age=args.conn_max_age),
        REDIS_URL=args.redis_url,
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters, new every run
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DEBUG="false",
        SITE_URL="http://127.0.0.1",
        PYTHONPATH=str(ROOT),
    )
    return env


def ensure_database(args, env) -> dict:
    """Create, migrate and seed the benchmark's database unless a complete one is there."""
    info = {"name": args.database, "created": False, "seeded": False}
    exists = database_exists(args.server, args.database)
    complete = exists and not args.reseed and _bulk_pledges(args) == args.pledges
    if exists and not complete:
        say(f"dropping database {args.database} …")
        drop_database(args.server, args.database)
    if not complete:
        say(f"creating database {args.database} …")
        create_database(args.server, args.database)
        info["created"] = True
    say("migrating …")
    manage(env, "migrate", "--noinput", "--skip-checks", "-v", "0")
    if info["created"]:
        say(f"seeding {args.pledges:,} pledges (manage.py seed_bulk) …")
        tick = time.monotonic()
        output = manage(
            env,
            "seed_bulk",
            "--skip-checks",
            f"--pledges={args.pledges}",
            f"--campaigns={args.campaigns}",
            echo=True,
        )
        info.update(seeded=True, seed_seconds=round(time.monotonic() - tick, 1))
        info["seed_output"] = output.splitlines()
        # What autovacuum would soon do anyway (and otherwise might do during a case).
        say("VACUUM (ANALYZE) …")
        tick = time.monotonic()
        with psycopg.connect(database_url(args.server, args.database), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        info["vacuum_seconds"] = round(time.monotonic() - tick, 1)
    return info


def _bulk_pledges(args) -> int:
    try:
        with psycopg.connect(database_url(args.server, args.database)) as conn:
            return conn.execute(
                "SELECT count(*) FROM pledges_pledge p JOIN pledges_campaign c"
                " ON c.id = p.campaign_id WHERE c.title LIKE %s",
                [BULK_TITLE_PREFIX + "%"],
            ).fetchone()[0]
    except psycopg.Error:
        return -1  # not migrated, or not there


def database_counts(conn) -> dict:
    one = lambda query: conn.execute(query).fetchone()[0]  # noqa: E731
    return {
        "pledges": one("SELECT count(*) FROM pledges_pledge"),
        "public_pledges": one(
            "SELECT count(*) FROM pledges_pledge WHERE state IN ('approved', 'revoked')"
        ),
        "enterprises": one("SELECT count(*) FROM pledges_enterprise"),
        "campaigns": one("SELECT count(*) FROM pledges_campaign"),
        "size": one("SELECT pg_size_pretty(pg_database_size(current_database()))"),
    }


def pick_inputs(conn) -> dict:
    """A year, a four-character name fragment and a credit code that the list finds.

    A search without a year looks in the latest campaign (the list's default), so the name
    and the code are taken from enterprises whose pledge there is approved.
    """
    latest = conn.execute(
        "SELECT max(year) FROM pledges_campaign WHERE title LIKE %s", [BULK_TITLE_PREFIX + "%"]
    ).fetchone()[0]
    if latest is None:
        sys.exit("No seed_bulk campaigns in the benchmark database: run with --reseed.")
    rows = conn.execute(
        "SELECT e.name, e.credit_code FROM pledges_enterprise e"
        " JOIN pledges_pledge p ON p.enterprise_id = e.id"
        " JOIN pledges_campaign c ON c.id = p.campaign_id"
        " WHERE c.year = %s AND p.state = 'approved' AND e.contact_email LIKE %s"
        " ORDER BY e.id LIMIT 1500",
        [latest, "%@" + BULK_EMAIL_DOMAIN],
    ).fetchall()
    rows = rows[len(rows) // 2 :]  # past the first enterprises, which cover rare industries
    inputs = {"year": latest - 1, "default_year": latest, "credit_code": rows[0][1]}
    for name, _code in rows:
        # After a two-character place: the trade name and the start of the industry.
        term = name[2:6]
        if "质量" in name or not all("\u4e00" <= ch <= "\u9fff" for ch in term):
            continue
        matches = conn.execute(
            "SELECT count(*) FROM pledges_pledge p"
            " JOIN pledges_enterprise e ON e.id = p.enterprise_id"
            " JOIN pledges_campaign c ON c.id = p.campaign_id"
            " WHERE c.year = %s AND p.state IN ('approved', 'revoked') AND e.name LIKE %s",
            [latest, f"%{term}%"],
        ).fetchone()[0]
        if 2 <= matches <= 200:
            inputs.update(name4=term, name4_public_pledges_in_default_year=matches)
            break
    else:
        sys.exit("Found no four-character name fragment to search for.")
    return inputs


def pick_url_sets(conn) -> dict[str, list[str]]:
    """Thousands of different URLs per case, as crawlers and visitors ask for them."""
    rows = lambda query, *params: conn.execute(query, params).fetchall()  # noqa: E731
    rng = random.Random(2026)
    latest = rows("SELECT max(year) FROM pledges_listing")[0][0]
    pages = [f"/pledges/{pk}/" for (pk,) in rows(
        "SELECT pledge_id FROM pledges_listing WHERE status = 'listed'"
        " ORDER BY md5(pledge_id::text) LIMIT 20000")]  # fmt: skip
    names = [name for (name,) in rows(
        "SELECT name FROM pledges_listing WHERE year = %s AND status = 'listed'"
        " ORDER BY md5(pledge_id::text) LIMIT 4000", latest)]  # fmt: skip
    cjk = lambda text: all("\u4e00" <= ch <= "\u9fff" for ch in text)  # noqa: E731
    two, four = set(), set()
    for name in names:
        two.update(name[i : i + 2] for i in range(len(name) - 1) if cjk(name[i : i + 2]))
        four.update(name[i : i + 4] for i in range(len(name) - 3) if cjk(name[i : i + 4]))
    combos = rows(
        "SELECT DISTINCT year, province_id, industry_id FROM pledges_listing"
        " WHERE status = 'listed'"
    )
    rng.shuffle(combos)
    years = [y for (y,) in rows("SELECT DISTINCT year FROM pledges_listing")]
    provinces = [p for (p,) in rows("SELECT code FROM pledges_province")]
    sections = [c for (c,) in rows("SELECT code FROM pledges_industry WHERE level = 'section'")]
    top = rows("SELECT max(sequence) FROM pledges_listing")[0][0]
    query = lambda **params: urlencode(params)  # noqa: E731
    return {
        "enterprise pages (many URLs)": pages,
        "2-character searches (many)": [f"/pledges/?{query(q=t)}" for t in sorted(two)][:3000],
        "4-character searches (many)": [f"/pledges/?{query(q=t)}" for t in sorted(four)][:3000],
        "year + province + industry (many)": [
            f"/pledges/?{query(year=y, province=p, industry=i)}" for y, p, i in combos[:20000]
        ],
        "API year + province (many)": [
            f"/api/pledges/?{query(year=y, province=p)}" for y in years for p in provinces
        ],
        "API year + province + section (many)": [
            f"/api/pledges/?{query(year=y, province=p, industry=c)}"
            for y in years
            for p in provinces
            for c in sections
        ],  # fmt: skip
        "API cursor pages (many)": [
            f"/api/pledges/?{query(year='', cursor=rng.randrange(top))}" for _ in range(20000)
        ],
    }


def stats_after_decisions(server, args, rounds: int = 5) -> dict:
    """/stats/ right after a decision: the record's version moves (as a publication moves
    it), then ``concurrency`` visitors ask for the page at once. Each round's slowest answer."""
    slowest = []
    with psycopg.connect(database_url(args.server, args.database), autocommit=True) as conn:
        for _ in range(rounds):
            conn.execute("UPDATE pledges_publicdataversion SET version = version + 1")
            time.sleep(1.1)  # every worker's copy of the version has expired
            times: list[float] = []
            visitors = [
                threading.Thread(target=_timed_get, args=(server.port, "/stats/", times))
                for _ in range(args.concurrency)
            ]
            for visitor in visitors:
                visitor.start()
            for visitor in visitors:
                visitor.join()
            slowest.append(round(1000 * max(times), 1))
    say(f"/stats/ after a decision, {args.concurrency} at once: slowest {slowest} ms")
    return {"visitors": args.concurrency, "slowest_ms_per_round": slowest, "max_ms": max(slowest)}


def _timed_get(port: int, path: str, times: list[float]) -> None:
    tick = time.monotonic()
    get(port, path)
    times.append(time.monotonic() - tick)


def clear_cache(url: str) -> None:
    """Only this benchmark's keys (bench.settings' prefix), before and after a run."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


# --- The server --------------------------------------------------------------------------


class Server:
    """gunicorn, started and stopped by us (only the process we started is signalled)."""

    def __init__(self, args, env):
        self.args, self.env = args, env
        self.process = None
        self.port = None

    def start(self):
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.args.workers}",
            "--worker-class=sync",
            "--worker-tmp-dir=/dev/shm",
            "--timeout=60",
            "--log-level=warning",
            f"--chdir={ROOT}",
        ]
        say(f"starting {' '.join(command[1:])} (log: {SERVER_LOG.relative_to(ROOT)})")
        self.log = SERVER_LOG.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - gunicorn from this virtualenv
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited; see {SERVER_LOG}")
            try:
                if get(self.port, "/bench/floor")[0] == 200:
                    time.sleep(1.0)  # let every worker finish booting
                    return
            except OSError:
                pass
            time.sleep(0.2)
        sys.exit("gunicorn did not answer within 60 s")

    def cpu_seconds(self) -> float:
        """User + system CPU of gunicorn's workers so far (from /proc)."""
        workers = process_tree(self.process.pid)[1:]
        return sum(cpu_ticks(worker)[0] for worker in workers) / CLOCK_TICKS

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def get(port: int, path: str) -> tuple[int, bytes]:
    """One request on a fresh connection: (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(_request(port, path))
        data = b""
        while chunk := sock.recv(1 << 18):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), body


def _request(port: int, path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: chengxin-bench\r\n"
        "Accept: text/html,application/json\r\nConnection: close\r\n\r\n"
    ).encode("ascii")


# --- Cases -------------------------------------------------------------------------------


def prepare_cases(port: int, inputs: dict):
    """The cases' URLs; the deep page and the pledge page come from the first page's links."""
    status, body = get(port, "/pledges/")
    page = body.decode("utf-8", "replace")
    last = detail = None
    for tag in re.findall(r"<a\s[^>]*>", page):
        href = re.search(r'href="([^"]*)"', tag)
        if href and re.search(r'rel="[^"]*\blast\b', tag) and last is None:
            last = urljoin("/pledges/", html.unescape(href.group(1)))
        if href and detail is None and re.fullmatch(r"/pledges/\d+/", href.group(1)):
            detail = href.group(1)
    inputs = inputs | {"first_page_status": status, "last_page_url": last, "detail_url": detail}
    year, name4 = inputs["year"], inputs["name4"]

    def listing(**query):
        return f"/pledges/?{urlencode(query)}"

    cases = [
        ("list: first page", "/pledges/"),
        ("list: last page (rel=last)", last),
        (f"list: year={year} & province=44", listing(year=year, province=44)),
        ("search: 质量", listing(q="质量")),
        (f"search: {name4}", listing(q=name4)),
        ("search: credit code", listing(q=inputs["credit_code"])),
        ("pledge page /pledges/<id>/", detail),
        ("API /api/pledges/", "/api/pledges/"),
    ]
    return cases, inputs


def measure(server: Server, name: str, path, args) -> dict:
    """One case: a URL, or a list of URLs each request draws one of (no whole-page cache
    helps then: every URL is new to the cache until it comes round again)."""
    paths = path if isinstance(path, list) else [path]
    path = paths[0] if paths else None
    result = {"name": name, "url": path, "distinct_urls": len(paths)}
    if path is None:
        result["failing"] = "no such link on /pledges/"
        say(f"{name}: FAILING ({result['failing']})")
        return result
    status, body = get(server.port, path)
    result.update(status=status, bytes=len(body))
    heading = re.search(rb'id="results-heading">(.*?)</h2>', body, re.S)
    if heading:
        result["results"] = re.sub(r"<[^>]+>|\s+", " ", heading.group(1).decode()).strip()
    if status != 200:
        result["failing"] = f"HTTP {status}"
        say(f"{name}: FAILING (HTTP {status} for {path})")
        return result
    cpu_before = server.cpu_seconds()
    result.update(run_load(server.port, paths, args))
    spent = server.cpu_seconds() - cpu_before
    if result["requests"]:
        # Includes the warm-up's requests: an estimate, for reading the numbers.
        total = result["requests"] * (args.warmup + args.duration) / args.duration
        result["server_cpu_ms_per_request"] = round(1000 * spent / total, 2)
    say(
        f"{name}: {result['rps']:,.0f} req/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, {result['errors']} errors"
    )
    return result


def run_load(port: int, paths: list[str], args) -> dict:
    """Closed loop: ``concurrency`` clients, each sending its next request when the last one
    is answered, spread over processes (so the client is not held back by one GIL). Each
    request draws its URL from ``paths`` at random."""
    request = [_request(port, path) for path in paths]
    start = time.monotonic() + 0.5
    measure_from = start + args.warmup
    stop = measure_from + args.duration
    processes = max(1, min(args.client_processes, args.concurrency))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    clients = [
        context.Process(
            target=_client,
            args=(port, request, start, measure_from, stop, threads, results),
        )
        for threads in _spread(args.concurrency, processes)
    ]
    for client in clients:
        client.start()
    latencies = array.array("d")
    statuses = Counter()
    client_cpu = 0.0
    for _client_process in clients:
        raw, counted, cpu = results.get()
        part = array.array("d")
        part.frombytes(raw)
        latencies.extend(part)
        statuses.update(counted)
        client_cpu += cpu
    for client in clients:
        client.join()
    ok = sorted(latencies)
    errors = sum(n for status, n in statuses.items() if status != 200)
    return {
        "requests": len(ok) + errors,
        "rps": round((len(ok) + errors) / args.duration, 1),
        "p50_ms": _percentile(ok, 50),
        "p99_ms": _percentile(ok, 99),
        "max_ms": round(1000 * ok[-1], 1) if ok else None,
        "errors": errors,
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
        "client_cpu_share": round(client_cpu / (args.warmup + args.duration), 2),
    }


def _spread(total: int, parts: int) -> list[int]:
    return [total // parts + (i < total % parts) for i in range(parts)]


def _percentile(ordered, percent: float):
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * percent // 100))  # nearest rank
    return round(1000 * ordered[int(rank) - 1], 2)


def _client(port, request, start, measure_from, stop, threads, results):
    """One load-generating process: ``threads`` closed-loop clients."""
    lock = threading.Lock()
    latencies = array.array("d")
    statuses = Counter()
    address = ("127.0.0.1", port)

    def loop():
        mine, counted = array.array("d"), Counter()
        clock = time.monotonic
        draw = random.Random().choice
        while (sent := clock()) < stop:
            status = 0  # a connection error
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                    sock.settimeout(30)
                    sock.connect(address)
                    sock.sendall(draw(request))
                    head = b""
                    while chunk := sock.recv(1 << 18):
                        if len(head) < 12:
                            head += chunk
                status = int(head[9:12]) if head.startswith(b"HTTP/") else -1
            except (OSError, ValueError):
                pass
            answered = clock()
            if sent >= measure_from and answered <= stop:
                counted[status] += 1
                if status == 200:
                    mine.append(answered - sent)
        with lock:
            latencies.extend(mine)
            statuses.update(counted)

    time.sleep(max(0.0, start - time.monotonic()))
    cpu = time.process_time()
    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies.tobytes(), dict(statuses), time.process_time() - cpu))


def judge(result: dict, floor: float) -> None:
    if result["name"].startswith("floor"):  # the reference, not a case
        result.update(ratio_to_floor=round(result["rps"] / floor, 3), meets_targets=True)
        return
    if "failing" in result or not result.get("rps"):
        result.update(ratio_to_floor=None, meets_targets=False)
        return
    ratio = result["rps"] / floor if floor else 0.0
    result["ratio_to_floor"] = round(ratio, 3)
    result["meets_targets"] = bool(
        ratio >= MIN_RATIO and result["p99_ms"] < MAX_P99_MS and result["errors"] == 0
    )


def print_table(report: dict) -> None:
    print()
    print(
        f"{report['database']['pledges']:,} pledges; gunicorn {report['server']['workers']} sync "
        f"workers on {report['machine']['cpus']} cores; concurrency "
        f"{report['load']['concurrency']}, {report['load']['duration_s']:g} s per case after "
        f"{report['load']['warmup_s']:g} s of warm-up; floor {report['floor_rps']:,.0f} req/s"
    )
    header = f"{'case':<34} {'req/s':>8} {'×floor':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  "
    print(header + "target")
    print("-" * (len(header) + 8))
    for r in report["cases"]:
        name = _pad(r["name"], 34)
        if "failing" in r:
            dashes = "".join(f" {'—':>{width}}" for width in (8, 7, 8, 8, 7))
            print(f"{name}{dashes}  FAILING: {r['failing']}")
            continue
        ratio = f"{r['ratio_to_floor']:.2f}" if r["ratio_to_floor"] is not None else "—"
        if r["name"].startswith("floor"):
            verdict = "(reference)"
        else:
            verdict = "met" if r["meets_targets"] else "NOT MET"
        rps = f"{r['rps']:,.0f}" if r["rps"] >= 10 else f"{r['rps']:.1f}"
        print(
            f"{name} {rps:>8} {ratio:>7} {r['p50_ms']:>8} {r['p99_ms']:>8} "
            f"{r['errors']:>7}  {verdict}"
        )
    print(
        f"Targets: ≥ {MIN_RATIO}× the floor's throughput and p99 < {MAX_P99_MS:g} ms, no errors. "
        f"Load average {report['machine']['load_average_before'][0]} before, "
        f"{report['machine']['load_average_after'][0]} after."
    )


def _pad(text: str, width: int) -> str:
    """Left-justify in a terminal, where CJK characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


if __name__ == "__main__":
    sys.exit(main())
