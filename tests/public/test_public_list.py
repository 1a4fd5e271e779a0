"""The public list and enterprise pages: only reviewed pledges, searchable, fast to page."""

import re
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache, caches
from django.utils.safestring import mark_safe

from pledges.models import Pledge, PublicDataVersion
from pledges.search import name_ngrams
from pledges.services import pledges as services
from tests import factories

pytestmark = pytest.mark.django_db


def names(response):
    return [p.name for p in response_page(response).items]


def response_page(response):
    """The page as a visitor reads it: its items' names and its pager's links."""
    html = response.content.decode()
    assert '<section aria-labelledby="results-heading">' in html, "no list in the response"
    section = html[html.index('<section aria-labelledby="results-heading">') :]
    items = re.findall(r'class="pledge-name">([^<]*)</a>', section)
    links = dict(re.findall(r'<a rel="(\w+)" href="([^"]*)"', section))

    def cursor(rel: str, name: str) -> str:
        return parse_qs(urlsplit(unescape(links[rel])).query)[name][0] if rel in links else ""

    return SimpleNamespace(
        items=[SimpleNamespace(name=unescape(name)) for name in items],
        is_first="first" not in links and "prev" not in links,
        is_last="next" not in links and "last" not in links,
        next_cursor=cursor("next", "after"),
        previous_cursor=cursor("prev", "before"),
    )


def test_only_reviewed_pledges_are_public(client, publish):
    for state in ("draft", "submitted", "changes_requested", "rejected", "withdrawn"):
        hidden = publish(f"隐藏{state}有限公司", state=state)
        assert client.get(f"/pledges/{hidden.pk}/").status_code == 404
    shown = publish("公开质量有限公司")
    revoked = publish("撤销质量有限公司", state="revoked")
    page = client.get("/pledges/").content.decode()
    assert "隐藏" not in page
    assert "公开质量有限公司" in page and "撤销质量有限公司" in page
    assert "发生质量安全事故" in page  # the public reason is shown with the revoked one
    assert client.get(f"/pledges/{shown.pk}/").status_code == 200
    detail = client.get(f"/pledges/{revoked.pk}/").content.decode()
    assert "发生质量安全事故" in detail


def test_no_private_data_on_public_pages(client, publish, reviewer):
    pledge = publish(
        "隐私检查有限公司",
        contact_email="secret@corp.example",
        contact_phone="010-55554444",
        contact_name="保密联系人",
    )
    list_page = client.get("/pledges/").content.decode()
    detail = client.get(f"/pledges/{pledge.pk}/").content.decode()
    for page in (list_page, detail):
        for private in (
            "secret@corp.example",
            "010-55554444",
            "保密联系人",
            reviewer.email,
            "stamped-page",
            "licence",
        ):
            assert private not in page


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
        ("industry=A", set()),
        ("q=' OR 1=1 --", set()),
    ],
)
def test_filters_and_chinese_search(client, publish, query, expected):
    publish("华东质量科技有限公司")
    publish("质量之星有限公司", province="44")
    publish("北方精密仪器有限公司")
    response = client.get(f"/pledges/?{query}")
    assert response.status_code == 200
    assert set(names(response)) == expected


def test_search_by_exact_credit_code(client, publish):
    pledge = publish("代码检索有限公司")
    publish("其他企业有限公司")
    code = pledge.enterprise.credit_code
    response = client.get(f"/pledges/?q={code[:6].lower()} {code[6:]}")
    assert names(response) == ["代码检索有限公司"]


def test_the_current_campaign_by_default_and_other_years_on_request(client, publish, campaign):
    earlier = factories.campaign(campaign.year - 1)
    publish("今年企业有限公司")
    publish("去年企业有限公司", year_campaign=earlier)
    assert names(client.get("/pledges/")) == ["今年企业有限公司"]
    assert names(client.get(f"/pledges/?year={earlier.year}")) == ["去年企业有限公司"]
    assert set(names(client.get("/pledges/?year="))) == {"今年企业有限公司", "去年企业有限公司"}


def test_keyset_paging_walks_forward_and_back_and_reaches_the_last_page(client, publish):
    created = [publish(f"分页企业{i:02d}有限公司") for i in range(45)]
    newest_first = [p.enterprise.name for p in reversed(created)]
    first = client.get("/pledges/")
    assert names(first) == newest_first[:20]
    page = response_page(first)
    second = client.get(f"/pledges/?after={page.next_cursor}")
    assert names(second) == newest_first[20:40]
    last = client.get("/pledges/?page=last")
    assert names(last) == newest_first[25:]
    assert response_page(last).is_last
    back = client.get(f"/pledges/?before={response_page(second).previous_cursor}")
    assert names(back) == newest_first[:20]
    by_name = client.get("/pledges/?sort=name")
    assert names(by_name) == sorted(newest_first)[:20]


