"""Hostile query strings on every search and filter: never a 500, never "everything".

SQL fragments, LIKE wildcards, backslashes, NUL bytes (PostgreSQL refuses them in text),
10,000-character terms, invalid filter, paging and cursor values and repeated parameters
reach the public list, its CSV and JSON, the review queue and the verification pages. Each
gets a normal answer (200 with a message at the field, 400 naming the parameter, or 404)
and a wildcard matches itself only: ``%`` does not list every row.
"""

import csv
import io

import pytest

from pledges.models import Pledge
from pledges.public.selectors import encode_cursor
from pledges.services import pledges as services
from tests import factories

pytestmark = pytest.mark.django_db

NAMES = ["北京质量测试有限公司", "上海精密制造有限公司", "广州诚信科技有限公司"]

# Terms that match no enterprise name, whatever a careless query would make of them.
MATCH_NOTHING = [
    pytest.param("' OR 1=1 --", id="sql-or"),
    pytest.param("'; DROP TABLE pledges_enterprise; --", id="sql-drop"),
    pytest.param('" OR ""="', id="sql-double-quote"),
    pytest.param("%", id="percent"),
    pytest.param("%%", id="two-percents"),
    pytest.param("_", id="underscore"),
    pytest.param("___", id="underscores"),
    pytest.param("\\", id="backslash"),
    pytest.param("\\%", id="escaped-percent"),
    pytest.param("有限%公司", id="percent-inside"),
    pytest.param("质_测试", id="underscore-inside"),
    pytest.param("质量 & 测试 | ! ( ) : * <-> '", id="full-text-operators"),
]
# Terms no field accepts: a message at the field (or a 400), not a search.
REFUSED = [
    pytest.param("质量\x00测试", id="nul-inside"),
    pytest.param("\x00", id="only-nul"),
    pytest.param("x" * 10_000, id="10000-chars"),
]


@pytest.fixture
def search_pledges(campaign, reviewer):
    """Three published pledges, and three more waiting in the review queue."""
    published, waiting = [], []
    for index, name in enumerate(NAMES):
        owner = factories.user()
        enterprise = factories.enterprise(owner, name=name)
        pledge = factories.submitted_pledge(enterprise, campaign, owner)
        published.append(services.pledge_approve(pledge=pledge, actor=reviewer))
        other_owner = factories.user()
        other = factories.enterprise(other_owner, name=f"待审{index}{name}")
        waiting.append(factories.submitted_pledge(other, campaign, other_owner))
    return published, waiting


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def queue_count(response) -> int:
    return response.context["page"].paginator.count


def shown_names(response) -> list[str]:
    """Names of the enterprises the public list shows (rendered into a cached fragment)."""
    html = response.content.decode()
    return [name for name in NAMES if name in html]


# --- Control: the fixtures are found -----------------------------------------------------


def test_control_a_real_term_finds_its_row_everywhere(client, reviewer, search_pledges):
    """The same requests with a real term find exactly its row: the checks below that
    expect nothing are not empty for another reason."""
    assert shown_names(client.get("/pledges/", {"q": "质量测试"})) == [NAMES[0]]
    results = client.get("/api/pledges/", {"q": "质量测试"}).json()["results"]
    assert [item["enterprise_name"] for item in results] == [NAMES[0]]
    rows = csv_rows(client.get("/pledges/export.csv", {"q": "质量测试"}))
    assert [row[1] for row in rows] == [NAMES[0]]
    client.force_login(reviewer)
    assert queue_count(client.get("/review/", {"q": "质量测试", "state": "all"})) == 2
    assert queue_count(client.get("/review/", {"state": "all"})) == 6


# --- Terms that must match nothing or are refused -------------------------------------------


@pytest.mark.parametrize("term", MATCH_NOTHING)
def test_wildcards_and_sql_match_nothing_anywhere(client, reviewer, search_pledges, term):
    """The public list, its CSV and JSON and the review queue search for the term as text."""
    response = client.get("/pledges/", {"q": term})
    assert response.status_code == 200
    assert shown_names(response) == []
    export = client.get("/pledges/export.csv", {"q": term})
    assert export.status_code == 200
    assert csv_rows(export) == []
    api = client.get("/api/pledges/", {"q": term})
    assert api.status_code == 200
    assert api.json()["results"] == []
    client.force_login(reviewer)
    queue = client.get("/review/", {"q": term, "state": "all"})
    assert queue.status_code == 200
    assert not queue.context["filter"].errors
    assert queue_count(queue) == 0


