"""The OpenAPI 3.1 description of the open data, served at /api/schema.json.

Kept by hand next to the views it describes (.api and .views); the tests check that every
parameter the views read is described here, and a schema-driven fuzzer checks that the views
accept exactly what it allows. The years, provinces and industries are enumerated from the
data, so the document is built per request. It is a technical contract and, like the field
names it describes, written in English only.
"""

from ..validators import INVISIBLE_CONTROLS
from .forms import RUN_CHOICES
from .selectors import FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX

# The same patterns as the views' checks (.api).
CURSOR_PATTERN = r"^[0-9]{1,18}$"
# Text without NUL or the invisible characters every text field refuses.
PLAIN_TEXT_PATTERN = "^[^\x00" + INVISIBLE_CONTROLS.pattern[1:-1] + "]*$"
# 1 to 200, or empty.
LIMIT_PATTERN = r"^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)?$"

_TIMESTAMP = {"type": "string", "format": "date-time"}
_NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}

_EMPTY = {"type": "string", "maxLength": 0}


def _filters(years, provinces, industries) -> list[dict]:
    return [
        {
            "name": "year",
            "in": "query",
            "description": (
                "Campaign year. Omitted: the current (latest) campaign, as on /pledges/. "
                "Present but empty (`year=`): every year."
            ),
            "schema": {"type": "string", "enum": ["", *(str(year) for year in years)]},
        },
        {
            "name": "province",
            "in": "query",
            "description": (
                "GB/T 2260 provincial-level division code, e.g. `11` (Beijing). "
                "Empty or omitted: every province."
            ),
            "schema": {"type": "string", "enum": ["", *provinces]},
        },
        {
            "name": "industry",
            "in": "query",
            "description": (
                "GB/T 4754-2017 industry: a section letter (`C`) or a division code (`13`). "
                "Empty or omitted: every industry."
            ),
            "schema": {"type": "string", "enum": ["", *industries]},
        },
        {
            "name": "run",
            "in": "query",
            "description": (
                "Signed at least this many years in a row by the listing's year (years in "
                "the association's imported lists count; a revoked year breaks the run). "
                "Empty or omitted: any."
            ),
            "schema": {"type": "string", "enum": ["", *RUN_CHOICES]},
        },
        {
            "name": "standing",
            "in": "query",
            "description": (
                "`lapsed`: enterprises that signed before and not this year (this year's "
                "signing closed). Empty or omitted: any."
            ),
            "schema": {"type": "string", "enum": ["", "lapsed"]},
        },
        {
            "name": "q",
            "in": "query",
            "description": (
                "An exact Unified Social Credit Code (18 characters), or any part of the "
                "enterprise's Chinese name (two characters such as 质量 are enough). "
                "Empty or omitted: no search."
            ),
            "schema": {"type": "string", "maxLength": 50, "pattern": PLAIN_TEXT_PATTERN},
        },
    ]


def _feed_parameters(filters) -> list[dict]:
    return [
        *filters,
        {
            "name": "since",
            "in": "query",
            "description": (
                "Only pledges whose public record changed after this moment (exclusive): "
                "approvals, revocations, corrections, certificates, take-downs. An RFC 3339 "
                "date-time with its offset (`Z` or `+08:00`); pass the `updated_at` of the "
                "last item received. Remember to encode `+` as `%2B`. Empty or omitted: "
                "from the beginning."
            ),
            "schema": {
                "anyOf": [{"type": "string", "format": "date-time"}, _EMPTY],
                "examples": ["2026-09-01T00:00:00+08:00"],
            },
        },
        {
            "name": "cursor",
            "in": "query",
            "description": (
                "Position from a previous page's `next` link; follow `next`. Empty or "
                "omitted: the first page."
            ),
            "schema": {"type": "string", "anyOf": [{"pattern": CURSOR_PATTERN}, _EMPTY]},
        },
        {
            "name": "limit",
            "in": "query",
            "description": (
                f"Items per page, a whole number from 1 to {FEED_LIMIT_MAX} in plain digits. "
                f"Empty or omitted: {FEED_LIMIT_DEFAULT}."
            ),
            "schema": {
                "type": "string",
                "pattern": LIMIT_PATTERN,
                "default": str(FEED_LIMIT_DEFAULT),
            },
        },
    ]


_NAMED_CODE = {
    "type": "object",
    "required": ["code", "name", "name_en"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string", "description": "Chinese name."},
        "name_en": {"type": "string", "description": "English name."},
    },
}

