"""Reads of everything public: the list, an enterprise's page, the open data (CSV, the JSON
feed, statistics, the sitemap) and certificate verification.

Only reviewed pledges are public (approved, or revoked and marked so). Paging is by keyset
(the last row's sort key), so the last page costs what the first does. Counts and statistics
are cached per version of the public data, which every approval and revocation moves, so a
change shows at the next request. The open data reads named columns with ``values()``, so no
private field (contacts, files, reviewers, notes) is ever loaded, let alone printed.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..certificates.selectors import Revocation, revocation
from ..models import PUBLIC_STATES, AuditEvent, Campaign, Certificate, Industry, Pledge, Province
from ..reference import CHINA_TZ, china_date
from ..search import name_or_code_condition
from ..validators import normalise_certificate_number
from .cache import cache_key, public_data_version
from .forms import PublicFilterForm

State = Pledge.State
PAGE_SIZE = 20
COUNT_TTL = 300
# Primary keys are 64-bit integers at most.
MAX_ID = 2**63


@dataclass(frozen=True)
class PublicQuery:
    q: str = ""
    year: int | None = None
    province: str = ""
    industry: str = ""
    sort: str = "newest"

    def cache_key(self) -> str:
        return json.dumps([self.q, self.year, self.province, self.industry], ensure_ascii=True)


def filter_choices():
    """Years, provinces and industries for the filters (cached: they rarely change)."""

    def load():
        years = list(Campaign.objects.order_by("-year").values_list("year", flat=True))
        provinces = [(p.code, p.name, p.name_en) for p in Province.objects.all()]
        industries = [
            (i.code, i.name, i.name_en, i.level) for i in Industry.objects.order_by("position")
        ]
        return years, provinces, industries

    return cache.get_or_set(f"public-filter-choices:{public_data_version()}", load, 3600)


def parse_public_query(params, *, english: bool):
    """The filter form (with its errors, shown at the field) and the query it stands for."""
    years, provinces, industries = filter_choices()
    index = 2 if english else 1
    form = PublicFilterForm(
        params or None,
        years=years,
        provinces=[(row[0], row[index]) for row in provinces],
        industries=[
            (row[0], ("" if row[3] == "section" else "\u2003") + f"{row[0]} {row[index]}")
            for row in industries
        ],
    )
    if not params:
        return form, PublicQuery(year=years[0] if years else None)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    year = data["year"] if "year" in params else (years[0] if years else None)
    return form, PublicQuery(
        q=data["q"].strip(),
        year=year,
        province=data["province"],
        industry=data["industry"],
        sort=data["sort"] or "newest",
    )


def public_pledges(query: PublicQuery) -> QuerySet[Pledge]:
    pledges = Pledge.objects.filter(state__in=PUBLIC_STATES)
    if query.year:
        # By the campaign's id (a scalar subquery), not through a join on its year: then
        # PostgreSQL reads the campaign's rows from an index already in the page's order.
        campaign = Campaign.objects.filter(year=query.year).values("pk")[:1]
        pledges = pledges.filter(campaign_id=Subquery(campaign))
    if query.province:
        pledges = pledges.filter(enterprise__province_id=query.province)
    if query.industry:
        if len(query.industry) == 1:  # a section letter
            pledges = pledges.filter(enterprise__industry__section_id=query.industry)
        else:
            pledges = pledges.filter(enterprise__industry_id=query.industry)
    if query.q:
        pledges = pledges.filter(name_or_code_condition(query.q))
    return pledges


def public_count(query: PublicQuery) -> int:
    key = cache_key("public-count", query.cache_key())
    return cache.get_or_set(key, lambda: public_pledges(query).count(), COUNT_TTL)


# --- Keyset paging --------------------------------------------------------------------------

ORDERINGS = {
    "newest": (("decided_at", True), ("id", True)),
    "name": (("enterprise__name", False), ("id", False)),
}


@dataclass
class PublicPage:
    items: list = field(default_factory=list)
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True
    is_last: bool = True


def encode_cursor(values) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str):
    """The sort key a cursor holds, or None for anything ``encode_cursor`` did not write."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        first, last_id = json.loads(raw)
        if sort == "newest":
            first = parse_datetime(first)
            if first is None or timezone.is_naive(first):
                return None
            first.astimezone(UTC)  # out of the database's range in UTC: OverflowError
        elif not isinstance(first, str) or "\x00" in first:  # PostgreSQL refuses NUL in text
            return None
        if type(last_id) is not int or not 0 < last_id < MAX_ID:
            return None
        return first, last_id
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None


