"""Bulk synthetic data for load tests: a million published pledges in minutes.

    DJANGO_SETTINGS_MODULE=bench.dev_settings \
        manage.py seed_bulk --pledges 1000000 [--campaigns 20] [--batch 10000] [--reset]

A benchmark's command, not the shipped app's: only settings that install the ``bench`` app
have it (bench.settings, bench.dev_settings and the tests' settings), never production's.
Its names and places come from the vocabularies in bench/data/.

It writes one campaign per year (all closed except the latest, which is open), enterprises
with realistic Chinese names in every province and industry division and valid, unique
credit codes, pledges that are mostly approved (about 1 % revoked, each with its public
reason, and a few % in states the public never sees) and a ready certificate row (no file)
for every approved or revoked pledge.

Everything it writes is marked, so ``--reset`` removes exactly that and nothing else:
campaigns whose title starts with ``BULK_TITLE_PREFIX`` and enterprises whose contact e-mail
is at ``BULK_EMAIL_DOMAIN``, with their pledges, certificates and events. Its rows are made
by one inactive system user, kept between runs.

On PostgreSQL rows go in with COPY (psycopg 3), one transaction per --batch rows, written
by --jobs forked worker processes (one per CPU: generating rows is Python work, so processes,
not threads), then the tables are analysed. Other databases, or a run inside a transaction
(tests), get executemany INSERTs in this process, with values adapted by the model fields:
slower, fine for small N. The data depend on --seed only. Nothing is switched off: every
constraint, trigger and index stays in place while loading.
"""

import csv
import hashlib
import json
import multiprocessing
import os
import random
import time
from bisect import bisect
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, connections, models, transaction
from django.utils import timezone
from stdnum.cn import uscc

from accounts.models import Invitation, Membership, User
from pledges.models import (
    AuditEvent,
    Campaign,
    Certificate,
    Enterprise,
    Industry,
    Listing,
    ListingTally,
    OutboxMessage,
    Pledge,
    ProfileChange,
    Province,
    PublicDataVersion,
    ReviewNote,
    SupersededCertificate,
)
from pledges.reference import CHINA_TZ, DATA_DIR
from pledges.search import name_ngrams