_PLEDGE = {
    "type": "object",
    "required": [
        "id",
        "url",
        "year",
        "enterprise_name",
        "enterprise_name_en",
        "credit_code",
        "history",
        "province",
        "industry",
        "state",
        "signed_on",
        "approved_at",
        "revoked_at",
        "revocation_reason",
        "certificate_number",
        "notice_until",
        "final_at",
        "under_objection_review",
        "objection_outcomes",
        "corrections",
        "updated_at",
    ],
    "properties": {
        "id": {"type": "integer", "description": "Stable identifier of the pledge."},
        "url": {"type": "string", "format": "uri", "description": "Its public page."},
        "year": {"type": "integer", "description": "Campaign year."},
        "enterprise_name": {"type": "string", "description": "Legal name in Chinese."},
        "enterprise_name_en": {"type": "string", "description": "English name, or empty."},
        "credit_code": {
            "type": "string",
            "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$",
            "description": "Unified Social Credit Code (GB 32100-2015).",
        },
        "history": {
            "type": "string",
            "format": "uri",
            "description": "The enterprise's years signed, run and standing (getHistory).",
        },
        "province": _NAMED_CODE,
        "industry": {
            **_NAMED_CODE,
            "required": [*_NAMED_CODE["required"], "section"],
            "properties": {
                **_NAMED_CODE["properties"],
                "section": {"type": "string", "description": "GB/T 4754 section letter."},
            },
        },
        "state": {
            "type": "string",
            "enum": ["approved", "revoked"],
            "description": (
                "`approved`: published. `revoked`: the association withdrew its approval "
                "(with a public reason); remove or mark it. A revoked pledge never returns."
            ),
        },
        "corrections": {
            "type": "array",
            "description": (
                "Approved corrections of its public details, oldest first; province and "
                "industry by code."
            ),
            "items": {
                "type": "object",
                "required": ["on", "field", "before", "after"],
                "properties": {
                    "on": {"type": "string", "format": "date"},
                    "field": {
                        "type": "string",
                        "enum": ["name", "name_en", "province", "city", "industry", "website"],
                    },
                    "before": {"type": "string"},
                    "after": {"type": "string"},
                },
            },
        },
        "signed_on": {
            "type": ["string", "null"],
            "format": "date",
            "description": "The day it was signed (submitted), China time.",
        },
        "approved_at": _NULLABLE_TIMESTAMP,
        "revoked_at": _NULLABLE_TIMESTAMP,
        "revocation_reason": {"type": ["string", "null"]},
        "certificate_number": {
            "type": ["string", "null"],
            "description": "Null until the certificate has been issued.",
        },
        "notice_until": {
            "type": ["string", "null"],
            "format": "date",
            "description": (
                "While the pledge is in public notice (公示期), the last day of the notice "
                "period, China time; null once it is final (or revoked)."
            ),
        },
        "under_objection_review": {
            "type": "boolean",
            "description": (
                "The association is examining an objection to this pledge (异议审查中); the "
                "objection's grounds and author are never published."
            ),
        },
        "objection_outcomes": {
            "type": "array",
            "description": "Objections answered, oldest first, with the public reason.",
            "items": {
                "type": "object",
                "required": ["on", "outcome", "reason"],
                "properties": {
                    "on": {"type": "string", "format": "date"},
                    "outcome": {
                        "type": "string",
                        "enum": ["dismissed", "revoked", "changes"],
                        "description": (
                            "`dismissed`; `revoked`: upheld, the pledge was revoked; "
                            "`changes`: upheld, the enterprise must correct it."
                        ),
                    },
                    "reason": {"type": "string"},
                },
            },
        },
        "final_at": {
            **_NULLABLE_TIMESTAMP,
            "description": (
                "When the pledge became final: its public notice period ended (or it was "
                "published without one). Null while in notice, and for a revoked pledge "
                "that was revoked during its notice."
            ),
        },
        "updated_at": {
            **_TIMESTAMP,
            "description": "Last change of its public record; the `since` key.",
        },
    },
}

_REMOVED = {
    "type": "object",
    "required": ["id", "state", "year", "updated_at"],
    "additionalProperties": False,
    "description": (
        "A listing the association took down: delete every copy of it. Nothing else of it "
        "is published any more."
    ),
    "properties": {
        "id": {"type": "integer"},
        "state": {"const": "removed"},
        "year": {"type": "integer"},
        "updated_at": _TIMESTAMP,
    },
}

_HISTORY = {
    "type": "object",
    "required": ["credit_code", "this_year", "status", "consecutive_years", "years"],
    "additionalProperties": False,
    "properties": {
        "credit_code": {"type": "string"},
        "this_year": {"type": "integer", "description": "The latest campaign that has opened."},
        "status": {"enum": ["signed", "renewed", "due", "lapsed"]},
        "consecutive_years": {"type": "integer", "minimum": 0},
        "years": {
            "type": "array",
            "description": "Newest first.",
            "items": {
                "type": "object",
                "required": ["year", "source", "revoked", "name", "url"],
                "additionalProperties": False,
                "properties": {
                    "year": {"type": "integer"},
                    "source": {"enum": ["reviewed", "imported"]},
                    "revoked": {"type": "boolean"},
                    "name": {"type": "string", "description": "The name that year."},
                    "url": {"type": ["string", "null"], "format": "uri"},
                },
            },
        },
    },
}