def _after(sort: str, key, *, backwards: bool) -> Q:
    (first_field, descending), (id_field, _) = ORDERINGS[sort]
    value, last_id = key
    go_lower = descending != backwards
    op = "lt" if go_lower else "gt"
    return Q(**{f"{first_field}__{op}": value}) | Q(
        **{first_field: value, f"{id_field}__{op}": last_id}
    )


def _ordering(sort: str, *, backwards: bool):
    fields = []
    for name, descending in ORDERINGS[sort]:
        expression = F(name)
        fields.append(expression.asc() if descending == backwards else expression.desc())
    return fields


def public_page(query: PublicQuery, *, after: str = "", before: str = "", last: bool = False):
    """One page of the list, moving after/before a cursor, or the last page."""
    rows = public_pledges(query)
    backwards = bool(before) or last
    cursor = decode_cursor(before or after, query.sort) if (before or after) else None
    if cursor is not None:
        rows = rows.filter(_after(query.sort, cursor, backwards=backwards))
    # The page's ids first, then their rows with what they show: joined to the match of a
    # search (thousands of rows), the display tables would be read thousands of times.
    ordering = _ordering(query.sort, backwards=backwards)
    ids = list(rows.order_by(*ordering).values_list("pk", flat=True)[: PAGE_SIZE + 1])
    items = list(
        Pledge.objects.filter(pk__in=ids)
        .select_related("enterprise__province", "enterprise__industry", "campaign", "certificate")
        .order_by(*ordering)
    )
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    if backwards:
        items.reverse()
    page = PublicPage(items=items)
    if items:
        page.next_cursor = encode_cursor(_key(items[-1], query.sort))
        page.previous_cursor = encode_cursor(_key(items[0], query.sort))
    page.is_first = (not cursor and not last) or (backwards and not more)
    page.is_last = last or (not backwards and not more)
    return page


def _key(pledge: Pledge, sort: str):
    if sort == "name":
        return pledge.enterprise.name, pledge.pk
    return pledge.decided_at, pledge.pk


# --- One enterprise's page ------------------------------------------------------------------


def public_pledge(pledge_id: int) -> Pledge | None:
    return (
        Pledge.objects.filter(pk=pledge_id, state__in=PUBLIC_STATES)
        .select_related(
            "enterprise__province", "enterprise__industry__section", "campaign", "certificate"
        )
        .first()
    )


def other_public_years(pledge: Pledge):
    return (
        Pledge.objects.filter(enterprise_id=pledge.enterprise_id, state__in=PUBLIC_STATES)
        .exclude(pk=pledge.pk)
        .select_related("campaign")
        .order_by("-campaign__year")
    )


def revocation_reasons(pledge_ids) -> dict[int, str]:
    """The public reason of each revoked pledge among ``pledge_ids``, in one query."""
    rows = (
        AuditEvent.objects.filter(pledge_id__in=pledge_ids, action=AuditEvent.Action.PLEDGE_REVOKED)
        .order_by("pledge_id", "created_at")
        .values_list("pledge_id", "reason")
    )
    return dict(rows)


# --- Open data ---------------------------------------------------------------------------

CHUNK_SIZE = 2000
FEED_LIMIT_DEFAULT = 50
FEED_LIMIT_MAX = 200
# A change reaches the feed once it is this old. updated_at is set just before its
# transaction commits, so a reader could otherwise see a later change before an earlier one
# has committed, move its cursor past it and never see it. Every transition is one short
# transaction (bulk approval commits each pledge on its own), far shorter than this.
FEED_SETTLE = timedelta(seconds=5)
STATS_TTL = 300


def _revocation(field: str):
    """The revocation event's ``field`` for revoked pledges (a revocation is final: one)."""
    events = AuditEvent.objects.filter(
        pledge_id=OuterRef("pk"), action=AuditEvent.Action.PLEDGE_REVOKED
    ).order_by("-created_at", "-id")
    return Case(When(state=State.REVOKED, then=Subquery(events.values(field)[:1])), default=None)


