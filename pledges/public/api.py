"""The JSON API (/api/pledges/), its OpenAPI description and its human index.

Public and anonymous; filters as on /pledges/. Reads are in .selectors; these views parse
parameters, choose the language and shape the output.
"""

import re
from datetime import UTC, date, datetime

import orjson
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..reference import is_english
from . import selectors
from .cache import shared_page
from .rate_limits import refuse_json, search_limited
from .records import pledge_url_pattern
from .schema import CURSOR_PATTERN, LIMIT_PATTERN, openapi
from .views import STATIC_MAX_AGE, form_errors, public_response

# What the schema says each parameter is (.schema uses the same patterns): RFC 3339 date-times
# (an offset or Z required), cursors as the digits a "next" link carries.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$")


# --- JSON API ---------------------------------------------------------------------------


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@require_safe
@search_limited(refuse_json)
@shared_page
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
    # Each item's address: scheme, host and path, all but the id worked out once.
    base = request.build_absolute_uri("/")[:-1]
    url = base + pledge_url_pattern()
    history = base + reverse("public:api_history", args=[HISTORY_SLOT]).replace(HISTORY_SLOT, "{}")
    next_url = None
    if page.next_key is not None:
        params = request.GET.copy()
        params["cursor"] = str(page.next_key)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    # orjson: the standard encoder took a tenth of the request for a page of fifty items.
    response = HttpResponse(
        orjson.dumps(
            {"results": [_item(url, history, row) for row in page.rows], "next": next_url}
        ),
        content_type="application/json",
    )
    # The same bytes for every visitor and language (both names are given).
    response["Access-Control-Allow-Origin"] = "*"
    return public_response(response)


@require_safe
@shared_page
def api_history(request, credit_code):
    """The years an enterprise signed (here and in the association's imported lists), its
    current run of consecutive years and its standing; 404 for a code with no record."""
    history = selectors.credit_code_history(credit_code)
    if history is None:
        response = JsonResponse(
            {"errors": [{"parameter": "credit_code", "message": _("No record of this code.")}]},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        base = request.build_absolute_uri("/")[:-1]
        response = HttpResponse(
            orjson.dumps(
                {
                    "credit_code": history.credit_code,
                    "this_year": history.standing.this_year,
                    "status": history.standing.status,
                    "consecutive_years": history.standing.run,
                    "years": [
                        {
                            "year": signed.year,
                            "source": "imported" if signed.imported else "reviewed",
                            "revoked": signed.revoked,
                            "name": signed.name,
                            "url": base + signed.url if signed.url else None,
                        }
                        for signed in history.standing.years
                    ],
                }
            ),
            content_type="application/json",
        )
    response["Access-Control-Allow-Origin"] = "*"
    return public_response(response)


# Stands for the credit code in the history URL's pattern.
HISTORY_SLOT = "CREDITCODE"

# The feed's names for a listing's status (approved, not "listed": the API's contract).
STATES = {"listed": "approved", "revoked": "revoked", "removed": "removed"}


def _item(url: str, history: str, row: dict) -> dict:
    if row["status"] == "removed":
        # Taken down: the reader learns to delete it, and nothing else.
        return {
            "id": row["pledge_id"],
            "state": "removed",
            "year": row["year"],
            "updated_at": _timestamp(row["updated_at"]),
        }
    return {
        "id": row["pledge_id"],
        "url": url.format(row["pledge_id"]),
        "year": row["year"],
        "enterprise_name": row["enterprise_name"],
        "enterprise_name_en": row["enterprise_name_en"],
        "credit_code": row["credit_code"],
        "history": history.format(row["credit_code"]),
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
        "state": STATES[row["status"]],
        "signed_on": _day(row["signed_on"]),
        "approved_at": _timestamp(row["approved_at"]),
        "revoked_at": _timestamp(row["revoked_at"]),
        "revocation_reason": row["revocation_reason"] or None,
        "certificate_number": row["certificate_number"] or None,
        "notice_until": _day(selectors.notice_until_shown(row)),
        "final_at": _timestamp(row["final_at"]),
        "under_objection_review": row["objection_open"],
        "objection_outcomes": row["objection_outcomes"],
        "corrections": row["corrections"],
        "updated_at": _timestamp(row["updated_at"]),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with microseconds, so an updated_at passed back as ``since`` is exact."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # the database's are UTC already
        value = value.astimezone(UTC)
    return value.isoformat()[:-6] + "Z"  # without its "+00:00"


def _since(value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = None
    if RFC3339.match(value):
        try:
            moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError:
            moment = None
    if moment is None:
        raise BadParameter(
            "since",
            _("Enter an RFC 3339 date and time with its offset, for example %(example)s.")
            % {"example": "2026-09-01T00:00:00+08:00"},
        )
    try:
        # The database compares in UTC: 0001-01-01 or 9999-12-31 with an offset overflows.
        return moment.astimezone(UTC)
    except OverflowError:
        # At the ends of the calendar: before every listing, or after every one.
        edge = datetime.min if moment.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)


def _cursor(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not re.fullmatch(CURSOR_PATTERN, value):  # not .match: "$" matches before a "\n"
        raise BadParameter(
            "cursor", _("This cursor is not valid: follow the “next” link of a previous page.")
        )
    return int(value)


def _limit(value: str | None) -> int:
    if value is None or value == "":
        return selectors.FEED_LIMIT_DEFAULT
    if not re.fullmatch(LIMIT_PATTERN, value):  # the schema's own words: 1 to 200
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
    years, provinces, industries = selectors.filter_choices()
    document = openapi(
        years=years,
        provinces=[row[0] for row in provinces],
        industries=[row[0] for row in industries],
    )
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    return public_response(response, STATIC_MAX_AGE)


@require_safe
def api_index(request):
    response = render(request, "public/api_index.html", {"limit_max": selectors.FEED_LIMIT_MAX})
    # RFC 8631: where a program finds the description of this API.
    response["Link"] = f'<{reverse("public:api_schema")}>; rel="service-desc"'
    return response
