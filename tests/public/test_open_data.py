"""The open data: CSV export, JSON API (+ OpenAPI), statistics, sitemap and robots.txt.

Only reviewed pledges (approved, or revoked and marked so) are ever published, and nothing
private; filters are those of /pledges/; the feed's cursors and ``since`` let a copy be kept
in sync; every read costs a fixed number of queries.
"""

import csv
import io
import json
import re
from urllib.parse import quote, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pledges.models import Listing, PublicDataVersion
from pledges.public import selectors as open_data_selectors
from pledges.public.sitemaps import PledgeSitemap
from pledges.services import pledges as services
from pledges.services.certificates import certificate_issue
from pledges.services.review import note_add
from tests import factories

pytestmark = pytest.mark.django_db

HIDDEN_STATES = ("draft", "submitted", "changes_requested", "rejected", "withdrawn")
REASON = factories.REVOCATION_REASON


def download(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    assert response.streaming
    raw = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8").removeprefix("\ufeff"))))
    return raw, rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def csv_names(client, url):
    return {row["Enterprise"] for row in download(client, url, HTTP_ACCEPT_LANGUAGE="en")[2]}


def api(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def api_names(client, url):
    return {item["enterprise_name"] for item in api(client, url)["results"]}


def walk(client, url):
    """Every item, following ``next`` to the end."""
    items = []
    while url:
        page = api(client, url)
        items += page["results"]
        url = page["next"]
    return items


# --- Visibility -------------------------------------------------------------------------


def test_only_reviewed_pledges_are_published_anywhere(client, publish, campaign):
    hidden = [publish(f"隐藏{state}有限公司", state=state) for state in HIDDEN_STATES]
    shown = publish("公开质量有限公司")
    revoked = publish("撤销质量有限公司", state="revoked")

    raw, _header, rows = download(client, "/pledges/export.csv?year=", HTTP_ACCEPT_LANGUAGE="en")
    assert "隐藏".encode() not in raw
    by_name = {row["Enterprise"]: row for row in rows}
    assert set(by_name) == {"公开质量有限公司", "撤销质量有限公司"}
    assert by_name["公开质量有限公司"]["State"] == "Approved"
    assert by_name["公开质量有限公司"]["Revocation reason"] == ""
    assert by_name["撤销质量有限公司"]["State"] == "Revoked"
    assert by_name["撤销质量有限公司"]["Revocation reason"] == REASON

    items = {item["id"]: item for item in walk(client, "/api/pledges/?year=&limit=1")}
    assert set(items) == {shown.pk, revoked.pk}
    assert items[shown.pk]["state"] == "approved"
    assert items[shown.pk]["revoked_at"] is None
    assert items[shown.pk]["revocation_reason"] is None
    assert items[revoked.pk]["state"] == "revoked"
    assert items[revoked.pk]["revocation_reason"] == REASON
    assert parse_datetime(items[revoked.pk]["revoked_at"]) >= parse_datetime(
        items[revoked.pk]["approved_at"]
    )

    stats = open_data_selectors.public_stats()
    assert [(row.year, row.approved, row.revoked) for row in stats.years] == [(campaign.year, 1, 1)]
    assert [(row.code, row.count) for row in stats.provinces] == [("11", 1)]
    assert [(row.code, row.count) for row in stats.sections] == [("C", 1)]
    page = client.get("/stats/").content.decode()
    assert "隐藏" not in page

    sitemap = client.get("/sitemap-pledges.xml").content.decode()
    assert f"/pledges/{shown.pk}/</loc>" in sitemap
    for pledge in [*hidden, revoked]:
        assert f"/pledges/{pledge.pk}/</loc>" not in sitemap


def test_no_private_data_in_the_csv_or_the_api(client, publish, reviewer):
    pledge = publish(
        "隐私检查有限公司",
        contact_email="secret@corp.example",
        contact_phone="010-55554444",
        contact_name="保密联系人",
        address="保密地址路99号",
    )
    note_add(pledge=pledge, actor=reviewer, text="内部备注不可公开")
    licensed_owner = factories.user()
    from pledges.services.enterprises import enterprise_register

    licensed = enterprise_register(
        actor=licensed_owner,
        credit_code=factories.credit_code(),
        profile=factories.profile(name="执照检查有限公司"),
        licence=factories.upload(factories.pdf_bytes(), "licence.pdf", "application/pdf"),
        licence_type="application/pdf",
    )
    second = factories.submitted_pledge(licensed, pledge.campaign, licensed_owner)
    services.pledge_approve(pledge=second, actor=reviewer)
    services.pledge_revoke(pledge=second, actor=reviewer, reason=REASON)
    certificate_issue(certificate_id=pledge.certificate.pk)

    pledge.refresh_from_db()
    licensed.refresh_from_db()
    private = [
        "secret@corp.example",
        "010-55554444",
        "保密联系人",
        "保密地址路99号",
        "内部备注不可公开",
        reviewer.email,
        licensed.licence_scan.name,
        pledge.stamped_page.name,
        "stamped-pages",
        "licences/",
        "certificates/",
        "@",
    ]
    assert licensed.licence_scan.name and pledge.stamped_page.name
    csv_raw = download(client, "/pledges/export.csv?year=")[0]
    api_raw = client.get("/api/pledges/?year=").content
    for raw in (csv_raw, api_raw):
        assert "隐私检查有限公司".encode() in raw and "执照检查有限公司".encode() in raw
        for secret in private:
            assert secret.encode() not in raw, secret
    assert pledge.certificate.number.encode() in csv_raw
    assert pledge.certificate.number.encode() in api_raw


# --- Filters and search -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=质量", {"华东质量科技有限公司", "质量之星有限公司"}),
        ("q=质", {"华东质量科技有限公司", "质量之星有限公司"}),
        ("q=东质量科", {"华东质量科技有限公司"}),
        ("q=量质", set()),
        ("q=精密", {"北方精密仪器有限公司"}),
        ("province=44", {"质量之星有限公司"}),
        ("industry=C", {"华东质量科技有限公司", "质量之星有限公司", "北方精密仪器有限公司"}),
        ("industry=13", {"华东质量科技有限公司", "质量之星有限公司", "北方精密仪器有限公司"}),
        ("industry=A", set()),
        ("q=质量&province=11", {"华东质量科技有限公司"}),
        ("q=' OR 1=1 --", set()),
    ],
)
def test_filters_and_two_character_search(client, publish, query, expected):
    publish("华东质量科技有限公司")
    publish("质量之星有限公司", province="44")
    publish("北方精密仪器有限公司")
    publish("撤回质量有限公司", state="withdrawn")
    assert csv_names(client, f"/pledges/export.csv?{query}") == expected
    assert api_names(client, f"/api/pledges/?{query}") == expected


