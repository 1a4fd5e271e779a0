"""A listing as a public page shows it: the listing's own columns, read from its one table,
with its codes named in the reader's language (.names) and its page's address.
"""

import functools
from dataclasses import dataclass, field
from datetime import date, datetime

from django.urls import get_script_prefix, reverse

from ..models import Listing
from .listing_sql import columns_sql, converted, fetch
from .names import public_names

# The columns read, in order (no model instances, no joins).
COLUMNS = (
    "pledge_id",
    "enterprise_id",
    "campaign_id",
    "year",
    "status",
    "name",
    "name_en",
    "credit_code",
    "province_id",
    "city",
    "industry_id",
    "section_id",
    "website",
    "text_sha256",
    "signed_on",
    "approved_at",
    "revocation_reason",
    "certificate_number",
    "corrections",
    "notice_until",
    "final_at",
    "objection_open",
    "objection_outcomes",
)


# What a list row needs (the list prints these; the rest of COLUMNS is left at its default).
LIST_COLUMNS = (
    "pledge_id",
    "year",
    "status",
    "name",
    "credit_code",
    "province_id",
    "industry_id",
    "approved_at",
    "revocation_reason",
    "final_at",
)


@dataclass(frozen=True, slots=True)
class PublicListing:
    pk: int
    approved_at: datetime
    enterprise_id: int | None = None
    campaign_id: int | None = None
    year: int | None = None
    status: str = ""
    name: str = ""
    name_en: str = ""
    credit_code: str = ""
    province_id: str | None = None
    city: str = ""
    industry_id: str | None = None
    section_id: str | None = None
    website: str = ""
    text_sha256: str = ""
    signed_on: date | None = None
    revocation_reason: str = ""
    certificate_number: str = ""
    corrections: list = field(default_factory=list)
    notice_until: date | None = None
    final_at: datetime | None = None
    objection_open: bool = False
    objection_outcomes: list = field(default_factory=list)
    # Named in the reader's language.
    province_name: str = ""
    industry_name: str = ""
    section_name: str = ""
    campaign_title: str = ""
    pledge_text: str = ""
    url: str = ""

    # The model's own answers (they read only status, final_at and website).
    Status = Listing.Status
    is_public = Listing.is_public
    is_revoked = Listing.is_revoked
    in_notice = Listing.in_notice
    website_link = Listing.website_link


def enterprise_listings(pledge_id: int, *, english: bool) -> list[PublicListing]:
    """Every listing of the enterprise that published ``pledge_id``, newest year first.

    Plain SQL on one table: an enterprise page is the most visited public page, and building
    this query with the ORM cost three times what running it does.
    """
    table = Listing._meta.db_table
    # Names from the model; the one value is a parameter.
    sql = f"SELECT {columns_sql(COLUMNS)} FROM {table} WHERE enterprise_id = (SELECT enterprise_id FROM {table} WHERE pledge_id = %s) ORDER BY year DESC"  # noqa: E501, S608
    return shown(converted(fetch(sql, [pledge_id]), COLUMNS), english=english)


def shown(rows, *, english: bool, columns: tuple[str, ...] = COLUMNS) -> list[PublicListing]:
    """PublicListings for rows of ``columns`` (COLUMNS, or fewer: LIST_COLUMNS)."""
    names = public_names()
    url = pledge_url_pattern()
    fields = ["pk" if name == "pledge_id" else name for name in columns]
    listings = []
    for row in rows:
        values = dict(zip(fields, row, strict=True))
        title, text = names.campaigns.get(values.get("campaign_id"), ("", ""))
        listings.append(
            PublicListing(
                **values,
                province_name=names.province(values.get("province_id"), english),
                industry_name=names.industry(values.get("industry_id"), english),
                section_name=names.industry(values.get("section_id"), english),
                campaign_title=title,
                pledge_text=text,
                url=url.format(values["pk"]),
            )
        )
    return listings


_PLACEHOLDER = 9_876_543_210


@functools.cache
def _pledge_url_pattern(script_prefix: str) -> str:
    return reverse("public:pledge", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")


def pledge_url_pattern() -> str:
    """reverse("public:pledge") as a format string ("/pledges/{}/"): a list prints twenty
    addresses, the API fifty, and reverse() cost more than the rest of an item."""
    return _pledge_url_pattern(get_script_prefix())
