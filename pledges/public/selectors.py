"""Reads of everything public: the list, an enterprise's page, the open data (CSV, the JSON
feed, statistics, the sitemap) and certificate verification.

Everything here reads the published record (Listing, ListingTally, SupersededCertificate),
which only reviewed decisions write, and nothing live: an enterprise's own edits reach the
public only through a reviewer. Listings are shown listed or revoked (marked so). Paging is
by keyset (the last row's sort key), so the last page costs what the first does. Counts and
statistics are cached per version of the public data, which every publication moves, so a
change shows at the next request. The record holds no private field (contacts, files,
reviewers, notes), so none can be printed.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..certificates.selectors import Revocation
from ..history.selectors import credit_code_standing, imported_years, this_year
from ..history.standing import SignedYear, Standing, standing
from ..models import (
    SHOWN_STATUSES,
    Listing,
    ListingTally,
    SupersededCertificate,
)
from ..reference import china_date
from ..search import is_credit_code, name_or_code_condition
from ..validators import normalise_certificate_number, normalise_credit_code
from .cache import cache_key
from .forms import PublicFilterForm
from .listing_sql import (
    ORDERS,
    Where,
    add_cursor,
    columns_sql,
    converted,
    db_datetime,
    fetch,
    listing_where,
    order_by,
)
from .names import public_names
from .records import LIST_COLUMNS, PublicListing, enterprise_listings, pledge_url_pattern, shown

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
    run: int = 0  # signed at least this many years in a row (0: any)
    lapsed: bool = False

    def cache_key(self) -> str:
        return json.dumps(
            [self.q, self.year, self.province, self.industry, self.run, self.lapsed],
            ensure_ascii=True,
        )


def filter_choices():
    """Years (newest first), provinces and industries for the filters."""
    names = public_names()
    return names.years, names.provinces, names.industries


def parse_public_query(params, *, english: bool):
    """The filter form (with its errors, shown at the field) and the query it stands for."""
    names = public_names()
    years = names.years
    form = PublicFilterForm(params or None, choices=names.prepared(english, _filter_choices))
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
        run=int(data["run"] or 0),
        lapsed=data["standing"] == "lapsed",
    )


def _filter_choices(names, english: bool):
    index = 2 if english else 1
    return PublicFilterForm.prepare(
        years=names.years,
        provinces=[(row[0], row[index]) for row in names.provinces],
        industries=[
            (row[0], ("" if row[3] == "section" else "\u2003") + f"{row[0]} {row[index]}")
            for row in names.industries
        ],
    )


FEED_STATUSES = (*SHOWN_STATUSES, Listing.Status.REMOVED)


def _matching(query: PublicQuery, *, statuses=SHOWN_STATUSES) -> Q:
    """The filters other than the year, on listings of ``statuses`` (shown ones)."""
    condition = Q(status__in=statuses)
    if query.province:
        condition &= Q(province_id=query.province)
    if query.industry:
        if len(query.industry) == 1:  # a section letter
            condition &= Q(section_id=query.industry)
        else:
            condition &= Q(industry_id=query.industry)
    if query.q:
        condition &= name_or_code_condition(query.q, prefix="", model=Listing)
    if query.run:
        condition &= Q(run_years__gte=query.run)
    if query.lapsed:
        condition &= Q(lapsed=True)
    return condition


def public_listings(query: PublicQuery) -> QuerySet[Listing]:
    listings = Listing.objects.filter(_matching(query))
    if query.year:
        listings = listings.filter(year=query.year)
    return listings


# A search counts its matches up to this many: "more than 1,000" says enough, and counting
# every listing that holds a common pair of characters costs more than the page.
SEARCH_COUNT_LIMIT = 1000


def public_count(query: PublicQuery) -> tuple[int, bool]:
    """How many listings match, and whether that is only the lower bound of a search."""
    key = cache_key("public-count", query.cache_key())

    def count():
        listings = public_listings(query)
        if not query.q:
            return listings.count(), False
        found = listings.order_by()[: SEARCH_COUNT_LIMIT + 1].count()  # any 1,001 will do
        return min(found, SEARCH_COUNT_LIMIT), found > SEARCH_COUNT_LIMIT

    return tuple(cache.get_or_set(key, count, COUNT_TTL))


# --- Keyset paging --------------------------------------------------------------------------


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


def list_page(
    query: PublicQuery, *, english: bool, after: str = "", before: str = "", last: bool = False
) -> tuple[PublicPage, int, bool]:
    """One page of the list (PublicListings), moving after/before a cursor or to the last
    page, with the count of matches and whether it is only a lower bound.

    A narrow query (a name search, a province, an industry) first takes its matches, at most
    SEARCH_COUNT_LIMIT + 1, in whatever order an index gives them. When there are no more
    than that, they are the count, and the page is sorted from among them, in the same
    query: a rare term never walks the year's listings newest first hoping to meet twenty
    matches. When there are more, the page is read in order (a common term fills it at once)
    and counted: a search as "more than" the limit, a filter exactly.
    """
    backwards = bool(before) or last
    cursor = decode_cursor(before or after, query.sort) if (before or after) else None
    searched = bool(query.q) and not is_credit_code(query.q)
    if searched or query.province or query.industry or query.run or query.lapsed:
        count, rows = _narrow_rows(query, cursor, backwards=backwards)
        if count <= SEARCH_COUNT_LIMIT:
            return _page(query, rows, cursor, backwards, last, english=english), count, False
    rows = _ordered_rows(query, cursor, backwards=backwards)
    page = _page(query, rows, cursor, backwards, last, english=english)
    return (page, SEARCH_COUNT_LIMIT, True) if searched else (page, *public_count(query))


def _ordered_rows(query: PublicQuery, cursor, *, backwards: bool) -> list:
    """The page's rows (one more, to tell whether another page follows), in order."""
    where = listing_where(query)
    if cursor is not None:
        add_cursor(where, query.sort, cursor, backwards=backwards)
    order = order_by(query.sort, backwards=backwards)
    sql = f"SELECT {columns_sql(LIST_COLUMNS)} FROM {Listing._meta.db_table} WHERE {where.sql} ORDER BY {order} LIMIT %s"  # noqa: E501, S608
    return fetch(sql, [*where.params, PAGE_SIZE + 1])