BULK_TITLE_PREFIX = "[bulk] "
BULK_EMAIL_DOMAIN = "seed-bulk.invalid"
SYSTEM_USER_EMAIL = f"system@{BULK_EMAIL_DOMAIN}"
NUMBER_PREFIX = "CQ"
# Credit-code alphabet (GB 32100-2015: digits and capitals except I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# The vocabularies names, addresses and people are drawn from, in bench/data/ (read once).
BENCH_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def _csv_rows(filename: str) -> list[dict]:
    with (BENCH_DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


_PROVINCES = _csv_rows("seed-bulk-provinces.csv")
# Province code: (the place as names use it, [(city, first four digits of its region code)]).
PLACES = {row["code"]: (row["place"], []) for row in sorted(_PROVINCES, key=lambda r: r["code"])}
for _row in _csv_rows("seed-bulk-cities.csv"):
    PLACES[_row["province"]][1].append((_row["city"], _row["region"]))
# Roughly where enterprises are: the coastal manufacturing provinces lead. Drawn in the file's
# order, so reordering its rows changes the data a --seed gives.
PROVINCE_WEIGHTS = {row["code"]: float(row["weight"]) for row in _PROVINCES}

_WORDS = json.loads((BENCH_DATA_DIR / "seed-bulk-words.json").read_text(encoding="utf-8"))
# GB/T 4754-2017 division: words an enterprise of that trade puts in its name.
INDUSTRY_WORDS = _WORDS["industry_words"]
# Names with the term 质量 (about 3.5 % of enterprises, in these trades), so that searching
# for it finds tens of thousands of pledges in the full data set.
QUALITY_SHARE = 0.035
QUALITY_WORDS = _WORDS["quality_words"]
QUALITY_INDUSTRIES = ["74", "74", "74", "72", "75"]
# No 质 or 量 here: the term must only come from QUALITY_WORDS.
BRAND_CHARS = _WORDS["brand_characters"]
LEGAL_FORMS = [tuple(pair) for pair in _WORDS["legal_forms"]]  # (form, weight)
SURNAMES = _WORDS["surnames"]
GIVEN_CHARS = _WORDS["given_name_characters"]
SIGNER_TITLES = [tuple(pair) for pair in _WORDS["signer_titles"]]  # (title, weight)
ROADS = _WORDS["roads"]
ZONES = _WORDS["zones"]  # "" (no zone in the address) weighs as much as one
REVOKE_REASONS = _WORDS["revocation_reasons"]
# The bulk campaigns' text: the demo campaign's.
PLEDGE_TEXT = (DATA_DIR / "demo-pledge-text.txt").read_text(encoding="utf-8")

S = Pledge.State
# Where pledges end: closed campaigns, and the open (latest) one with its review under way.
PAST_STATES = [
    (S.APPROVED, 95.4),
    (S.REVOKED, 1.1),
    (S.REJECTED, 1.5),
    (S.WITHDRAWN, 1.0),
    (S.CHANGES_REQUESTED, 0.5),
    (S.DRAFT, 0.5),
]
LATEST_STATES = [
    (S.APPROVED, 90.0),
    (S.REVOKED, 0.3),
    (S.SUBMITTED, 4.0),
    (S.DRAFT, 2.0),
    (S.CHANGES_REQUESTED, 1.2),
    (S.REJECTED, 1.5),
    (S.WITHDRAWN, 1.0),
]
DECIDED_STATES = (S.APPROVED, S.REVOKED, S.REJECTED, S.CHANGES_REQUESTED)
# How many campaigns an enterprise signs: P(k) ~ 0.75^(k-1), about 4 on average over 20.
YEARS_DECAY = 0.75
# The share of enterprises that signed the latest campaign too.
STILL_SIGNING = 0.45

ENTERPRISE_COLUMNS = (
    "id", "name", "name_en", "credit_code", "province_id", "city", "industry_id",
    "legal_representative", "address", "website", "contact_name", "contact_phone",
    "contact_email", "search_ngrams", "licence_scan", "created_at", "updated_at",
)  # fmt: skip
PLEDGE_COLUMNS = (
    "id", "enterprise_id", "campaign_id", "state", "text_snapshot", "text_sha256",
    "signer_name", "signer_title", "signer_authorised", "stamped_page", "stamped_page_type",
    "created_by_id", "created_at", "updated_at", "submitted_at", "decided_at",
    "claimed_by_id", "claimed_at",
)  # fmt: skip
CERTIFICATE_COLUMNS = (
    "pledge_id", "campaign_id", "state", "sequence", "number", "file", "sha256", "size",
    "attempts", "error", "created_at", "issued_at", "rendered_at", "queued_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "action", "actor_id", "enterprise_id", "pledge_id", "campaign_id", "from_state",
    "to_state", "reason", "details", "created_at",
)  # fmt: skip


def _weighted(pairs):
    """(values, cumulative weights) for ``_pick``."""
    pairs = list(pairs)
    values = [value for value, _weight in pairs]
    return values, list(accumulate(weight for _value, weight in pairs))


def _pick(rng: random.Random, values, cum_weights):
    """rng.choices(values, cum_weights=…)[0], without its overhead."""
    return values[bisect(cum_weights, rng.random() * cum_weights[-1])]


LEGAL_FORM_VALUES, LEGAL_FORM_CW = _weighted(LEGAL_FORMS)
SIGNER_TITLE_VALUES, SIGNER_TITLE_CW = _weighted(SIGNER_TITLES)
PROVINCE_VALUES, PROVINCE_CW = _weighted(PROVINCE_WEIGHTS.items())
PEOPLE = [a + b for a in SURNAMES for b in GIVEN_CHARS] + [
    a + b + c for a in SURNAMES[:40] for b in GIVEN_CHARS for c in GIVEN_CHARS[::3]
]


def _base31(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 31)
        digits.append(USCC_ALPHABET[digit])
    if number:
        raise CommandError("Too many enterprises for the credit-code serial space.")
    return "".join(reversed(digits))


def bulk_credit_code(region: str, serial: int) -> str:
    """A valid code registered in ``region`` (6 digits), unique by ``serial``.

    Every seed_bulk code has "MAW" at characters 9–11; the test factories and seed_demo
    put digits there, so they never collide.
    """
    body = f"91{region}MAW{_base31(serial, 6)}"
    return body + uscc.calc_check_digit(body)


def closes_by_october(year: int) -> datetime:
    """The last moment of October (China time): signing and review happen by then."""
    return datetime(year, 11, 1, tzinfo=CHINA_TZ) - timedelta(minutes=1)


# --- Writing rows ------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_escaped = {}


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        if value.isprintable() and "\\" not in value:
            return value
        escaped = _escaped.get(value)  # the pledge text: escaped once
        if escaped is None:
            escaped = _escaped[value] = value.translate(_COPY_ESCAPES)
        return escaped
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat()
    if kind in (dict, list):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value).translate(_COPY_ESCAPES)