# What the open data says about a pledge: public facts only, named for the reader.
_PUBLIC_FIELDS = {
    "year": F("campaign__year"),
    "enterprise_name": F("enterprise__name"),
    "credit_code": F("enterprise__credit_code"),
    "industry_code": F("enterprise__industry_id"),
    # The day it was signed (last submitted), in China time.
    "signed_on": TruncDate("submitted_at", tzinfo=CHINA_TZ),
    "revocation_reason": _revocation("reason"),
    "certificate_number": F("certificate__number"),
}
_NAMES = {
    "province_name": F("enterprise__province__name"),
    "industry_name": F("enterprise__industry__name"),
}
_ENGLISH_NAMES = {
    "province_name_en": F("enterprise__province__name_en"),
    "industry_name_en": F("enterprise__industry__name_en"),
}
FEED_FIELDS = {
    **_PUBLIC_FIELDS,
    **_NAMES,
    **_ENGLISH_NAMES,
    "enterprise_name_en": F("enterprise__name_en"),
    "province_code": F("enterprise__province_id"),
    "industry_section": F("enterprise__industry__section_id"),
    # Approval sets decided_at; revocation leaves it, so it stays the approval's moment.
    "approved_at": F("decided_at"),
    "revoked_at": _revocation("created_at"),
}


# --- CSV export -----------------------------------------------------------------------------


def export_rows(query: PublicQuery, *, english: bool):
    """Every published pledge matching ``query`` (dicts of public fields, names in one
    language), in the list's order, streamed in chunks: one query however many rows."""
    ordering = [f"-{name}" if descending else name for name, descending in ORDERINGS[query.sort]]
    names = {
        "province_name": _ENGLISH_NAMES["province_name_en"] if english else _NAMES["province_name"],
        "industry_name": _ENGLISH_NAMES["industry_name_en"] if english else _NAMES["industry_name"],
    }
    rows = public_pledges(query).values("state", **_PUBLIC_FIELDS, **names).order_by(*ordering)
    return rows.iterator(chunk_size=CHUNK_SIZE)


# --- JSON feed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedPage:
    rows: list[dict]
    next_key: tuple[datetime, int] | None


def feed_page(
    query: PublicQuery,
    *,
    since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = FEED_LIMIT_DEFAULT,
) -> FeedPage:
    """One page of published pledges in the order they last changed (updated_at, id).

    Every transition sets updated_at, so an approval and a later revocation each move the
    pledge to the end: a reader following ``next`` and then polling with ``since`` sees each
    change once, and pledges approved while it pages appear after the ones it has seen.
    Pledges leave the public states only by revocation (approved → revoked, and revoked is
    final), which the feed reports as state "revoked"; there is no other way out, so no
    deletion records are needed.
    """
    rows = public_pledges(query).filter(updated_at__lte=timezone.now() - FEED_SETTLE)
    if since is not None:
        rows = rows.filter(updated_at__gt=since)
    if after is not None:
        updated_at, pk = after
        rows = rows.filter(Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, id__gt=pk))
    found = list(
        rows.values("id", "state", "updated_at", **FEED_FIELDS).order_by("updated_at", "id")[
            : limit + 1
        ]
    )
    page = found[:limit]
    more = len(found) > limit
    return FeedPage(page, (page[-1]["updated_at"], page[-1]["id"]) if more else None)


# --- Statistics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    code: str
    name: str
    name_en: str
    count: int

    def display(self, english: bool) -> str:
        return self.name_en if english else self.name


@dataclass(frozen=True)
class YearRow:
    year: int
    approved: int
    revoked: int


@dataclass(frozen=True)
class PublicStats:
    years: list[YearRow]
    provinces: list[StatRow]
    sections: list[StatRow]

    @property
    def approved(self) -> int:
        return sum(row.count for row in self.provinces)


def public_stats(year: int | None = None) -> PublicStats:
    """Published pledges per year (approved and revoked), and per province and industry
    section (approved: in good standing), for one year or all. Three grouped queries,
    cached until the public data changes (every approval and revocation bumps the version).
    """
    return cache.get_or_set(cache_key("public-stats", year), lambda: _stats(year), STATS_TTL)