def test_search_by_exact_credit_code(client, publish):
    pledge = publish("代码检索有限公司")
    publish("其他企业有限公司")
    code = pledge.enterprise.credit_code
    query = f"q={quote(code[:6].lower() + ' ' + code[6:])}"
    assert csv_names(client, f"/pledges/export.csv?{query}") == {"代码检索有限公司"}
    [item] = api(client, f"/api/pledges/?{query}")["results"]
    assert item["credit_code"] == code
    assert api_names(client, f"/api/pledges/?q={code[:10]}") == set()  # a code is exact


def test_the_current_campaign_by_default_and_every_year_on_request(client, publish, campaign):
    earlier = factories.campaign(campaign.year - 1)
    publish("今年企业有限公司")
    publish("去年企业有限公司", year_campaign=earlier)
    for base in ("/pledges/export.csv", "/api/pledges/"):
        names = csv_names if base.endswith(".csv") else api_names
        assert names(client, base) == {"今年企业有限公司"}
        assert names(client, f"{base}?limit=10") == {"今年企业有限公司"}
        assert names(client, f"{base}?year={earlier.year}") == {"去年企业有限公司"}
        assert names(client, f"{base}?year=") == {"今年企业有限公司", "去年企业有限公司"}


# --- The item and the CSV columns -------------------------------------------------------