class RowWriter:
    """Writes rows of plain values: COPY on PostgreSQL, executemany INSERTs elsewhere.

    Columns are named by attname; the model's other columns (say, a field added later)
    get their field default.
    """

    def __init__(self):
        self.copy = connection.vendor == "postgresql"

    def write(self, model, names, rows) -> int:
        meta = model._meta
        fields = [meta.get_field(name) for name in names]
        given = {field.attname for field in fields}
        rest = [
            field
            for field in meta.concrete_fields
            if field.attname not in given and not field.primary_key
        ]
        table = connection.ops.quote_name(meta.db_table)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields + rest)
        with connection.cursor() as cursor:
            if self.copy:
                tail = "".join(
                    "\t" + _copy_text(field.get_prep_value(field.get_default())) for field in rest
                )
                text = "".join("\t".join(map(_copy_text, row)) + tail + "\n" for row in rows)
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(text.encode())
                return text.count("\n")
            defaults = tuple(
                field.get_db_prep_save(field.get_default(), connection) for field in rest
            )
            prepared = [
                tuple(
                    field.get_db_prep_save(value, connection)
                    for field, value in zip(fields, row, strict=True)
                )
                + defaults
                for row in rows
            ]
            marks = ", ".join(["%s"] * (len(fields) + len(rest)))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, prepared)
            return len(prepared)

    def allocate_ids(self, model, count: int) -> list[int]:
        """Primary keys for ``count`` new rows.

        On PostgreSQL from the table's sequence (no transaction needed); elsewhere after the
        largest one, which only holds inside the transaction that inserts them.
        """
        table = model._meta.db_table
        pk = model._meta.pk.column
        with connection.cursor() as cursor:
            if self.copy:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), pk, count],
                )
                return [row[0] for row in cursor.fetchall()]
            quoted = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quoted(pk)}) FROM {quoted(table)}")  # noqa: S608
            start = (cursor.fetchone()[0] or 0) + 1
            return list(range(start, start + count))


# The command, for the worker processes it forks (they inherit it rather than unpickle it).
_FORKED = None


def _run_in_worker(task):
    try:
        return _FORKED.run_task(task)
    except Exception as error:
        # Plain text crosses the process boundary; psycopg's errors may not pickle.
        raise CommandError(f"{type(error).__name__}: {error}") from None
    finally:
        connection.close()