@pytest.mark.parametrize("limit", [1000, 10], ids=["matches-cut-here", "more-read-in-order"])
def test_a_search_pages_the_same_whether_its_matches_are_few_or_many(
    client, publish, monkeypatch, limit
):
    """Up to SEARCH_COUNT_LIMIT matches, the page is cut from their keys; beyond, it is read
    in order. Forward, back and last pages agree either way."""
    monkeypatch.setattr("pledges.public.selectors.SEARCH_COUNT_LIMIT", limit)
    created = [publish(f"检索分页{i:02d}有限公司") for i in range(45)]
    publish("无关企业有限公司")
    newest_first = [p.enterprise.name for p in reversed(created)]
    first = client.get("/pledges/?q=检索")
    assert names(first) == newest_first[:20]
    page = response_page(first)
    assert page.is_first and not page.is_last
    second = client.get(f"/pledges/?q=检索&after={page.next_cursor}")
    assert names(second) == newest_first[20:40]
    third = client.get(f"/pledges/?q=检索&after={response_page(second).next_cursor}")
    assert names(third) == newest_first[40:] and response_page(third).is_last
    back = client.get(f"/pledges/?q=检索&before={response_page(second).previous_cursor}")
    assert names(back) == newest_first[:20] and response_page(back).is_first
    last = client.get("/pledges/?q=检索&page=last")
    assert names(last) == newest_first[25:] and response_page(last).is_last
    heading = "45 signatories" if limit > 45 else f"More than {limit} signatories"
    assert heading in client.get("/pledges/?q=检索", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    by_name = client.get("/pledges/?q=检索&sort=name")
    assert names(by_name) == sorted(newest_first)[:20]
    # A filter is the same path, but always counted exactly.
    by_place = client.get("/pledges/?province=11", HTTP_ACCEPT_LANGUAGE="en")
    assert names(by_place) == ["无关企业有限公司", *newest_first[:19]]
    assert "46 signatories" in by_place.content.decode()
    after = response_page(by_place).next_cursor
    assert names(client.get(f"/pledges/?province=11&after={after}")) == newest_first[19:39]


def test_a_term_with_punctuation_is_found(client, publish):
    publish("华北陶瓷（保定）有限公司")
    publish("保定其他有限公司")
    assert names(client.get("/pledges/?q=（保")) == ["华北陶瓷（保定）有限公司"]


def test_bad_cursors_and_odd_queries_are_not_errors(client, publish):
    publish("稳健企业有限公司")
    for url in (
        "/pledges/?after=%%%",
        "/pledges/?before=bm90IGpzb24",
        "/pledges/?year=abc",
        "/pledges/?province=99",
        "/pledges/?q=" + "长" * 5000,
        "/pledges/?page=0",
    ):
        assert client.get(url).status_code == 200, url


def test_query_count_is_constant(client, publish, django_assert_max_num_queries):
    """Measured cold (nothing cached): the page's queries do not grow with its rows."""
    publish("计数企业有限公司", state="revoked")
    PublicDataVersion.forget()
    # At most what test_open_data.py allows the other cold public reads.
    with django_assert_max_num_queries(8) as few:
        client.get("/pledges/?year=")
    for index in range(25):
        publish(f"计数企业{index}有限公司", state="revoked" if index % 3 == 0 else "approved")
    cache.clear()
    PublicDataVersion.forget()
    with django_assert_max_num_queries(len(few)) as many:
        client.get("/pledges/?year=&sort=name")
    assert len(many) == len(few)
    with django_assert_max_num_queries(4):
        client.get(f"/pledges/{Pledge.objects.filter(state='approved').first().pk}/")


def test_an_approval_and_a_revocation_show_at_once(
    client, publish, reviewer, django_capture_on_commit_callbacks
):
    pledge = publish("即时企业有限公司", state="submitted")
    assert "即时企业有限公司" not in client.get("/pledges/").content.decode()  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    assert "即时企业有限公司" in client.get("/pledges/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_revoke(pledge=pledge, actor=reviewer, reason="撤销原因")
    assert "撤销原因" in client.get("/pledges/").content.decode()


def test_name_ngrams_hold_every_character_and_pair():
    assert name_ngrams("质量 A1") == "质 量 a 1 质量 量a a1"


def test_a_search_counts_its_matches_up_to_a_limit(client, publish, monkeypatch):
    monkeypatch.setattr("pledges.public.selectors.SEARCH_COUNT_LIMIT", 2)
    for index in range(3):
        publish(f"计数上限{index}有限公司")
    page = client.get("/pledges/?q=上限", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "More than 2 signatories" in page
    assert page.count('class="card pledge-item') == 3  # the list itself is whole
    exact = client.get("/pledges/?year=", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 signatories" in exact  # no search: counted exactly


def test_the_filters_show_the_query_whatever_was_rendered_before(client, publish):
    """The blank filter form is rendered once; each query's values are marked in it."""
    publish("筛选回显有限公司")
    client.get("/pledges/?year=")  # renders and keeps the blank form
    page = client.get("/pledges/?year=&province=44&industry=13&sort=name&q=%3Cb%3E").content
    page = page.decode()

    def select(name: str) -> str:
        start = page.index(f'name="{name}">')
        return page[start : page.index("</select>", start)]

    assert '<option value="44" selected>' in select("province")
    assert '<option value="13" selected>' in select("industry")
    assert '<option value="13" selected>' not in select("province")
    assert '<option value="name" selected>' in select("sort")
    assert '<option value="" selected>' in select("year")
    assert select("province").count(" selected>") == 1
    assert 'name="q" value="&lt;b&gt;"' in page and "<b>" not in page


FRAME_URLS = ["/pledges/", '/pledges/?q="><script>&province=11', "/pledges/1/?q=诚信"]
MARK = "\ue000main_html\ue000"  # what a frame marks a part with, typed by a visitor
FRAMES = [
    (
        "public/pledge_list.html",
        {
            "main_html": mark_safe('<section><a href="?q=%E8%B4%A8">质量 &amp; 诚信</a></section>'),
            "export_query": f'?q="><script>{MARK}',
        },
    ),
    (
        "public/pledge_detail.html",
        {
            "title": f"<b>北京质量</b> & {MARK} · 2026",
            "head_html": mark_safe('<meta name="description" content="北京质量">'),
            "main_html": mark_safe("<h1>北京质量 &lt;b&gt;</h1>"),
        },
    ),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("template", "parts"), FRAMES)
def test_a_shared_frame_gives_the_page_a_render_gives(rf, language, template, parts):
    """A visitor without a session gets the page from a frame rendered once: for each
    request, byte for byte what rendering the page for it gives (everything escaped, and a
    value that holds a mark stays text)."""
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore
    from django.utils import translation

    from pledges.public.frames import framed_response

    caches["fragments"].clear()
    with translation.override(language):
        for url in FRAME_URLS:
            # The same visitor twice: without a cookie (framed), and with a session cookie
            # that holds no one (rendered for them alone).
            requests = [rf.get(url), rf.get(url)]
            requests[1].COOKIES[settings.SESSION_COOKIE_NAME] = "no-such-session"
            for request in requests:
                request.user, request.session = AnonymousUser(), SessionStore()
                request._messages = FallbackStorage(request)
            shared, rendered = (
                framed_response(request, template, parts).content.decode() for request in requests
            )
            assert shared == rendered
            assert "<script>" not in shared and "<b>" not in shared
            assert f'lang="{language}"' in shared and parts["main_html"] in shared
            assert shared.count(MARK) == 1
    assert any("public-frame" in key for key in caches["fragments"]._cache)  # it was framed


@pytest.mark.parametrize(
    ("language", "revoked", "reason"),
    [("zh-hans", "已撤销", "已被协会撤销："), ("en", "Revoked", "Revoked by the association: ")],
)
def test_list_items_escape_every_value_and_mark_a_revocation(language, revoked, reason):
    from types import SimpleNamespace

    from django.utils import translation

    from pledges.public.list_html import list_items_html

    hostile = '<b onclick="x">A&B</b>'
    listed = SimpleNamespace(
        is_revoked=False, in_notice=False, url="/pledges/1/", name=hostile,
        credit_code="91110000MA01", year=2026, province_name="北京市", industry_name="<i>",
        revocation_reason="",
    )  # fmt: skip
    withdrawn = SimpleNamespace(**{**vars(listed), "is_revoked": True, "url": "/pledges/2/"})
    withdrawn.revocation_reason = "<script>alert(1)</script>"
    with translation.override(language):
        html = list_items_html([listed, withdrawn])
    first, second = html.split("</li>")[:2]
    assert "<b" not in html and "<script>" not in html and "<i>" not in html
    assert "&lt;b onclick=&quot;x&quot;&gt;A&amp;B&lt;/b&gt;" in first
    assert 'href="/pledges/1/"' in first and "revoked" not in first
    assert 'class="card pledge-item revoked"' in second
    assert f'<span class="state state-revoked">{revoked}</span>' in second
    assert f"{reason}&lt;script&gt;alert(1)&lt;/script&gt;" in second


def test_the_results_heading_and_pager_escape_the_query_and_cursors():
    from django.utils import translation

    from pledges.public.list_html import results_html

    middle = SimpleNamespace(
        items=[], is_first=False, is_last=False, next_cursor='n"x', previous_cursor="p<y"
    )
    with translation.override("en"):
        html = results_html(middle, count=1, more=False, base_query='q=a&sort="x"')
        assert "1 signatory</h2>" in html and "No published pledge matches" in html
        assert 'href="?q=a&amp;sort=&quot;x&quot;"' in html  # the first page
        assert 'href="?q=a&amp;sort=&quot;x&quot;&amp;before=p&lt;y"' in html
        assert 'href="?q=a&amp;sort=&quot;x&quot;&amp;after=n&quot;x"' in html
        assert 'href="?q=a&amp;sort=&quot;x&quot;&amp;page=last"' in html
    first = SimpleNamespace(items=[], is_first=True, is_last=True)
    with translation.override("zh-hans"):
        html = results_html(first, count=1000, more=True, base_query="")
    assert "超过 1000 家签署企业" in html and "<a rel=" not in html