def _narrow_rows(query: PublicQuery, cursor, *, backwards: bool) -> tuple[int, list]:
    """How many listings match (up to SEARCH_COUNT_LIMIT + 1) and, if no more than the
    limit, the page's rows sorted from among them; one statement."""
    table = Listing._meta.db_table
    matching = listing_where(query)
    page = Where()
    page.add("pledge_id IN (SELECT pledge_id FROM hits)")
    page.add("(SELECT count(*) FROM hits) <= %s", SEARCH_COUNT_LIMIT)  # else: not needed
    if cursor is not None:
        add_cursor(page, query.sort, cursor, backwards=backwards)
    order = order_by(query.sort, backwards=backwards)
    # Table and column names from the model; every value is a parameter.
    sql = (
        f"WITH hits AS (SELECT pledge_id FROM {table} WHERE {matching.sql} LIMIT %s)"  # noqa: S608
        f" SELECT counted.n, {columns_sql(LIST_COLUMNS, 'found.')}"
        " FROM (SELECT count(*) AS n FROM hits) AS counted LEFT JOIN"
        f" (SELECT {columns_sql(LIST_COLUMNS, plain=True)} FROM {table} WHERE {page.sql}"
        f" ORDER BY {order}"
        " LIMIT %s) AS found ON 1 = 1"
        f" ORDER BY {order_by(query.sort, backwards=backwards, table='found.')}"
    )
    params = [*matching.params, SEARCH_COUNT_LIMIT + 1, *page.params, PAGE_SIZE + 1]
    rows = fetch(sql, params)
    return rows[0][0], [row[1:] for row in rows if row[1] is not None]


def _page(query, rows, cursor, backwards: bool, last: bool, *, english: bool) -> PublicPage:
    items = shown(converted(rows, LIST_COLUMNS), english=english, columns=LIST_COLUMNS)
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


def _key(listing: PublicListing, sort: str):
    if sort == "name":
        return listing.name, listing.pk
    return listing.approved_at, listing.pk


# --- One enterprise's page ------------------------------------------------------------------