def test_an_api_item_says_everything_public_and_links_to_its_page(client, publish, campaign):
    pledge = publish("字段齐全有限公司", name_en="Complete Fields Co., Ltd.", province="44")
    certificate_issue(certificate_id=pledge.certificate.pk)
    pledge.refresh_from_db()
    listing = Listing.objects.get(pk=pledge.pk)
    [item] = api(client, "/api/pledges/")["results"]
    assert item == {
        "id": pledge.pk,
        "url": f"http://testserver/pledges/{pledge.pk}/",
        "year": campaign.year,
        "enterprise_name": "字段齐全有限公司",
        "enterprise_name_en": "Complete Fields Co., Ltd.",
        "credit_code": pledge.enterprise.credit_code,
        "history": f"http://testserver/api/history/{pledge.enterprise.credit_code}/",
        "province": {"code": "44", "name": "广东省", "name_en": item["province"]["name_en"]},
        "industry": {
            "code": "13",
            "name": item["industry"]["name"],
            "name_en": item["industry"]["name_en"],
            "section": "C",
        },
        "state": "approved",
        "signed_on": timezone.localdate(pledge.submitted_at).isoformat(),
        "approved_at": item["approved_at"],
        "revoked_at": None,
        "revocation_reason": None,
        "certificate_number": pledge.certificate.number,
        "notice_until": None,  # no notice in these tests: final at approval
        "final_at": item["approved_at"],
        "under_objection_review": False,
        "objection_outcomes": [],
        "corrections": [],
        "updated_at": item["updated_at"],
    }
    assert item["province"]["name_en"].startswith("Guangdong")
    assert item["industry"]["name"] and item["industry"]["name_en"]
    # Exact to the microsecond, so it can be passed back as ``since``.
    assert parse_datetime(item["updated_at"]) == listing.changed_at
    assert parse_datetime(item["approved_at"]) == pledge.decided_at
    assert client.get(urlsplit(item["url"]).path).status_code == 200