@pytest.mark.parametrize("term", REFUSED)
def test_nul_and_huge_terms_are_refused_at_the_field(
    english_client, reviewer, search_pledges, term
):
    """The list shows the message at its field, the CSV and JSON answer 400 naming q, and
    the queue lists nothing rather than every pledge as if no term had been typed."""
    response = english_client.get("/pledges/", {"q": term})
    assert response.status_code == 200
    assert 'id="id_q_error"' in response.content.decode()
    assert shown_names(response) == []
    api = english_client.get("/api/pledges/", {"q": term})
    assert api.status_code == 400
    assert [error["parameter"] for error in api.json()["errors"]] == ["q"]
    export = english_client.get("/pledges/export.csv", {"q": term})
    assert export.status_code == 400
    assert export.content.decode().startswith("q: ")
    english_client.force_login(reviewer)
    queue = english_client.get("/review/", {"q": term, "state": "all"})
    assert queue.status_code == 200
    if "\x00" in term:
        assert queue.context["filter"].form.has_error("q")
        assert 'id="id_q_error"' in queue.content.decode()
    # Refused, or (10,000 characters) a search like any other: nothing matches.
    assert queue_count(queue) == 0


# --- Filters, paging, cursors --------------------------------------------------------------

BAD_FILTERS = [
    "year=abc",
    "year=-1",
    "year=99999999999999999999",
    "year=2026.0",
    "year=%00",
    "province=%00",
    "province=' OR 1=1 --",
    "province=%25",
    "industry=%00",
    "industry=_",
    "industry=" + "A" * 5000,
    "sort=%00",
    "sort=name;DROP",
]
BAD_PAGING = [
    "page=0",
    "page=-1",
    "page=%00",
    "page=99999999999999999999",
    "after=%00",
    "after=%%%",
    "before=" + "A" * 5000,
    # Well-formed cursors holding hostile values.
    "after=" + encode_cursor(["\x00", 1]),
    "after=" + encode_cursor(["9999-12-31T23:59:59-14:00", 1]),
    "before=" + encode_cursor(["0001-01-01T00:00:00+14:00", 1]),
    "after=" + encode_cursor(["2026-01-01T00:00:00+08:00", 10**30]),
    "sort=name&after=" + encode_cursor(["\x00", 1]),
    "sort=name&after=" + encode_cursor(["%", 1]),
    "sort=name&before=" + encode_cursor([["nested"], 1]),
]


def test_bad_public_filters_are_messages_or_400(english_client, search_pledges):
    for query in BAD_FILTERS:
        response = english_client.get(f"/pledges/?{query}")
        assert response.status_code == 200, query
        assert "errorlist" in response.content.decode(), query
        assert shown_names(response) == [], query
        assert english_client.get(f"/api/pledges/?{query}").status_code == 400, query
        assert english_client.get(f"/pledges/export.csv?{query}").status_code == 400, query


def test_bad_paging_on_the_public_list_is_never_an_error(client, search_pledges):
    for query in BAD_PAGING:
        assert client.get(f"/pledges/?{query}").status_code == 200, query


def test_bad_paging_on_the_api_is_400(client, search_pledges):
    for query in [
        "cursor=" + encode_cursor(["\x00", 1]),
        "cursor=" + encode_cursor(["2026-01-01T00:00:00+08:00", 10**30]),
        "cursor=" + encode_cursor(["9999-12-31T23:59:59-14:00", 1]),
        "cursor=%00",
        "since=%00",
        "since=" + "9" * 5000,
        "since=" + encode_cursor(["2026-01-01T00:00:00+08:00", 1]),
        "limit=%00",
        "limit=" + "9" * 5000,
    ]:
        response = client.get(f"/api/pledges/?{query}")
        assert response.status_code == 400, query
        assert response.json()["errors"], query