def public_listing(pledge_id: int, *, english: bool):
    """The listing (removed ones included: their page says so, with nothing of them) and
    the enterprise's other shown listings, newest first; (None, []) if there is none."""
    listings = enterprise_listings(pledge_id, english=english)
    found = [listing for listing in listings if listing.pk == pledge_id]
    if not found:
        return None, []
    others = [
        listing
        for listing in listings
        if listing.pk != pledge_id and listing.status in SHOWN_STATUSES
    ]
    return found[0], others


def listing_standing(listing: PublicListing, others: list[PublicListing]) -> Standing:
    """The years the listing's enterprise signed, here (``listing`` and ``others``) and in
    the association's imported lists."""
    years = [
        SignedYear(year=shown.year, revoked=shown.is_revoked, name=shown.name, url=shown.url)
        for shown in (listing, *others)
        if shown.status in SHOWN_STATUSES
    ]
    year, signing_open = this_year(public_names().schedule)
    return standing(
        years + imported_years(listing.credit_code), this_year=year, signing_open=signing_open
    )


@dataclass(frozen=True)
class CodeHistory:
    credit_code: str
    standing: Standing


def credit_code_history(raw_code: str) -> CodeHistory | None:
    """The standing of whoever holds ``raw_code``, from the published record and the
    imported years; None for a code that is not valid or has no record."""
    try:
        code = normalise_credit_code(raw_code)
    except ValidationError:
        return None
    history = credit_code_standing(
        code, url_pattern=pledge_url_pattern(), schedule=public_names().schedule
    )
    return CodeHistory(credit_code=code, standing=history) if history.years else None


def correction_history(listing: PublicListing, *, english: bool) -> list[dict]:
    """The listing's public corrections, with province and industry codes named."""
    if not listing.corrections:
        return []
    reference = public_names()
    named = {"province": reference.province_names, "industry": reference.industry_names}

    def shown_as(field: str, value: str) -> str:
        pair = named.get(field, {}).get(value)
        return pair[english] if pair else value

    return [
        {
            **entry,
            "before": shown_as(entry["field"], entry["before"]),
            "after": shown_as(entry["field"], entry["after"]),
        }
        for entry in reversed(listing.corrections)
    ]


# --- Open data ---------------------------------------------------------------------------

CHUNK_SIZE = 2000
FEED_LIMIT_DEFAULT = 50
FEED_LIMIT_MAX = 200
STATS_TTL = 300


def _values(rows: QuerySet[Listing], *names, **fields) -> QuerySet:
    """``values()`` with the open data's names: a name that is the column's own is asked
    for as such (an annotation may not shadow a field)."""
    own = [name for name, expression in fields.items() if expression.name == name]
    renamed = {name: e for name, e in fields.items() if name not in own}
    return rows.values(*names, *own, **renamed)


# What the open data says about a listing: public facts only, named for the reader.
_PUBLIC_FIELDS = {
    "year": F("year"),
    "enterprise_name": F("name"),
    "credit_code": F("credit_code"),
    "industry_code": F("industry_id"),
    "signed_on": F("signed_on"),
    "revocation_reason": F("revocation_reason"),
    "certificate_number": F("certificate_number"),
    "notice_until": F("notice_until"),
    "final_at": F("final_at"),
    "objection_open": F("objection_open"),
    "objection_outcomes": F("objection_outcomes"),
}
_NAMES = {
    "province_name": F("province__name"),
    "industry_name": F("industry__name"),
}
_ENGLISH_NAMES = {
    "province_name_en": F("province__name_en"),
    "industry_name_en": F("industry__name_en"),
}
# The feed's own columns; the province's and industry's names are added from .names (one
# table read, no joins to plan).
FEED_FIELDS = {
    **_PUBLIC_FIELDS,
    "enterprise_name_en": F("name_en"),
    "province_code": F("province_id"),
    "industry_section": F("section_id"),
    "approved_at": F("approved_at"),
    "revoked_at": F("revoked_at"),
    "sequence": F("sequence"),
    "updated_at": F("changed_at"),
    "corrections": F("corrections"),
}