def test_csv_columns_in_chinese_and_english(client, publish, campaign):
    pledge = publish("双语导出有限公司", state="revoked")
    _raw, header, [row] = download(client, "/pledges/export.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert header == [
        "Year",
        "Enterprise",
        "Unified Social Credit Code",
        "Province",
        "Industry code",
        "Industry",
        "Signed on",
        "State",
        "Revocation reason",
        "Certificate number",
        "In public notice until",
        "Objections",
    ]
    assert row["Year"] == str(campaign.year)
    assert row["Province"] == "Beijing Municipality"
    assert row["Industry code"] == "\t13"
    assert row["Signed on"] == timezone.localdate(pledge.submitted_at).isoformat()
    assert row["State"] == "Revoked"
    _raw, header, [row] = download(client, "/pledges/export.csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert header[0] == "年度"
    assert list(row.values())[3] == "北京市"
    assert list(row.values())[7] == "已撤销"


def test_csv_is_excel_safe(client, publish, reviewer):
    formulas = ["=HYPERLINK(1)", "+86 1", "-1+1", "@SUM(A1)"]
    pledges = [publish(f"{start}有限公司") for start in formulas]
    services.pledge_revoke(pledge=pledges[0], actor=reviewer, reason="=cmd|' /C calc'!A0")
    response = client.get("/pledges/export.csv?year=", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="chengxin-public-pledges-all-years.csv"' in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8").removeprefix("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    names = {row[1] for row in rows[1:]}
    assert names == {f"'{start}有限公司" for start in formulas}
    assert "'=cmd|' /C calc'!A0" in cells
    codes = {row[2] for row in rows[1:]}
    assert codes == {"\t" + pledge.enterprise.credit_code for pledge in pledges}


# --- The change feed --------------------------------------------------------------------


def test_since_returns_the_approval_and_then_the_revocation(
    client, publish, reviewer, django_capture_on_commit_callbacks
):
    publish("早先企业有限公司")
    before = timezone.now()
    pledge = publish("变更企业有限公司", state="submitted")
    feed = f"/api/pledges/?year=&since={quote(before.isoformat())}"
    assert api(client, feed)["results"] == []  # submitted: not public, not in the feed

    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    [approved] = api(client, feed)["results"]
    assert (approved["id"], approved["state"]) == (pledge.pk, "approved")

    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_revoke(pledge=pledge, actor=reviewer, reason=REASON)
    later = f"/api/pledges/?year=&since={quote(approved['updated_at'])}"
    [revoked] = api(client, later)["results"]
    assert (revoked["id"], revoked["state"], revoked["revocation_reason"]) == (
        pledge.pk,
        "revoked",
        REASON,
    )
    assert parse_datetime(revoked["updated_at"]) > parse_datetime(approved["updated_at"])
    assert api(client, f"/api/pledges/?year=&since={quote(revoked['updated_at'])}") == {
        "results": [],
        "next": None,
    }


@pytest.mark.parametrize(
    "since",
    [
        "2000-01-01T00:00:00Z",
        "2000-01-01T08:00:00+08:00",
        "2000-01-01t00:00:00z",
        "2000-01-01T00:00:00.123456Z",
        "0001-01-01T00:00:00+14:00",  # before every listing
    ],
)
def test_since_accepts_rfc_3339_date_times(client, publish, since):
    publish("格式企业有限公司")
    url = f"/api/pledges/?year=&since={since.replace('+', '%2B')}"
    assert api_names(client, url) == {"格式企业有限公司"}
    assert api_names(client, "/api/pledges/?since=2999-01-01T00:00:00Z") == set()
    assert api_names(client, "/api/pledges/?since=9999-12-31T23:59:59-14:00") == set()


def test_cursor_paging_is_stable_while_pledges_are_approved(client, publish, reviewer):
    first_five = [publish(f"分页企业{i}有限公司") for i in range(5)]
    waiting = [publish(f"新批企业{i}有限公司", state="submitted") for i in range(2)]
    page = api(client, "/api/pledges/?limit=2")
    seen = [item["id"] for item in page["results"]]
    for pledge in waiting:  # approved between page fetches
        services.pledge_approve(pledge=pledge, actor=reviewer)
    url = page["next"]
    while url:
        page = api(client, url)
        assert len(page["results"]) <= 2
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
        assert "limit=2" in (url or "limit=2")
    assert seen == [p.pk for p in first_five] + [p.pk for p in waiting]  # no gap, no repeat


def test_the_next_link_keeps_the_filters_and_is_null_on_the_last_page(client, publish):
    for i in range(3):
        publish(f"质量链接{i}有限公司")
    publish("别的企业有限公司")
    first = api(client, "/api/pledges/?q=质量&limit=2")
    assert len(first["results"]) == 2
    assert first["next"].startswith("http://testserver/api/pledges/?")
    assert "q=%E8%B4%A8%E9%87%8F" in first["next"] and "limit=2" in first["next"]
    second = api(client, first["next"])
    assert len(second["results"]) == 1 and second["next"] is None
    exact = api(client, "/api/pledges/?limit=4")
    assert len(exact["results"]) == 4 and exact["next"] is None


# --- Bad parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("since=yesterday", "since"),
        ("since=2026-13-01T00:00:00Z", "since"),
        ("since=2000-01-01", "since"),  # a date alone
        ("since=2000-01-01T08:00:00", "since"),  # no offset
        ("since=2000-01-01T08:00:00 08:00", "since"),  # an unencoded "+"
        ("since=%00", "since"),
        ("cursor=%%%", "cursor"),
        ("cursor=-1", "cursor"),
        ("cursor=1.5", "cursor"),
        ("cursor=" + "9" * 19, "cursor"),
        ("cursor=%EF%BC%95", "cursor"),  # a full-width digit
        ("cursor=12%0A", "cursor"),  # a trailing line break
        ("limit=5%0A", "limit"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=%EF%BC%95", "limit"),  # a full-width digit
        ("year=abc", "year"),
        ("year=1999", "year"),
        ("province=99", "province"),
        ("industry=ZZ", "industry"),
        ("q=" + "长" * 51, "q"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(client, publish, query, parameter):
    publish("参数企业有限公司")
    response = client.get(f"/api/pledges/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert [error["parameter"] for error in errors] == [parameter]
    assert errors[0]["message"]
    if parameter not in ("since", "cursor", "limit"):
        csv_response = client.get(f"/pledges/export.csv?{query}")
        assert csv_response.status_code == 400
        assert parameter in csv_response.content.decode()


def test_error_messages_follow_the_language(client, db):
    english = client.get("/api/pledges/?limit=0", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get("/api/pledges/?limit=0", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["errors"][0]["message"] == "Enter a whole number from 1 to 200."
    assert chinese["errors"][0]["message"] != english["errors"][0]["message"]


# --- Query counts -----------------------------------------------------------------------


def _measure(client, url, assert_max_queries, at_most: int) -> int:
    cache.clear()  # cold: nothing cached
    PublicDataVersion.forget()
    with assert_max_queries(at_most) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/pledges/export.csv?year=", "/api/pledges/?year=&limit=200", "/stats/", "/stats/?year="],
)
def test_query_count_does_not_grow_with_rows(client, publish, url, django_assert_max_num_queries):
    publish("计数企业有限公司", state="revoked")
    publish("计数企业零有限公司")
    few = _measure(client, url, django_assert_max_num_queries, 8)
    for index in range(12):
        publish(
            f"计数企业{index}有限公司",
            state="revoked" if index % 3 == 0 else "approved",
            province="44" if index % 2 else "11",
        )
    assert _measure(client, url, django_assert_max_num_queries, few) == few


# --- Statistics -------------------------------------------------------------------------


def test_stats_page_has_charts_and_accessible_tables(client, publish, campaign):
    earlier = factories.campaign(campaign.year - 1)
    publish("统计甲有限公司")
    publish("统计乙有限公司", province="44")
    publish("统计丙有限公司", province="44", year_campaign=earlier)
    publish("统计丁有限公司", state="revoked")
    response = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 3 and "<script" not in page
    assert page.count('role="img"') == 3
    assert page.count("<caption") == 3
    assert 'scope="col"' in page and 'scope="row"' in page
    # Per year: approved and revoked.
    assert re.search(rf">{campaign.year}</a></th><td[^>]*>2</td><td[^>]*>1</td>", page)
    assert re.search(rf">{earlier.year}</a></th><td[^>]*>1</td><td[^>]*>0</td>", page)
    # Per province, all years (the revoked one is not counted).
    assert re.search(r"<th scope=\"row\">Guangdong[^<]*</th><td[^>]*>2</td>", page)
    assert re.search(r"<th scope=\"row\">Beijing[^<]*</th><td[^>]*>1</td>", page)
    assert re.search(r"<th scope=\"row\">C Manufacturing</th><td[^>]*>3</td>", page)
    # One year.
    one_year = client.get(f"/stats/?year={earlier.year}", HTTP_ACCEPT_LANGUAGE="en")
    assert re.search(
        r"<th scope=\"row\">Guangdong[^<]*</th><td[^>]*>1</td>", one_year.content.decode()
    )
    assert "Beijing" not in one_year.content.decode().split("per-province")[1].split("</table")[0]
    assert client.get("/stats/?year=1999").status_code == 404
    assert client.get("/stats/?year=abc").status_code == 404
    # The same for every visitor without a session: shareable, revalidated every time (a
    # browser would otherwise keep it for a tenth of its age since Last-Modified).
    assert set(response["Cache-Control"].split(", ")) == {"public", "no-cache"}
    client.force_login(factories.user())
    signed_in = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en")
    assert "public" not in signed_in.get("Cache-Control", "")  # it holds a CSRF form


def test_stats_are_cached_until_the_public_data_changes(
    client, publish, reviewer, campaign, django_capture_on_commit_callbacks
):
    publish("缓存甲有限公司")
    pledge = publish("缓存乙有限公司", state="submitted")
    assert open_data_selectors.public_stats().years[0].approved == 1
    with CaptureQueriesContext(connection) as queries:
        assert open_data_selectors.public_stats().years[0].approved == 1  # cached
    assert len(queries) <= 1  # the version at most
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)  # a new version of the record
    assert open_data_selectors.public_stats().years[0].approved == 2


def test_an_approval_shows_in_the_stats_once_committed(
    client, publish, reviewer, django_capture_on_commit_callbacks
):
    pledge = publish("即时统计有限公司", state="submitted")
    client.get("/stats/")  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    assert open_data_selectors.public_stats().provinces[0].count == 1


def test_everyone_finds_the_list_and_the_stats_in_the_navigation(client, owner_client):
    for visitor in (client, owner_client):
        page = visitor.get("/stats/").content.decode()
        assert 'href="/pledges/"' in page and 'href="/stats/"' in page


# --- API description --------------------------------------------------------------------


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_openapi_document_describes_the_api(client):
    response = client.get("/api/schema.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    operation = document["paths"]["/api/pledges/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {
        "year",
        "province",
        "industry",
        "q",
        "run",
        "standing",
        "since",
        "cursor",
        "limit",
    }
    for parameter in operation["parameters"]:
        assert parameter["in"] == "query" and parameter["schema"]
    assert {"200", "400"} <= set(operation["responses"])
    for ref in _refs(document):
        node = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]  # every reference resolves
    item = document["components"]["schemas"]["Pledge"]
    assert set(item["required"]) == set(item["properties"])
    removed = document["components"]["schemas"]["Removed"]
    assert set(removed["required"]) == set(removed["properties"])
    assert "public" in response["Cache-Control"]


def test_api_items_match_the_documented_fields(client, publish):
    publish("文档一致有限公司", state="revoked")
    document = client.get("/api/schema.json").json()
    [item] = api(client, "/api/pledges/")["results"]
    assert set(item) == set(document["components"]["schemas"]["Pledge"]["properties"])


def test_the_public_list_points_to_its_csv(client, publish):
    publish("链接企业有限公司")
    page = client.get("/pledges/?province=11&q=%E8%B4%A8").content.decode()
    assert (
        '<link rel="alternate" type="text/csv" '
        'href="/pledges/export.csv?province=11&amp;q=%E8%B4%A8">' in page
    )


def test_the_api_index_links_to_its_description(client):
    response = client.get("/api/")
    assert response.status_code == 200
    assert 'href="/api/schema.json"' in response.content.decode()
    assert response["Link"] == '</api/schema.json>; rel="service-desc"'


def test_public_responses_may_be_cached_briefly(client, publish):
    publish("缓存头有限公司")
    api_response = client.get("/api/pledges/")
    assert api_response["Cache-Control"] == "public, max-age=30"
    assert api_response["Access-Control-Allow-Origin"] == "*"
    csv_response = client.get("/pledges/export.csv")
    assert csv_response["Cache-Control"] == "public, max-age=30"
    assert "Accept-Language" in csv_response["Vary"] and "Cookie" in csv_response["Vary"]
    assert "public" not in client.get("/api/pledges/?limit=0").get("Cache-Control", "")


# --- Sitemap and robots.txt -------------------------------------------------------------


def test_sitemap_lists_the_public_pages_in_framework_pages(client, publish, monkeypatch):
    approved = [publish(f"地图企业{i}有限公司") for i in range(3)]
    revoked = publish("地图撤销有限公司", state="revoked")
    monkeypatch.setattr(PledgeSitemap, "limit", 2)
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    text = index.content.decode()
    assert "http://testserver/sitemap-pages.xml" in text
    assert "http://testserver/sitemap-pledges.xml" in text
    assert "http://testserver/sitemap-pledges.xml?p=2" in text
    pages = client.get("/sitemap-pages.xml").content.decode()
    assert "<loc>http://testserver/pledges/</loc>" in pages
    assert "<loc>http://testserver/stats/</loc>" in pages
    listed = client.get("/sitemap-pledges.xml").content.decode()
    listed += client.get("/sitemap-pledges.xml?p=2").content.decode()
    found = re.findall(r"<loc>http://testserver/pledges/(\d+)/</loc>", listed)
    assert sorted(map(int, found)) == [p.pk for p in approved]
    assert str(revoked.pk) not in found
    assert "<lastmod>" in listed


def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_private_areas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    for path in ("/portal/", "/review/", "/accounts/", "/admin/", "/api/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /pledges/" not in lines
