"""The public list's and feed's reads, in plain SQL on the listing table.

They are the most requested reads and their shapes are few and fixed: a year, a province,
an industry, a name or credit code, a keyset cursor. Building them with the ORM cost the
web process two to three times what the database took to answer; here a query is a few
joined strings. The conditions mean exactly what ``selectors._matching`` means with the ORM
(the CSV export and the counts still use that), and the tests run both on PostgreSQL and
SQLite.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
import psycopg.adapt
from django.core.exceptions import ValidationError
from django.db import connections, router

from ..models import SHOWN_STATUSES, Listing
from ..search import SEARCH_CONFIG, name_search
from ..validators import normalise_credit_code


@dataclass
class Where:
    """Conditions joined by AND, with their parameters in order."""

    parts: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, sql: str, *params) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) or "1 = 1"


def _statuses(values) -> str:
    """Statuses written into the SQL, not passed as parameters: a prepared statement's
    generic plan can then use the indexes that hold only shown listings (their predicate
    names these values)."""
    assert all(value.isidentifier() for value in values)  # the model's own constants
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def listing_where(query, *, statuses=SHOWN_STATUSES, removed_too: bool = False) -> Where:
    """The rows ``query`` (a PublicQuery) finds among listings of ``statuses``; with
    ``removed_too``, taken-down listings of the same year, place and industry as well
    (the feed reports them, and a name or code cannot find them)."""
    where = Where()
    if query.year:
        where.add("year = %s", query.year)
    if query.province:
        where.add("province_id = %s", query.province)
    if query.industry:
        column = "section_id" if len(query.industry) == 1 else "industry_id"  # a section letter
        where.add(f"{column} = %s", query.industry)
    found = Where()
    found.add(f"status IN {_statuses(statuses)}")
    if query.q:
        _add_name_or_code(found, query.q)
    # The years across (kept on each shown listing by pledges.history.runs).
    if query.run:
        found.add("run_years >= %s", query.run)
    if query.lapsed:
        found.add("lapsed = %s", True)
    if removed_too:
        removed = _statuses([Listing.Status.REMOVED])
        where.add(f"(({found.sql}) OR status IN {removed})", *found.params)
    else:
        where.add(found.sql, *found.params)
    return where


def _add_name_or_code(where: Where, term: str) -> None:
    """search.name_or_code_condition, on the listing's own columns."""
    try:
        where.add("credit_code = %s", normalise_credit_code(term))
        return
    except ValidationError:
        pass
    search = name_search(term)
    connection = _connection()
    if connection.vendor == "postgresql" and search.grams:
        # The expression of the GIN index listing_year_ngrams, so that the index answers it.
        where.add(
            f"to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(search_ngrams, ''))"
            f" @@ to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)",
            " & ".join(search.grams),
        )
        if not search.contains:
            return
    like = "%" + connection.ops.prep_for_like_query(search.term) + "%"
    if connection.vendor == "postgresql":
        where.add("UPPER(name::text) LIKE UPPER(%s)", like)
    else:  # as Django's icontains on SQLite
        where.add("name LIKE %s ESCAPE '\\'", like)


# --- Keyset order ---------------------------------------------------------------------------

# Per sort: the column that orders, whether newest (largest) first; then the pledge id.
ORDERS = {"newest": ("approved_at", True), "name": ("name", False)}


def order_by(sort: str, *, backwards: bool, table: str = "") -> str:
    column, descending = ORDERS[sort]
    direction = "DESC" if descending != backwards else "ASC"
    return f"{table}{column} {direction}, {table}pledge_id {direction}"


def add_cursor(where: Where, sort: str, key, *, backwards: bool) -> None:
    """Rows after the (value, pledge id) ``key`` in the sort's direction."""
    column, descending = ORDERS[sort]
    value, last_id = key
    if isinstance(value, datetime):
        value = db_datetime(value)
    op = "<" if descending != backwards else ">"
    where.add(f"({column} {op} %s OR ({column} = %s AND pledge_id {op} %s))", value, value, last_id)


# --- Running ----------------------------------------------------------------------------------


def _connection():
    return connections[router.db_for_read(Listing)]


def db_datetime(value: datetime):
    """An aware datetime as the read database compares it (SQLite: UTC text)."""
    return _connection().ops.adapt_datetimefield_value(value)


def fetch(sql: str, params) -> list[tuple]:
    """The rows of ``sql``. On PostgreSQL the values are sent apart from the statement (Django
    writes them into it), so that the connection prepares each of these few statements once
    (after ``prepare_threshold`` runs, see settings) and the server stops planning them:
    planning took twice as long as running one."""
    connection = _connection()
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = psycopg.Cursor(connection.connection)
        raw.adapters.register_dumper(int, _UntypedInt)
    # In Django's wrapper: counted and logged like any query.
    make = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with make(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _UntypedInt(psycopg.adapt.Dumper):
    """An int sent untyped, for the server to type by its column as it types a literal.
    Typed smallint (the driver's choice for a small number), ``year = $1`` cannot use the
    GIN index on (year, name n-grams), whose operators compare integers only: a search
    then read every listing of the year."""

    oid = 0  # unknown

    def dump(self, obj):
        return str(obj).encode()


def columns_sql(columns: tuple[str, ...], table: str = "", *, plain: bool = False) -> str:
    """The select list for ``columns`` (model field names), read back with ``converted``;
    ``plain``: the columns as they are (for a subquery that an outer query reads)."""
    return _columns_sql(columns, table, _connection().vendor == "postgresql" and not plain)


@functools.cache
def _columns_sql(columns: tuple[str, ...], table: str, timestamps_as_text: bool) -> str:
    selected = []
    for name in columns:
        column = table + Listing._meta.get_field(name).column
        if timestamps_as_text and name in _timestamps():
            # Read as ISO 8601 text (in UTC, whatever the server's DateStyle) and parsed by
            # datetime.fromisoformat: ten times cheaper than the driver's loader that Django
            # installs. Named apart, so that an ORDER BY of the column still means the
            # column (and its index).
            column = (
                f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                f" AS {name}_text"
            )
        selected.append(column)
    return ", ".join(selected)


@functools.cache
def _timestamps() -> frozenset[str]:
    return frozenset(
        f.name for f in Listing._meta.concrete_fields if f.get_internal_type() == "DateTimeField"
    )


def converted(rows, columns: tuple[str, ...]) -> list[list]:
    """The rows' values as the ORM gives them (datetimes aware, dates and JSON decoded)."""
    connection = _connection()
    converters = _converters(columns, connection.alias)
    result = []
    for row in rows:
        row = list(row)
        for index, expression, functions in converters:
            value = row[index]
            for function in functions:
                value = function(value, expression, connection)
            row[index] = value
        result.append(row)
    return result


@functools.cache
def _converters(columns: tuple[str, ...], alias: str):
    """Django's own converters for each column (what values_list() would apply), and for a
    timestamp read as text on PostgreSQL, fromisoformat."""
    connection = connections[alias]
    found = []
    for index, name in enumerate(columns):
        model_field = Listing._meta.get_field(name)
        expression = model_field.get_col(Listing._meta.db_table)
        if connection.vendor == "postgresql" and name in _timestamps():
            functions = [_from_text]
        else:
            functions = connection.ops.get_db_converters(expression)
            functions += model_field.get_db_converters(connection)
        if functions:
            found.append((index, expression, functions))
    return found


def _from_text(value, _expression, _connection):
    return None if value is None else datetime.fromisoformat(value)