def _stats(year: int | None) -> PublicStats:
    campaign_years, provinces, industries = filter_choices()
    per_year = {
        row["campaign__year"]: row
        for row in Pledge.objects.filter(state__in=PUBLIC_STATES)
        .values("campaign__year")
        .annotate(
            approved=Count("pk", filter=Q(state=State.APPROVED)),
            revoked=Count("pk", filter=Q(state=State.REVOKED)),
        )
        .order_by()
    }
    years = [
        YearRow(y, per_year.get(y, {}).get("approved", 0), per_year.get(y, {}).get("revoked", 0))
        for y in sorted(set(campaign_years) | set(per_year))
    ]
    approved = Pledge.objects.filter(state=State.APPROVED)
    if year is not None:
        approved = approved.filter(campaign__year=year)
    by_province = _counts(approved, "enterprise__province_id")
    by_section = _counts(approved, "enterprise__industry__section_id")
    sections = [
        (code, name, name_en) for code, name, name_en, level in industries if level == "section"
    ]
    return PublicStats(
        years=years,
        provinces=_rows(provinces, by_province),
        sections=_rows(sections, by_section),
    )


def _counts(pledges: QuerySet[Pledge], column: str) -> dict[str, int]:
    return dict(pledges.values_list(column).annotate(count=Count("pk")).order_by())


def _rows(reference, counts: dict[str, int]) -> list[StatRow]:
    rows = [
        StatRow(code, name, name_en, counts[code])
        for code, name, name_en in reference
        if counts.get(code)
    ]
    return sorted(rows, key=lambda row: (-row.count, row.code))


# --- Sitemap --------------------------------------------------------------------------------


def sitemap_pledges() -> QuerySet[Pledge]:
    """Pages worth indexing: approved pledges (revoked pages ask not to be indexed)."""
    return Pledge.objects.filter(state=State.APPROVED).only("id", "updated_at").order_by("id")


# --- Certificate verification ---------------------------------------------------------------
#
# The public verification answers with a ``Verification``: only what is printed on the
# certificate (plus its file's SHA-256 and, for a revoked pledge, the public reason). Nothing
# else of the enterprise, the pledge or the reviewers can reach the public page.

VALID = "valid"
REVOKED = "revoked"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show; nothing private is ever put here."""

    outcome: str
    number: str = ""
    enterprise_name: str = ""
    credit_code: str = ""
    campaign_title: str = ""
    campaign_year: int | None = None
    issued_on: date | None = None
    sha256: str = ""
    revocation: Revocation | None = None

    @property
    def is_valid(self) -> bool:
        return self.outcome == VALID

    @property
    def is_revoked(self) -> bool:
        return self.outcome == REVOKED

    @property
    def is_unknown(self) -> bool:
        return self.outcome == UNKNOWN


def certificate_verification(number: str) -> Verification:
    """Valid (approved, certificate rendered), revoked (the pledge was revoked after its
    certificate was issued) or unknown (no such number, or not ready yet).

    ``number`` must already be normalised; anything else is unknown without a query.
    """
    if normalise_certificate_number(number) != number:
        return Verification(outcome=UNKNOWN)
    certificate = (
        Certificate.objects.select_related("pledge__enterprise", "campaign")
        .filter(number=number)
        .first()
    )
    if certificate is None:
        return Verification(outcome=UNKNOWN)
    pledge = certificate.pledge
    # A certificate being rendered again keeps its number and its earlier file: still valid.
    if pledge.state == Pledge.State.APPROVED and certificate.rendered_at is not None:
        outcome, revoked = VALID, None
    elif pledge.state == Pledge.State.REVOKED and certificate.rendered_at is not None:
        # It was issued once (a file with this number exists somewhere): say it is revoked.
        outcome, revoked = REVOKED, revocation(pledge)
    else:
        return Verification(outcome=UNKNOWN)
    return Verification(
        outcome=outcome,
        number=certificate.number,
        enterprise_name=pledge.enterprise.name,
        credit_code=pledge.enterprise.credit_code,
        campaign_title=certificate.campaign.title,
        campaign_year=certificate.campaign.year,
        issued_on=china_date(certificate.issued_at),
        sha256=certificate.sha256,
        revocation=revoked,
    )