def notice_until_shown(row: dict) -> date | None:
    """The last day of an open data row's public notice while it runs (as Listing.in_notice
    says of a listing); None once final, or revoked."""
    in_notice = row["status"] == Listing.Status.LISTED and row["final_at"] is None
    return row["notice_until"] if in_notice else None


# --- CSV export -----------------------------------------------------------------------------


def export_rows(query: PublicQuery, *, english: bool):
    """Every published listing matching ``query`` (dicts of public fields, names in one
    language), in the list's order, streamed in chunks: one query however many rows."""
    column, descending = ORDERS[query.sort]
    ordering = [f"-{name}" if descending else name for name in (column, "pledge_id")]
    names = {
        "province_name": _ENGLISH_NAMES["province_name_en"] if english else _NAMES["province_name"],
        "industry_name": _ENGLISH_NAMES["industry_name_en"] if english else _NAMES["industry_name"],
    }
    rows = _values(public_listings(query), "status", **_PUBLIC_FIELDS, **names)
    rows = rows.order_by(*ordering)
    return rows.iterator(chunk_size=CHUNK_SIZE)


# --- JSON feed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedPage:
    rows: list[dict]
    next_key: int | None


def feed_page(
    query: PublicQuery,
    *,
    since: datetime | None = None,
    after: int | None = None,
    limit: int = FEED_LIMIT_DEFAULT,
) -> FeedPage:
    """One page of listings in the order they last changed (their ``sequence``).

    Every publication gives the listings it changes the next public data version, and
    publications commit in version order (pledges.services.publication), so a reader
    following ``next`` and then polling with ``since`` or the last cursor sees every change
    once, with no change committing behind it later. A take-down is reported as state
    "removed" with nothing of the enterprise.
    """
    # Take-downs too (readers must learn of them to delete what they copied): a removed
    # listing keeps its province and industry codes for this, and names nothing; a search by
    # name or code cannot find it.
    if query.q:
        where = listing_where(query, removed_too=True)
    else:
        where = listing_where(query, statuses=FEED_STATUSES)
    if since is not None:
        where.add("changed_at > %s", db_datetime(since))
    if after is not None:
        where.add("sequence > %s", after)
    # Plain columns, named for the reader afterwards.
    columns = ("pledge_id", "status", *(expression.name for expression in FEED_FIELDS.values()))
    names = ["pledge_id", "status", *FEED_FIELDS]
    sql = f"SELECT {columns_sql(columns)} FROM {Listing._meta.db_table} WHERE {where.sql} ORDER BY sequence LIMIT %s"  # noqa: E501, S608
    found = [
        dict(zip(names, row, strict=True))
        for row in converted(fetch(sql, [*where.params, limit + 1]), columns)
    ]
    page = found[:limit]
    more = len(found) > limit
    reference = public_names()
    for row in page:
        for prefix, name in (("province", reference.province), ("industry", reference.industry)):
            row[f"{prefix}_name"] = name(row[f"{prefix}_code"], english=False)
            row[f"{prefix}_name_en"] = name(row[f"{prefix}_code"], english=True)
    return FeedPage(page, page[-1]["sequence"] if more else None)


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
    section (listed: in good standing), for one year or all. Read from the tallies kept with
    the record (a few hundred rows), cached per version of the public data.
    """
    return cache.get_or_set(cache_key("public-stats", year), lambda: _stats(year), STATS_TTL)


def _stats(year: int | None) -> PublicStats:
    """Summed in the database: two grouped reads of the tallies (per year, status and
    province; per section) instead of every tally row (years × provinces × sections ×
    statuses: thousands) summed here."""
    campaign_years, provinces, industries = filter_choices()
    tallies = ListingTally.objects.filter(count__gt=0)
    per_year: dict[int, dict[str, int]] = {}
    by_province: dict[str, int] = {}
    for tally_year, status, province, count in (
        tallies.values_list("year", "status", "province").annotate(Sum("count")).order_by()
    ):
        counts = per_year.setdefault(tally_year, {})
        counts[status] = counts.get(status, 0) + count
        if status == Listing.Status.LISTED and year in (None, tally_year):
            by_province[province] = by_province.get(province, 0) + count
    listed = tallies.filter(status=Listing.Status.LISTED)
    if year is not None:
        listed = listed.filter(year=year)
    by_section = dict(listed.values_list("section").annotate(Sum("count")).order_by())
    years = [
        YearRow(
            y,
            per_year.get(y, {}).get(Listing.Status.LISTED, 0),
            per_year.get(y, {}).get(Listing.Status.REVOKED, 0),
        )
        for y in sorted(set(campaign_years) | set(per_year))
    ]
    sections = [
        (code, name, name_en) for code, name, name_en, level in industries if level == "section"
    ]
    return PublicStats(
        years=years,
        provinces=_rows(provinces, by_province),
        sections=_rows(sections, by_section),
    )


def _rows(reference, counts: dict[str, int]) -> list[StatRow]:
    rows = [
        StatRow(code, name, name_en, counts[code])
        for code, name, name_en in reference
        if counts.get(code)
    ]
    return sorted(rows, key=lambda row: (-row.count, row.code))


# --- Sitemap --------------------------------------------------------------------------------


def sitemap_listings() -> QuerySet[Listing]:
    """Pages worth indexing: listed pledges (revoked pages ask not to be indexed)."""
    return (
        Listing.objects.filter(status=Listing.Status.LISTED)
        .only("pledge_id", "changed_at")
        .order_by("pledge_id")
    )


# --- Certificate verification ---------------------------------------------------------------
#
# The public verification answers with a ``Verification``: only what is printed on the
# certificate (plus its file's SHA-256 and, for a revoked pledge, the public reason), read
# from the published record. Nothing else of the enterprise, the pledge or the reviewers can
# reach the public page.

VALID = "valid"
REVOKED = "revoked"
SUPERSEDED = "superseded"
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
    # For a superseded certificate: the number that replaced it (empty while it is rendered).
    replaced_by: str = ""
    superseded_on: date | None = None
    # A valid certificate whose listing is still in public notice: the notice's last day.
    notice_until: date | None = None
    # Its listing is under review after an objection.
    objection_open: bool = False

    @property
    def is_valid(self) -> bool:
        return self.outcome == VALID

    @property
    def is_revoked(self) -> bool:
        return self.outcome == REVOKED

    @property
    def is_superseded(self) -> bool:
        return self.outcome == SUPERSEDED

    @property
    def is_unknown(self) -> bool:
        return self.outcome == UNKNOWN


def certificate_verification(number: str) -> Verification:
    """Valid (listed), revoked (the pledge was revoked or taken down after its certificate
    was issued), superseded (replaced after an approved rename) or unknown.

    ``number`` must already be normalised; anything else is unknown without a query.
    """
    if normalise_certificate_number(number) != number:
        return Verification(outcome=UNKNOWN)
    listing = Listing.objects.select_related("campaign").filter(certificate_number=number).first()
    if listing is not None:
        revoked = None
        if listing.status != Listing.Status.LISTED:
            revoked = Revocation(
                reason=listing.revocation_reason, revoked_on=china_date(listing.revoked_at)
            )
        return Verification(
            outcome=VALID if revoked is None else REVOKED,
            number=number,
            enterprise_name=listing.name,
            credit_code=listing.credit_code,
            campaign_title=listing.campaign.title,
            campaign_year=listing.year,
            issued_on=listing.certificate_issued_on,
            sha256=listing.certificate_sha256,
            revocation=revoked,
            notice_until=listing.notice_until if listing.in_notice else None,
            objection_open=listing.objection_open and revoked is None,
        )
    superseded = (
        SupersededCertificate.objects.select_related("pledge__campaign", "pledge__listing")
        .filter(number=number)
        .first()
    )
    if superseded is None:
        return Verification(outcome=UNKNOWN)
    successor = superseded.pledge.listing
    if successor.status == Listing.Status.REMOVED:
        return Verification(outcome=REVOKED, number=number)
    return Verification(
        outcome=SUPERSEDED,
        number=number,
        enterprise_name=superseded.enterprise_name,
        credit_code=superseded.credit_code,
        campaign_title=superseded.pledge.campaign.title,
        campaign_year=superseded.pledge.campaign.year,
        issued_on=superseded.issued_on,
        sha256=superseded.sha256,
        replaced_by=successor.certificate_number,
        superseded_on=china_date(superseded.superseded_at),
    )
