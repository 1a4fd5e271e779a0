"""Reads of the public list: only reviewed pledges (approved, or revoked and marked so).

Paging is by keyset (the last row's sort key), so the last page costs what the first does.
Counts are cached per filter and per version of the public data, which every approval,
revocation and profile change bumps (pledges.receivers), so a change shows within seconds.
"""

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django import forms
from django.core.cache import cache
from django.db.models import F, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import Campaign, Industry, Pledge, Province
from .search import name_search_condition
from .validators import normalise_credit_code

PUBLIC_STATES = (Pledge.State.APPROVED, Pledge.State.REVOKED)
PAGE_SIZE = 20
VERSION_KEY = "public-data-version"
COUNT_TTL = 300
# Primary keys are 64-bit integers at most.
MAX_ID = 2**63


def cache_key(prefix: str, *parts) -> str:
    """A short, safe cache key for any text (search terms may be anything)."""
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode()).hexdigest()[:32]
    return f"{prefix}:{public_data_version()}:{digest}"


def public_data_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump_public_data_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


class PublicFilterForm(forms.Form):
    SORTS = [("newest", _("Newest first")), ("name", _("By name"))]

    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=50)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    province = forms.ChoiceField(label=_("Province"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def __init__(self, *args, years, provinces, industries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, y) for y in years]]
        self.fields["province"].choices = [("", _("All provinces")), *provinces]
        self.fields["industry"].choices = [("", _("All industries")), *industries]


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
        pledges = pledges.filter(_text_condition(query.q))
    return pledges


def _text_condition(term: str) -> Q:
    try:
        return Q(enterprise__credit_code=normalise_credit_code(term))
    except forms.ValidationError:
        return name_search_condition(term)


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
    from .models import AuditEvent

    rows = (
        AuditEvent.objects.filter(pledge_id__in=pledge_ids, action=AuditEvent.Action.PLEDGE_REVOKED)
        .order_by("pledge_id", "created_at")
        .values_list("pledge_id", "reason")
    )
    return dict(rows)
