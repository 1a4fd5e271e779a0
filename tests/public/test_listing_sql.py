"""The public reads written in plain SQL (pledges.public.listing_sql) give exactly what the
ORM gives, and find exactly what the ORM's conditions find, on PostgreSQL and SQLite."""

from datetime import UTC, datetime

import pytest

from pledges.models import Industry, Listing
from pledges.public import selectors
from pledges.public.listing_sql import columns_sql, converted, fetch, listing_where
from pledges.public.records import COLUMNS
from pledges.services import pledges as services
from tests import factories

pytestmark = pytest.mark.django_db

# Timestamps that a text round trip could get wrong: whole seconds (no fraction printed), one
# microsecond, a fraction with trailing zeros.
MOMENTS = [
    datetime(2026, 9, 1, 0, 0, 0, tzinfo=UTC),
    datetime(2026, 9, 1, 8, 30, 15, 1, tzinfo=UTC),
    datetime(2026, 9, 2, 23, 59, 59, 500000, tzinfo=UTC),
]


@pytest.fixture
def listings(campaign, reviewer, django_capture_on_commit_callbacks):
    pledges = []
    names = [
        ("63", "青海西宁质量科技有限公司"),
        ("44", "广东质量（保）有限公司"),
        ("11", "北京农业发展有限公司"),
    ]
    for index, (province, name) in enumerate(names):
        owner = factories.user(f"owner{index}@example.com")
        industry = Industry.objects.get(code="A" if index == 2 else "13")
        enterprise = factories.enterprise(owner, province=province, name=name, industry=industry)
        pledge = factories.submitted_pledge(enterprise, campaign, owner)
        with django_capture_on_commit_callbacks(execute=True):
            services.pledge_approve(pledge=pledge, actor=reviewer)
        pledges.append(pledge)
    for pledge, moment in zip(pledges, MOMENTS, strict=True):
        Listing.objects.filter(pk=pledge.pk).update(approved_at=moment, changed_at=moment)
    Listing.objects.filter(pk=pledges[0].pk).update(status="revoked", revoked_at=MOMENTS[2])
    return pledges


def _read(columns, where_sql="1 = 1", params=()):
    table = Listing._meta.db_table
    sql = f"SELECT {columns_sql(columns)} FROM {table} WHERE {where_sql} ORDER BY pledge_id"  # noqa: S608
    return converted(fetch(sql, list(params)), columns)


def test_rows_read_in_sql_equal_the_orms(listings):
    columns = (*COLUMNS, "revoked_at", "changed_at")
    expected = [list(row) for row in Listing.objects.order_by("pk").values_list(*columns)]
    assert _read(columns) == expected
    assert {row[columns.index("approved_at")] for row in expected} == set(MOMENTS)


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"q": "质量"}, 2),
        ({"q": "西宁"}, 1),
        ({"q": "（保"}, 1),
        ({"q": "农业发展"}, 1),
        ({"q": "质"}, 2),
        ({"q": "%"}, 0),
        ({"q": "_"}, 0),
        ({"q": "有限公司"}, 3),
        ({"province": "63"}, 1),
        ({"industry": "C"}, 2),
        ({"industry": "A"}, 1),
        ({"industry": "13"}, 2),
        ({"province": "44", "industry": "C", "q": "质量"}, 1),
    ],
)
def test_conditions_find_what_the_orms_find(listings, campaign, query, count):
    query = selectors.PublicQuery(year=campaign.year, **query)
    where = listing_where(query)
    found = [row[0] for row in _read(("pledge_id",), where.sql, where.params)]
    expected = list(selectors.public_listings(query).order_by("pk").values_list("pk", flat=True))
    assert found == expected
    assert len(found) == count


def test_a_credit_code_finds_its_listing(listings, campaign):
    code = Listing.objects.get(pk=listings[1].pk).credit_code
    where = listing_where(selectors.PublicQuery(year=campaign.year, q=code.lower()))
    assert [row[0] for row in _read(("pledge_id",), where.sql, where.params)] == [listings[1].pk]


def test_a_prepared_statement_finds_what_the_first_run_found(listings, campaign):
    """On PostgreSQL a statement run often is prepared, then planned once for any values (its
    generic plan): the answers must not change when that happens."""
    from django.db import connection

    queries = [
        {"province": "63"},
        {"province": "44", "industry": "C"},
        {"q": "质量"},
        {"q": "有限公司", "sort": "name"},
    ]

    def answers():
        return [
            [p.pk for p in selectors.list_page(
                selectors.PublicQuery(year=campaign.year, **query), english=False
            )[0].items]
            for query in queries
        ]  # fmt: skip

    first = answers()
    assert all(first)
    for _ in range(connection.settings_dict["OPTIONS"].get("prepare_threshold") or 3):
        assert answers() == first
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] >= len(queries)
