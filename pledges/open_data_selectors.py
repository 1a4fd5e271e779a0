"""Reads behind the open data: the CSV export, the JSON API, the statistics and the sitemap.

Everything here starts from ``public_selectors.public_pledges`` (approved or revoked pledges
only) and reads named columns with ``values()``, so no private field (contacts, files,
reviewers, notes) is ever loaded, let alone printed. Each read is one query, whatever the
number of rows; revocation reasons come from a subquery, not a query per row.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from .exports import REPORT_TZ
from .models import AuditEvent, Pledge
from .public_selectors import (
    ORDERINGS,
    PUBLIC_STATES,
    PublicQuery,
    cache_key,
    filter_choices,
    public_pledges,
)

State = Pledge.State
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
    "signed_on": TruncDate("submitted_at", tzinfo=REPORT_TZ),
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