_ERROR = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["parameter", "message"],
                "properties": {
                    "parameter": {"type": "string", "description": "The parameter at fault."},
                    "message": {"type": "string"},
                },
            },
        }
    },
}

_TOO_MANY_SEARCHES = (
    "Too many searches from this client: requests with `q` to /api/pledges/, "
    "/pledges/export.csv and /pledges/ share one budget. Wait `Retry-After` seconds; requests "
    "without `q` are not limited."
)

_BAD_REQUEST = {
    "description": "A parameter is not valid; the body names it.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def openapi(*, years, provinces, industries) -> dict:
    """The document, with the campaign years, provinces and industries enumerated."""
    filters = _filters(years, provinces, industries)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Chengxin: Enterprise Quality Integrity Pledge open data",
            "version": "1.0",
            "summary": "Pledges the association has reviewed and published.",
            "description": (
                "Only reviewed pledges are published: approved ones, and revoked ones marked as "
                "such with the association's reason. No contact details or documents are ever "
                "included. Responses may be cached for 30 seconds (they carry an ETag: with "
                "`If-None-Match` the answer is 304 while nothing changed). The feed lists "
                "changes in the order they were published, so following `next` and then "
                "polling from the last cursor or with `since` misses nothing."
            ),
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "/"}],
        "paths": {
            "/api/pledges/": {
                "get": {
                    "operationId": "listPledges",
                    "summary": "Published pledges, in the order they last changed.",
                    "description": (
                        "Pages are ordered by publication and linked by stable cursors: pledges "
                        "changed while you page appear after the ones already seen, never in "
                        "between. Take-downs appear as `removed` entries."
                    ),
                    "parameters": _feed_parameters(filters),
                    "responses": {
                        "200": {
                            "description": "One page.",
                            "headers": {
                                "Cache-Control": {
                                    "schema": {"type": "string", "const": "public, max-age=30"}
                                }
                            },
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/PledgePage"}
                                }
                            },
                        },
                        "400": {"$ref": "#/components/responses/BadRequest"},
                        "429": {"$ref": "#/components/responses/TooManySearches"},
                    },
                }
            },
            "/pledges/export.csv": {
                "get": {
                    "operationId": "exportPledges",
                    "summary": "The public list as CSV (UTF-8 with BOM, opens in Excel).",
                    "description": (
                        "Columns: year, enterprise, credit code, province, industry code, "
                        "industry, signed on, state, revocation reason, certificate number; "
                        "headers and names in the request's language."
                    ),
                    "parameters": [
                        *filters,
                        {
                            "name": "sort",
                            "in": "query",
                            "description": "Row order, as on /pledges/. Empty or omitted: newest.",
                            "schema": {"type": "string", "enum": ["", "newest", "name"]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The file.",
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        "400": {
                            "description": "A parameter is not valid.",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        },
                        "429": {
                            "description": _TOO_MANY_SEARCHES,
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        },
                    },
                }
            },
            "/api/history/{credit_code}/": {
                "get": {
                    "operationId": "getHistory",
                    "summary": "An enterprise's years signed, its run and its standing.",
                    "description": (
                        "Every year on record for a Unified Social Credit Code: signed here "
                        "(`reviewed`, with its page) or in the association's earlier lists "
                        "(`imported`: a historical record, not reviewed here, no certificate). "
                        "`status`: `signed` (this year, not last year), `renewed` (this year "
                        "and last year), `due` (last year; this year's signing is open), "
                        "`lapsed` (signed before, not this year). `consecutive_years` counts "
                        "unrevoked years in a row up to this year (last year while `due`)."
                    ),
                    "parameters": [
                        {
                            "name": "credit_code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 40},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The enterprise's years.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/History"}
                                }
                            },
                        },
                        "404": {
                            "description": "Not a valid code, or no record of it.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    },
                }
            },
            "/api/schema.json": {
                "get": {
                    "operationId": "getSchema",
                    "summary": "This document.",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Pledge": _PLEDGE,
                "Removed": _REMOVED,
                "PledgePage": {
                    "type": "object",
                    "required": ["results", "next"],
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/Pledge"},
                                    {"$ref": "#/components/schemas/Removed"},
                                ]
                            },
                        },
                        "next": {
                            "type": ["string", "null"],
                            "format": "uri",
                            "description": "The next page, or null after the last one.",
                        },
                    },
                },
                "History": _HISTORY,
                "Error": _ERROR,
            },
            "responses": {
                "BadRequest": _BAD_REQUEST,
                "TooManySearches": {
                    "description": _TOO_MANY_SEARCHES,
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        },
    }
