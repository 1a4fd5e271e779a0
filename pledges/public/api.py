"""The JSON API (/api/pledges/), its OpenAPI description and its human index.

Public and anonymous; filters as on /pledges/. Reads are in .selectors; these views parse
parameters, choose the language and shape the output.
"""

import re
from datetime import UTC, datetime

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..reference import CHINA_TZ, is_english
from . import selectors
from .cache import shared_page
from .rate_limits import refuse_json, search_limited
from .schema import OPENAPI
from .views import STATIC_MAX_AGE, form_errors, public_response

MAX_CURSOR = 200
# "+08:00" arrives as " 08:00" when a client forgets to encode the plus sign.
_UNENCODED_OFFSET = re.compile(r"(T?\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


# --- JSON API ---------------------------------------------------------------------------


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@require_safe
@search_limited(refuse_json)
# Briefly: the feed holds back the last seconds' changes (FEED_SETTLE), which no version bump
# announces when they become due.
@shared_page(ttl=int(selectors.FEED_SETTLE.total_seconds()))
def api_pledges(request):
    form, query = selectors.parse_public_query(request.GET, english=is_english())
    if query is None:
        return _bad_request(form_errors(form))
    try:
        since = _since(request.GET.get("since"))
        after = _cursor(request.GET.get("cursor"))
        limit = _limit(request.GET.get("limit"))
    except BadParameter as error:
        return _bad_request([{"parameter": error.parameter, "message": error.message}])
    page = selectors.feed_page(query, since=since, after=after, limit=limit)
    next_url = None
    if page.next_key is not None:
        params = request.GET.copy()
        params["cursor"] = selectors.encode_cursor(page.next_key)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    response = JsonResponse(
        {"results": [_item(request, row) for row in page.rows], "next": next_url},
        json_dumps_params={"ensure_ascii": False},
    )
    # The same bytes for every visitor and language (both names are given).
    response["Access-Control-Allow-Origin"] = "*"
    return public_response(response)


def _item(request, row: dict) -> dict:
    return {
        "id": row["id"],
        "url": request.build_absolute_uri(reverse("public:pledge", args=[row["id"]])),
        "year": row["year"],
        "enterprise_name": row["enterprise_name"],
        "enterprise_name_en": row["enterprise_name_en"],
        "credit_code": row["credit_code"],
        "province": {
            "code": row["province_code"],
            "name": row["province_name"],
            "name_en": row["province_name_en"],
        },
        "industry": {
            "code": row["industry_code"],
            "name": row["industry_name"],
            "name_en": row["industry_name_en"],
            "section": row["industry_section"],
        },
        "state": row["state"],
        "signed_on": row["signed_on"].isoformat() if row["signed_on"] else None,
        "approved_at": _timestamp(row["approved_at"]),
        "revoked_at": _timestamp(row["revoked_at"]),
        "revocation_reason": row["revocation_reason"] or None,
        "certificate_number": row["certificate_number"] or None,
        "updated_at": _timestamp(row["updated_at"]),
    }


def _timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with microseconds, so an updated_at passed back as ``since`` is exact."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _since(value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    value = _UNENCODED_OFFSET.sub(r"\1+\2", value.strip())
    try:
        moment = parse_datetime(value)  # a date alone reads as its midnight
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(
            "since",
            _("Enter an ISO 8601 date and time, for example %(example)s.")
            % {"example": "2026-09-01T00:00:00+08:00"},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, CHINA_TZ)
    return _in_range(moment, "since")


def _cursor(value: str | None):
    if value is None or value == "":
        return None
    key = selectors.decode_cursor(value, "newest") if len(value) <= MAX_CURSOR else None
    if key is None or timezone.is_naive(key[0]):
        raise BadParameter(
            "cursor", _("This cursor is not valid: follow the “next” link of a previous page.")
        )
    return _in_range(key[0], "cursor"), key[1]


def _in_range(moment: datetime, parameter: str) -> datetime:
    # The database compares in UTC: 0001-01-01 or 9999-12-31 with an offset would overflow.
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise BadParameter(parameter, _("This date is out of range.")) from None
    return moment


def _limit(value: str | None) -> int:
    if value is None or value == "":
        return selectors.FEED_LIMIT_DEFAULT
    if (
        not value.isascii()
        or not value.isdigit()
        or len(value) > 6  # int() refuses thousands of digits (ValueError)
        or not (1 <= int(value) <= selectors.FEED_LIMIT_MAX)
    ):
        raise BadParameter(
            "limit",
            _("Enter a whole number from 1 to %(maximum)d.")
            % {"maximum": selectors.FEED_LIMIT_MAX},
        )
    return int(value)


def _bad_request(errors: list[dict]):
    response = JsonResponse(
        {"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def api_schema(request):
    response = JsonResponse(OPENAPI, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    return public_response(response, STATIC_MAX_AGE)


@require_safe
def api_index(request):
    response = render(request, "public/api_index.html", {"limit_max": selectors.FEED_LIMIT_MAX})
    # RFC 8631: where a program finds the description of this API.
    response["Link"] = f'<{reverse("public:api_schema")}>; rel="service-desc"'
    return response
