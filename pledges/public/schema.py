"""The OpenAPI 3.1 description of the open data, served at /api/schema.json.

Kept by hand next to the views it describes (.api and .views); the tests check that every
parameter the views read is described here. It is a technical contract and, like the
field names it describes, written in English only.
"""

from .selectors import FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX, FEED_SETTLE

_TIMESTAMP = {"type": "string", "format": "date-time"}
_NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}

_FILTERS = [
    {
        "name": "year",
        "in": "query",
        "description": (
            "Campaign year. Omitted: the current (latest) campaign, as on /pledges/. "
            "Present but empty (`year=`): every year."
        ),
        "schema": {"type": ["integer", "string"], "examples": [2026, ""]},
    },
    {
        "name": "province",
        "in": "query",
        "description": "GB/T 2260 provincial-level division code, e.g. `11` (Beijing).",
        "schema": {"type": "string", "pattern": "^[0-9]{2}$"},
    },
    {
        "name": "industry",
        "in": "query",
        "description": (
            "GB/T 4754-2017 industry: a section letter (`C`) or a division code (`13`)."
        ),
        "schema": {"type": "string", "pattern": "^([A-T]|[0-9]{2})$"},
    },
    {
        "name": "q",
        "in": "query",
        "description": (
            "An exact Unified Social Credit Code (18 characters), or any part of the "
            "enterprise's Chinese name (two characters such as 质量 are enough)."
        ),
        "schema": {"type": "string", "maxLength": 50},
    },
]

_SETTLE = int(FEED_SETTLE.total_seconds())

_FEED_PARAMETERS = [
    *_FILTERS,
    {
        "name": "since",
        "in": "query",
        "description": (
            "Only pledges whose public state changed after this moment (exclusive): "
            "approvals and revocations. ISO 8601 date and time; a time without an offset is "
            "read in China time (UTC+8), and a date alone means its midnight. Pass the "
            "`updated_at` of the last item received to get what changed since. Remember to "
            "encode `+` as `%2B`."
        ),
        "schema": {**_TIMESTAMP, "examples": ["2026-09-01T00:00:00+08:00"]},
    },
    {
        "name": "cursor",
        "in": "query",
        "description": "Opaque position from a previous page's `next` link; follow `next`.",
        "schema": {"type": "string"},
    },
    {
        "name": "limit",
        "in": "query",
        "description": "Items per page.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": FEED_LIMIT_MAX,
            "default": FEED_LIMIT_DEFAULT,
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
        "province",
        "industry",
        "state",
        "signed_on",
        "approved_at",
        "revoked_at",
        "revocation_reason",
        "certificate_number",
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
                "(with a public reason); remove or mark it. No other state is ever published, "
                "and a revoked pledge never returns."
            ),
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
        "updated_at": {
            **_TIMESTAMP,
            "description": "Last change of its public state; the feed's order and `since` key.",
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

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Chengxin: Enterprise Quality Integrity Pledge open data",
        "version": "1.0",
        "summary": "Pledges the association has reviewed and published.",
        "description": (
            "Only reviewed pledges are published: approved ones, and revoked ones marked as "
            "such with the association's reason. No contact details or documents are ever "
            "included. Responses may be cached for 30 seconds, and a change reaches the feed "
            f"{_SETTLE} seconds after it happens (once every earlier change has surely been "
            "committed), so following `next` and then polling with `since` misses nothing."
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
                    "Pages are ordered by (`updated_at`, `id`) ascending and linked by stable "
                    "cursors: pledges approved while you page appear after the ones already "
                    "seen, never in between."
                ),
                "parameters": _FEED_PARAMETERS,
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
                    *_FILTERS,
                    {
                        "name": "sort",
                        "in": "query",
                        "description": "Row order, as on /pledges/.",
                        "schema": {"type": "string", "enum": ["newest", "name"]},
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
            "PledgePage": {
                "type": "object",
                "required": ["results", "next"],
                "properties": {
                    "results": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Pledge"},
                    },
                    "next": {
                        "type": ["string", "null"],
                        "format": "uri",
                        "description": "The next page, or null after the last one.",
                    },
                },
            },
            "Error": _ERROR,
        },
        "responses": {
            "BadRequest": _BAD_REQUEST,
            "TooManySearches": {
                "description": _TOO_MANY_SEARCHES,
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    },
}