def test_bad_review_queue_filters_are_messages_and_list_nothing(reviewer_client, search_pledges):
    for query in [
        "campaign=%00",
        "campaign=abc",
        "campaign=99999999999999999999",
        "province=%00",
        "province=' OR 1=1 --",
        "industry=%00",
        "industry=%25",
        "state=%00",
        "state=approved' OR '1'='1",
        "waiting=%00",
        "waiting=-1",
    ]:
        response = reviewer_client.get(f"/review/?{query}")
        assert response.status_code == 200, query
        assert response.context["filter"].errors, query
        assert queue_count(response) == 0, query


def test_bad_review_queue_page_numbers_show_a_page(reviewer_client, search_pledges):
    for page in ["0", "-1", "abc", "%00", "1e10", "99999999999999999999", "1.5", "9" * 5000]:
        response = reviewer_client.get(f"/review/?state=all&page={page}")
        assert response.status_code == 200, page
        assert queue_count(response) == 6, page


def test_stats_for_a_hostile_year_is_404(client, search_pledges):
    for year in ["abc", "%00", "-1", "2026.0", "' OR 1=1 --", "9" * 5000, "99999999999999999999"]:
        assert client.get(f"/stats/?year={year}").status_code == 404, year


def test_naive_and_hostile_cursors_on_the_public_list_are_ignored(client, search_pledges):
    """A cursor the site did not write (naive time, NUL, absurd id) pages from the start."""
    first = client.get("/pledges/")
    for cursor in (
        encode_cursor(["2026-01-01T00:00:00", 1]),
        encode_cursor(["2026-01-01T00:00:00+08:00", True]),
        encode_cursor(["2026-01-01T00:00:00+08:00", -5]),
    ):
        response = client.get(f"/pledges/?after={cursor}")
        assert response.status_code == 200
        assert shown_names(response) == shown_names(first) == NAMES


# --- Repeated parameters -------------------------------------------------------------------


def test_repeated_parameters_use_one_value_consistently(client, reviewer, search_pledges):
    """``q=a&q=b`` is the last value everywhere (Django's QueryDict), never a 500, and a
    hostile first value does not widen the search."""
    query = "q=%25&q=" + "质量测试" + "&year=abc&year=" + str(search_pledges[0][0].campaign.year)
    assert shown_names(client.get(f"/pledges/?{query}")) == [NAMES[0]]
    api = client.get(f"/api/pledges/?{query}").json()["results"]
    assert [item["enterprise_name"] for item in api] == [NAMES[0]]
    rows = csv_rows(client.get(f"/pledges/export.csv?{query}"))
    assert [row[1] for row in rows] == [NAMES[0]]
    client.force_login(reviewer)
    queue = client.get("/review/?state=all&q=%25&q=质量测试&page=x&page=1")
    assert queue_count(queue) == 2
    refused = client.get("/pledges/?q=质量测试&q=%00")
    assert refused.status_code == 200 and shown_names(refused) == []


# --- Verification --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "CQ-2026-%",
        "CQ-2026-______",
        "CQ-2026-000001\x00",
        "\x00",
        "x" * 10_000,
    ],
)
def test_verify_form_refuses_hostile_numbers_at_the_field(english_client, number):
    response = english_client.get("/verify/", {"number": number})
    assert response.status_code == 200
    assert response.context["form"].has_error("number")
    assert 'id="id_number_error"' in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/verify/%27%20OR%201=1%20--/",
        "/verify/%25/",
        "/verify/_/",
        "/verify/%5C/",
        "/verify/CQ-2026-%25/",
        "/verify/CQ-2026-000001%00/",
        "/verify/%00/",
        "/verify/" + "x" * 10_000 + "/",
    ],
)
def test_verify_result_for_hostile_numbers_is_unknown(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.context["verification"].is_unknown


def test_no_hostile_number_finds_an_existing_certificate(
    client, owner, enterprise, campaign, reviewer, django_capture_on_commit_callbacks
):
    """With a real certificate issued, wildcard-like numbers still find nothing."""
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    number = Pledge.objects.get(pk=pledge.pk).certificate.number
    assert client.get(f"/verify/{number}/").status_code == 200
    for guess in (number[:-1] + "%", number[:-1] + "_", number[:8] + "%25"):
        assert client.get(f"/verify/{guess}/").status_code == 404, guess