class Command(BaseCommand):
    help = (
        "Load bulk synthetic enterprises, campaigns, pledges and certificates for load tests "
        "(--reset removes what an earlier run loaded, and only that)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pledges", type=int, required=True, help="pledges to create (0 with --reset: remove)"
        )
        parser.add_argument("--campaigns", type=int, default=20, help="one per year (default 20)")
        parser.add_argument(
            "--batch", type=int, default=10_000, help="rows per transaction (default 10000)"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="worker processes, each with its own connection (PostgreSQL only; "
            "default: one per CPU)",
        )
        parser.add_argument(
            "--last-year",
            type=int,
            default=None,
            help="year of the latest (open) campaign; default: this year",
        )
        parser.add_argument("--seed", type=int, default=2007, help="random seed (default 2007)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="first remove everything an earlier seed_bulk created",
        )

    def handle(self, *args, **options):
        pledges, campaigns, batch = options["pledges"], options["campaigns"], options["batch"]
        if pledges < 0 or batch < 1 or not 1 <= campaigns <= 200:
            raise CommandError("--pledges ≥ 0, --batch ≥ 1 and 1 ≤ --campaigns ≤ 200, please.")
        self.seed = options["seed"]
        self.batch = batch
        self.writer = RowWriter()
        self.now = timezone.now()
        last_year = options["last_year"] or self.now.astimezone(CHINA_TZ).year
        years = list(range(last_year - campaigns + 1, last_year + 1))
        started = time.monotonic()

        existing = self._existing()
        if any(existing.values()):
            if not options["reset"]:
                raise CommandError(
                    "Bulk data from an earlier seed_bulk is already loaded "
                    f"({existing['campaigns']} campaigns, {existing['enterprises']} enterprises)."
                    " Run again with --reset to replace it."
                )
            self._reset()
        if pledges == 0:
            return
        taken = list(
            Campaign.objects.filter(year__in=years)
            .exclude(title__startswith=BULK_TITLE_PREFIX)
            .values_list("year", flat=True)
        )
        if taken:
            raise CommandError(
                f"Campaign years {sorted(taken)} already exist and were not made by seed_bulk; "
                "choose other years with --last-year."
            )
        self._load(pledges, years, options["jobs"])
        if connection.vendor == "postgresql":
            self._analyse()  # the publication's join is planned on fresh statistics
        tick = time.monotonic()
        published = self._publish()
        self.stdout.write(
            f"  published record: {published} listings in {time.monotonic() - tick:.1f} s"
        )
        if connection.vendor == "postgresql":
            tick = time.monotonic()
            self._analyse()
            self.stdout.write(f"  ANALYZE: {time.monotonic() - tick:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(f"seed_bulk finished in {time.monotonic() - started:.1f} s")
        )

    # --- What exists -------------------------------------------------------------------

    def _bulk_enterprises(self):
        return Enterprise.objects.filter(contact_email__endswith=f"@{BULK_EMAIL_DOMAIN}")

    def _bulk_campaigns(self):
        return Campaign.objects.filter(title__startswith=BULK_TITLE_PREFIX)

    def _existing(self) -> dict:
        return {
            "campaigns": self._bulk_campaigns().count(),
            "enterprises": self._bulk_enterprises().count(),
        }

    def _reset(self):
        """Delete seed_bulk's rows and what hangs off them, in a few set-wise DELETEs.

        (QuerySet.delete() would load a million pledges to follow PROTECT relations.)
        """
        tick = time.monotonic()
        enterprises = self._bulk_enterprises().values("pk")
        pledges = Pledge.objects.filter(enterprise__in=enterprises).values("pk")
        # A campaign that other enterprises have signed since stays, with their pledges.
        kept = list(
            self._bulk_campaigns()
            .filter(
                models.Exists(
                    Pledge.objects.filter(campaign=models.OuterRef("pk")).exclude(
                        enterprise__in=enterprises
                    )
                )
            )
            .values_list("year", flat=True)
        )
        campaigns = self._bulk_campaigns().exclude(year__in=kept).values("pk")
        events = AuditEvent.objects.filter(
            models.Q(enterprise__in=enterprises)
            | models.Q(pledge__in=pledges)
            | models.Q(campaign__in=campaigns, pledge=None, enterprise=None)
        ).values("pk")
        deleted = {}
        with transaction.atomic():
            for label, rows in [
                ("messages", OutboxMessage.objects.filter(enterprise__in=enterprises)),
                ("audit events", AuditEvent.objects.filter(pk__in=events)),
                ("review notes", ReviewNote.objects.filter(pledge__in=pledges)),
                ("listings", Listing.objects.filter(pledge__in=pledges)),
                ("superseded", SupersededCertificate.objects.filter(pledge__in=pledges)),
                ("changes", ProfileChange.objects.filter(enterprise__in=enterprises)),
                ("certificates", Certificate.objects.filter(pledge__in=pledges)),
                ("pledges", Pledge.objects.filter(pk__in=pledges)),
                ("memberships", Membership.objects.filter(enterprise__in=enterprises)),
                ("invitations", Invitation.objects.filter(enterprise__in=enterprises)),
                ("enterprises", Enterprise.objects.filter(pk__in=enterprises)),
            ]:
                deleted[label] = self._delete(rows)
            deleted["campaigns"] = self._delete(Campaign.objects.filter(pk__in=campaigns))
            self._count_listings()
        if kept:
            self.stdout.write(
                self.style.WARNING(f"Kept the campaigns other enterprises signed: {kept}")
            )
        summary = ", ".join(f"{count} {label}" for label, count in deleted.items() if count)
        self.stdout.write(
            f"Removed earlier bulk data ({summary or 'nothing'}) in {time.monotonic() - tick:.1f} s"
        )

    def _delete(self, queryset) -> int:
        """One DELETE … WHERE pk IN (subquery) statement, with no rows loaded into Python."""
        model = queryset.model
        inner, params = queryset.values("pk").query.sql_with_params()
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            # SQLite and PostgreSQL both take the subquery; MySQL would need a derived table.
            cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({inner})", params)  # noqa: S608
            return cursor.rowcount

    # --- Loading -----------------------------------------------------------------------

    def _load(self, n_pledges: int, years: list[int], jobs: int):
        """Plan here, then write in tasks: slices of enterprises, then one task a campaign.

        Each task draws from its own random generator, so the data depend on --seed only,
        not on how the tasks are spread over processes.
        """
        write = self.stdout.write
        self.user = self._system_user()
        self.campaigns = self._campaigns(years)
        self._check_reference_data()
        self.members, self.first_campaign = self._plan(n_pledges, len(years))
        n_enterprises = len(self.first_campaign)
        # Worker processes need connections of their own, and rows committed by others
        # would not be visible inside a caller's transaction (tests): then all runs here.
        forked = jobs > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
        how = f"{jobs} worker processes" if forked else "in this process"
        write(
            f"Loading {n_pledges} pledges of {n_enterprises} enterprises over {len(years)} "
            f"campaigns ({years[0]}–{years[-1]}) on {connection.vendor}: "
            f"{self.batch} rows a transaction, {how}"
        )
        # Sequences hand out keys outside transactions: take them all now, in order.
        self.preallocated = forked
        if forked:
            self.enterprise_ids = self.writer.allocate_ids(Enterprise, n_enterprises)
            self.pledge_ids = [self.writer.allocate_ids(Pledge, len(m)) for m in self.members]
        else:
            self.enterprise_ids = []

        tick = time.monotonic()
        tasks = [("enterprises", begin) for begin in range(0, n_enterprises, self.batch)]
        for _result in self._run(tasks, forked, jobs):
            pass
        write(f"  enterprises:  {n_enterprises:>9} in {time.monotonic() - tick:6.1f} s")

        tick = time.monotonic()
        # The biggest campaigns first, so that the workers finish together.
        order = sorted(range(len(years)), key=lambda i: -len(self.members[i]))
        totals = Counter()
        counters = {}
        for result in self._run([("pledges", index) for index in order], forked, jobs):
            campaign = self.campaigns[result.pop("campaign")]
            counters[campaign.pk] = result["certificates"]
            totals.update(result)
            rate = totals["pledges"] / (time.monotonic() - tick)
            write(f"    {campaign.year}: {result['pledges']:>7} pledges ({rate:,.0f}/s so far)")
        # After the workers are gone: none may inherit this process's connection.
        for pk, counter in counters.items():
            Campaign.objects.filter(pk=pk).update(certificate_counter=counter)
        elapsed = time.monotonic() - tick
        write(
            f"  pledges:      {totals['pledges']:>9} in {elapsed:6.1f} s "
            f"({totals['pledges'] / max(elapsed, 1e-9):,.0f}/s), with "
            f"{totals['certificates']} certificates and {totals['events']} revocation events"
        )
        states = ", ".join(f"{state} {totals[state]}" for state in S.values if totals[state])
        write(f"  states:       {states}")

    def _run(self, tasks, forked: bool, jobs: int):
        """Each task's result, as tasks finish."""
        if not forked:
            for task in tasks:
                yield self.run_task(task)
            return
        global _FORKED  # what the forked workers inherit
        _FORKED = self
        connections.close_all()  # each worker opens its own
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap_unordered(_run_in_worker, tasks)

    def run_task(self, task):
        kind, argument = task
        if kind == "enterprises":
            return self._write_enterprises(argument)
        return self._write_campaign(argument)

    def _in_batches(self, model, rows_for, items, preallocated) -> None:
        """Write ``items`` in transactions of --batch; ``rows_for(ids, chunk)`` writes one."""
        for begin in range(0, len(items), self.batch):
            chunk = items[begin : begin + self.batch]
            with transaction.atomic():
                if preallocated is None:
                    ids = self.writer.allocate_ids(model, len(chunk))
                else:
                    ids = preallocated[begin : begin + len(chunk)]
                rows_for(ids, chunk)

    def _system_user(self) -> User:
        user = User.objects.filter(email=SYSTEM_USER_EMAIL).first()
        if user is None:
            user = User.objects.create_user(
                email=SYSTEM_USER_EMAIL, password=None, full_name="批量样例数据", is_active=False
            )
        return user

    def _campaigns(self, years: list[int]) -> list[Campaign]:
        """One campaign a year, signing in September–October; the latest is open now."""
        made = []
        for year in years:
            opens = datetime(year, 9, 1, tzinfo=CHINA_TZ)
            closes = datetime(year, 11, 1, tzinfo=CHINA_TZ)
            latest = year == years[-1]
            if latest:
                if opens >= self.now:
                    opens = self.now - timedelta(days=30)
                closes = max(closes, self.now + timedelta(days=60))
            campaign = Campaign.objects.create(
                year=year,
                title=f"{BULK_TITLE_PREFIX}{year}年企业质量诚信倡议",
                pledge_text=PLEDGE_TEXT,
                opens_at=opens,
                closes_at=closes,
                number_prefix=NUMBER_PREFIX,
            )
            # When things happened: September–October (for a campaign opened later, since it
            # opened), never in the future. In UTC: arithmetic and comparisons stay cheap.
            end = min(closes_by_october(year), self.now - timedelta(hours=1))
            campaign.window = (opens.astimezone(UTC), end.astimezone(UTC))
            campaign.text_sha256 = hashlib.sha256(PLEDGE_TEXT.encode()).hexdigest()
            campaign.latest = latest
            made.append(campaign)
        return made

    def _check_reference_data(self):
        provinces = set(Province.objects.values_list("code", flat=True))
        self.divisions = list(
            Industry.objects.filter(level=Industry.Level.DIVISION)
            .order_by("position")
            .values_list("code", flat=True)
        )
        missing = (set(PLACES) ^ provinces) | (set(self.divisions) ^ set(INDUSTRY_WORDS))
        if missing:
            raise CommandError(f"Reference data does not match seed_bulk's tables: {missing}")

    def _plan(self, n_pledges: int, n_campaigns: int):
        """Which campaigns each enterprise signs: a run of years, mostly up to the latest.

        Almost half the enterprises still sign (their run ends with the latest campaign);
        the others stopped some year, later years likelier. So each year has more
        signatories than the one before, as participation grew.
        """
        rng = random.Random(f"{self.seed}-plan")
        k_values, k_cw = _weighted((k, YEARS_DECAY ** (k - 1)) for k in range(1, n_campaigns + 1))
        end_values, end_cw = _weighted((end, end + 1) for end in range(n_campaigns - 1))
        members = [[] for _ in range(n_campaigns)]
        first_campaign = []
        total = 0
        while total < n_pledges:
            if n_campaigns == 1 or rng.random() < STILL_SIGNING:
                end = n_campaigns - 1
            else:
                end = _pick(rng, end_values, end_cw)
            k = min(_pick(rng, k_values, k_cw), end + 1, n_pledges - total)
            years = list(range(end - k + 1, end + 1))
            if k > 1 and years[0] > 0 and rng.random() < 0.15:
                years[rng.randrange(0, k - 1)] = years[0] - 1  # one year missed
                years.sort()
            enterprise = len(first_campaign)
            first_campaign.append(years[0])
            for index in years:
                members[index].append(enterprise)
            total += k
        return members, first_campaign

    # --- Enterprises -------------------------------------------------------------------

    def _write_enterprises(self, begin: int) -> dict:
        rng = random.Random(f"{self.seed}-enterprises-{begin}")
        divisions = self.divisions
        every_province = sorted(PLACES)
        industry_values, industry_cw = _weighted(
            (code, _industry_weight(code)) for code in divisions
        )
        names = set()
        rows = []
        for index in range(begin, min(begin + self.batch, len(self.first_campaign))):
            # Every province and every division at least once, then as they are common.
            if index < len(every_province):
                province = every_province[index]
            else:
                province = _pick(rng, PROVINCE_VALUES, PROVINCE_CW)
            if index < len(divisions):
                division = divisions[index]
            else:
                division = _pick(rng, industry_values, industry_cw)
            quality = index >= len(divisions) and rng.random() < QUALITY_SHARE
            opens = self.campaigns[self.first_campaign[index]].window[0]
            rows.append(
                self._enterprise_row(rng, names, index + 1, province, division, quality, opens)
            )

        def write(ids, chunk):
            try:
                self.writer.write(
                    Enterprise,
                    ENTERPRISE_COLUMNS,
                    ((pk, *row) for pk, row in zip(ids, chunk, strict=True)),
                )
            except IntegrityError as error:
                raise CommandError(
                    f"A generated credit code is already taken by another enterprise: {error}"
                ) from error
            if not self.preallocated:  # keys taken a batch at a time, in this process
                self.enterprise_ids += ids

        preallocated = self.enterprise_ids[begin : begin + len(rows)] if self.preallocated else None
        self._in_batches(Enterprise, write, rows, preallocated)
        return {"enterprises": len(rows)}

    def _enterprise_row(self, rng, names, serial, province, division, quality, opens) -> tuple:
        place, cities = PLACES[province]
        city, city_code = rng.choice(cities)
        if province in ("71", "81", "82"):
            region = f"{city_code}00"
        else:
            region = f"{city_code}{rng.randint(1, 12 if len(cities) == 1 else 9):02d}"
        if quality:
            division = rng.choice(QUALITY_INDUSTRIES)
        for _attempt in range(20):  # unique within the task; across tasks, very nearly
            name = self._name(rng, place, city, division, quality)
            if name not in names:
                break
        names.add(name)
        created = opens - timedelta(days=rng.uniform(30, 1500))
        if rng.random() < 0.5:
            phone = f"0{rng.randint(10, 999)}-{rng.randint(20_000_000, 89_999_999)}"
        else:
            phone = f"1{rng.choice('356789')}{rng.randint(0, 999_999_999):09d}"
        website = f"https://e{serial:07d}.{BULK_EMAIL_DOMAIN}/" if rng.random() < 0.2 else ""
        if province in ("71", "81", "82"):
            address = f"{city}{rng.choice(ROADS)}{rng.randint(1, 299)}号"
        else:
            address = f"{city}{rng.choice(ZONES)}{rng.choice(ROADS)}{rng.randint(1, 2999)}号"
        return (
            name,
            "",
            bulk_credit_code(region, serial),
            province,
            city,
            division,
            rng.choice(PEOPLE),  # legal representative
            address,
            website,
            rng.choice(PEOPLE),  # contact
            phone,
            f"qa{serial:07d}@{BULK_EMAIL_DOMAIN}",  # the marker --reset looks for
            name_ngrams(name),
            "",
            created,
            created + timedelta(days=rng.uniform(0, 20)),
        )

    def _name(self, rng, place: str, city: str, division: str, quality: bool) -> str:
        brand = "".join(rng.choices(BRAND_CHARS, k=3 if rng.random() < 0.2 else 2))
        word = rng.choice(QUALITY_WORDS if quality else INDUSTRY_WORDS[division])
        form = _pick(rng, LEGAL_FORM_VALUES, LEGAL_FORM_CW)
        manufacturing = "13" <= division <= "43"
        city = city.removesuffix("市")
        shape = rng.random()
        if shape < 0.15:  # 华信精密机械（杭州）有限公司
            return f"{brand}{word}（{city}）{form}"
        if manufacturing and not quality and shape > 0.96:
            form = "厂"
        prefix = place if shape < 0.55 else city
        return f"{prefix}{brand}{word}{form}"

    # --- Pledges -----------------------------------------------------------------------

    def _write_campaign(self, index: int) -> dict:
        campaign = self.campaigns[index]
        records = self._campaign_pledges(campaign, self.members[index])
        enterprise_ids = self.enterprise_ids
        user = self.user.pk

        def write(ids, chunk):
            pledges, certificates, events = [], [], []
            for pk, record in zip(ids, chunk, strict=True):
                (enterprise, state, created, submitted, decided, updated, sequence, certificate,
                 (signer, title, authorised), revoked, reason) = record  # fmt: skip
                enterprise_id = enterprise_ids[enterprise]
                pledges.append(
                    (pk, enterprise_id, campaign.pk, state, PLEDGE_TEXT, campaign.text_sha256,
                     signer, title, authorised, "", "", user, created, updated, submitted,
                     decided, None, None)
                )  # fmt: skip
                if sequence is not None:
                    to_number, to_render, _to_mail, sha256 = certificate
                    issued = decided + timedelta(seconds=to_number)
                    rendered = issued + timedelta(seconds=to_render)
                    number = f"{campaign.number_prefix}-{campaign.year}-{sequence:06d}"
                    certificates.append(
                        (pk, campaign.pk, Certificate.State.READY, sequence, number, "", sha256,
                         None, 1, "", decided, issued, rendered,
                         decided)
                    )  # fmt: skip
                if revoked is not None:
                    events.append(
                        (AuditEvent.Action.PLEDGE_REVOKED, user, enterprise_id, pk, campaign.pk,
                         S.APPROVED, S.REVOKED, reason, {}, revoked)
                    )  # fmt: skip
            self.writer.write(Pledge, PLEDGE_COLUMNS, pledges)
            self.writer.write(Certificate, CERTIFICATE_COLUMNS, certificates)
            self.writer.write(AuditEvent, EVENT_COLUMNS, events)

        preallocated = self.pledge_ids[index] if self.preallocated else None
        self._in_batches(Pledge, write, records, preallocated)
        result = Counter(record[1] for record in records)
        result.update(
            campaign=index,
            pledges=len(records),
            certificates=sum(record[6] is not None for record in records),
            events=result[S.REVOKED],
        )
        return dict(result)

    def _campaign_pledges(self, campaign, enterprises) -> list:
        """The campaign's pledges in the order they were started, everything random drawn:
        (enterprise index, state, created, submitted, decided, updated, certificate number,
        certificate details, signer, revoked at, reason)."""
        rng = random.Random(f"{self.seed}-campaign-{campaign.year}")
        now = self.now.astimezone(UTC)
        states, cw = _weighted(LATEST_STATES if campaign.latest else PAST_STATES)
        start, end = campaign.window
        span = (end - start).total_seconds()
        until_now = (now - timedelta(minutes=5) - start).total_seconds()
        random_ = rng.random
        records = []
        for enterprise in enterprises:
            state = states[bisect(cw, random_() * cw[-1])]
            # More signatures early: September is Quality Month.
            submitted = start + timedelta(seconds=span * 0.97 * random_() ** 1.4)
            created = max(submitted - timedelta(seconds=600 + 258_600 * random_()), start)
            decided = revoked = reason = certificate = None
            if state in DECIDED_STATES:
                decided = min(submitted + timedelta(seconds=7200 + 511_200 * random_()), end)
            updated = decided or submitted
            if state == S.REVOKED:
                # Some weeks or months later, never in the future.
                after = (decided - start).total_seconds()
                revoked = min(
                    decided + timedelta(days=20 + 380 * random_()),
                    start + timedelta(seconds=after + (until_now - after) * random_()),
                )
                updated = revoked
                reason = rng.choice(REVOKE_REASONS)
            elif state == S.DRAFT:
                submitted, updated = None, created + timedelta(seconds=60 + 7140 * random_())
            elif state == S.WITHDRAWN:
                updated = min(submitted + timedelta(seconds=3600 + 428_400 * random_()), end)
            if state in (S.APPROVED, S.REVOKED):
                certificate = (
                    5 + 115 * random_(),  # seconds from the approval to the number
                    1 + 5 * random_(),  # … to the rendering
                    1 + 29 * random_(),  # … to the e-mail
                    f"{rng.getrandbits(256):064x}",  # stands in for the file's SHA-256
                )
            signer = (
                rng.choice(PEOPLE),
                _pick(rng, SIGNER_TITLE_VALUES, SIGNER_TITLE_CW),
                state != S.DRAFT or random_() < 0.5,
            )
            records.append(
                [enterprise, state, created, submitted, decided, updated, None, certificate,
                 signer, revoked, reason]
            )  # fmt: skip
        # Certificates are numbered in the order of approval.
        published = sorted((r for r in records if r[7] is not None), key=lambda r: r[4])
        for sequence, record in enumerate(published, start=1):
            record[6] = sequence
        records.sort(key=lambda r: r[2])  # keys follow the creation time
        return records

    def _publish(self) -> int:
        """The published record of the bulk pledges, as their decisions make it, in one
        INSERT … SELECT (pledges.services.publication writes it one decision at a time;
        `manage.py rebuild_published --check` confirms the two agree)."""
        china_day = {
            "postgresql": "(({column}) AT TIME ZONE 'Asia/Shanghai')::date",
            "sqlite": "DATE({column}, '+8 hours')",
        }[connection.vendor]
        day = {name: china_day.format(column=column) for name, column in (
            ("signed", "p.submitted_at"), ("issued", "c.issued_at"))}  # fmt: skip
        table = {model: model._meta.db_table for model in (
            Listing, Pledge, Enterprise, Industry, Campaign, Certificate, AuditEvent)}  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            version = PublicDataVersion.objects.select_for_update().get_or_create(pk=1)[0]
            cursor.execute(
                f"""
                INSERT INTO {table[Listing]} (
                    pledge_id, enterprise_id, campaign_id, year, status, name, name_en,
                    credit_code, province_id, city, industry_id, section_id, website,
                    text_sha256, signed_on, approved_at, revoked_at, revocation_reason,
                    certificate_number, certificate_sha256, certificate_issued_on,
                    corrections, search_ngrams, final_at, objection_open, objection_outcomes,
                    sequence, changed_at)
                SELECT p.id, e.id, p.campaign_id, k.year,
                    CASE p.state WHEN 'revoked' THEN 'revoked' ELSE 'listed' END,
                    e.name, e.name_en, e.credit_code, e.province_id, e.city, e.industry_id,
                    i.section_id, e.website, p.text_sha256, {day["signed"]}, p.decided_at,
                    v.created_at, COALESCE(v.reason, ''), COALESCE(c.number, ''),
                    COALESCE(c.sha256, ''), {day["issued"]}, '[]', e.search_ngrams,
                    p.decided_at, FALSE, '[]',
                    %s + ROW_NUMBER() OVER (ORDER BY p.decided_at, p.id),
                    COALESCE(v.created_at, p.decided_at)
                FROM {table[Pledge]} p
                JOIN {table[Enterprise]} e ON e.id = p.enterprise_id
                JOIN {table[Industry]} i ON i.code = e.industry_id
                JOIN {table[Campaign]} k ON k.id = p.campaign_id
                LEFT JOIN {table[Certificate]} c
                    ON c.pledge_id = p.id AND c.number <> '' AND c.rendered_at IS NOT NULL
                LEFT JOIN {table[AuditEvent]} v
                    ON v.pledge_id = p.id AND v.action = 'pledge_revoked'
                WHERE p.state IN ('approved', 'revoked') AND p.decided_at IS NOT NULL
                    AND e.contact_email LIKE %s
                    AND NOT EXISTS (SELECT 1 FROM {table[Listing]} l WHERE l.pledge_id = p.id)
                """,  # noqa: S608 (table names from the models, values as parameters)
                [version.version, f"%@{BULK_EMAIL_DOMAIN}"],
            )
            inserted = cursor.rowcount
            top = Listing.objects.aggregate(top=models.Max("sequence"))["top"] or 0
            PublicDataVersion.objects.filter(pk=1).update(
                version=max(top, version.version) + 1, changed_at=timezone.now()
            )
            self._count_listings()
        PublicDataVersion.forget()
        return inserted

    def _count_listings(self):
        """The tallies from the listings, all of them (the record's statistics)."""
        ListingTally.objects.all().delete()
        ListingTally.objects.bulk_create(
            ListingTally(year=row["year"], province=row["province_id"],
                         section=row["section_id"], status=row["status"], count=row["n"])
            for row in Listing.objects.filter(status__in=("listed", "revoked"))
            .values("year", "province_id", "section_id", "status")
            .annotate(n=models.Count("pk")).order_by()
        )  # fmt: skip

    def _analyse(self):
        tables = ", ".join(
            connection.ops.quote_name(model._meta.db_table)
            for model in (Enterprise, Campaign, Pledge, Certificate, AuditEvent, Listing)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


def _industry_weight(code: str) -> float:
    """How common each division is among signatories: manufacturing first."""
    number = int(code)
    if 13 <= number <= 43:
        return {16: 0.3, 25: 0.8}.get(number, 3.0)
    if number == 74:
        return 2.5
    for low, high, weight in [
        (1, 5, 1.0), (6, 12, 0.5), (44, 46, 0.8), (47, 50, 2.0), (51, 52, 2.5),
        (53, 60, 0.8), (61, 62, 1.0), (63, 65, 1.5), (66, 69, 0.5), (70, 70, 1.0),
        (71, 75, 1.5), (76, 79, 0.4), (80, 82, 0.8), (83, 89, 0.6), (90, 90, 0.5),
    ]:  # fmt: skip
        if low <= number <= high:
            return weight
    return 0.03  # 91–97: public bodies and organisations, rare among signatories
