"""Public pages shared by every visitor without a session: cached whole, yet never stale
after a decision, never personal, and the language switch works on them without a token."""

import threading
import time
import uuid

import pytest
import redis
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client

from pledges.services import pledges as services
from tests import factories

pytestmark = pytest.mark.django_db

SHARED_PAGES = ["/pledges/", "/pledges/?q=质量", "/stats/", "/api/pledges/"]
# What a public page rendered for its visitor may cost (the bound test_open_data.py sets on the
# cold public reads); one served from the shared copy costs nothing.
RENDERED_PAGE_QUERIES = 8


@pytest.mark.parametrize("url", SHARED_PAGES)
def test_a_second_visitor_is_served_from_the_cache(
    client, publish, url, django_assert_max_num_queries
):
    publish("共享质量有限公司")
    with django_assert_max_num_queries(RENDERED_PAGE_QUERIES) as first_queries:
        first = client.get(url)
    assert first.status_code == 200 and not first.cookies
    with django_assert_max_num_queries(0):
        second = Client().get(url)
    assert len(first_queries) > 0
    assert second.content == first.content


def test_the_enterprise_page_is_shared_too(client, publish, django_assert_max_num_queries):
    pledge = publish("共享页面有限公司")
    url = f"/pledges/{pledge.pk}/"
    first = client.get(url)
    with django_assert_max_num_queries(0):
        second = Client().get(url)
    assert second.content == first.content
    assert "共享页面有限公司" in second.content.decode()


def test_no_form_token_or_cookie_on_a_shared_page(client, publish):
    publish("无令牌有限公司")
    response = client.get("/pledges/")
    assert b"csrfmiddlewaretoken" not in response.content
    assert "Set-Cookie" not in response.headers


def test_an_approval_is_public_at_once(
    client, publish, campaign, reviewer, django_capture_on_commit_callbacks
):
    publish("先前企业有限公司")
    pending = publish("刚刚批准有限公司", state="submitted")
    for url in SHARED_PAGES[:1] + ["/api/pledges/?year="]:
        assert "刚刚批准有限公司" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pending, actor=reviewer)
    assert "刚刚批准有限公司" in client.get("/pledges/").content.decode()
    assert client.get(f"/pledges/{pending.pk}/").status_code == 200


def test_a_revocation_is_public_at_once(
    client, publish, reviewer, django_capture_on_commit_callbacks
):
    pledge = publish("将被撤销有限公司")
    page = f"/pledges/{pledge.pk}/"
    assert factories.REVOCATION_REASON not in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_revoke(pledge=pledge, actor=reviewer, reason=factories.REVOCATION_REASON)
    assert factories.REVOCATION_REASON in client.get(page).content.decode()


def test_each_language_has_its_own_copy(client, publish):
    publish("双语企业有限公司")
    chinese = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = Client().get("/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans"' in chinese and '<html lang="en"' in english


def test_a_signed_in_visitor_gets_their_own_page(
    client, publish, owner, enterprise, django_assert_max_num_queries
):
    publish("登录可见有限公司")
    anonymous = Client().get("/pledges/").content.decode()
    client.force_login(owner)
    with django_assert_max_num_queries(RENDERED_PAGE_QUERIES) as mine_queries:
        mine = client.get("/pledges/")
    assert len(mine_queries) > 0  # rendered for them, not taken from the shared copy
    assert "account_logout" not in anonymous and "/accounts/logout/" not in anonymous
    assert "/accounts/logout/" in mine.content.decode()
    assert "csrfmiddlewaretoken" in mine.content.decode()
    # ...and their page is not handed to the next anonymous visitor.
    assert "/accounts/logout/" not in Client().get("/pledges/").content.decode()


def test_a_visitor_without_account_switches_language_without_a_token(publish):
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": "/pledges/"})
    assert response.status_code == 302 and response.url == "/pledges/"
    assert '<html lang="en"' in visitor.get("/pledges/").content.decode()


def test_a_signed_in_users_language_choice_still_needs_the_token(owner):
    user = Client(enforce_csrf_checks=True)
    user.force_login(owner)
    forged = user.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    assert forged.status_code == 403
    owner.refresh_from_db()
    assert owner.language != "en"
    user.get("/portal/")  # a page with the token
    token = user.cookies["csrftoken"].value
    accepted = user.post(
        "/i18n/setlang/", {"language": "en", "next": "/portal/", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "en"


def test_simultaneous_misses_of_one_page_render_it_once(rf, page_cache):
    """Eight visitors ask for a page nobody has cached (right after a decision): one renders."""
    from pledges.models import PublicDataVersion
    from pledges.public.cache import shared_page

    renders = []
    started = threading.Barrier(8)

    @shared_page
    def slow_page(request):
        renders.append(1)
        time.sleep(0.3)
        return HttpResponse("the page")

    PublicDataVersion.current()  # the threads share this process's copy of the version
    answers = []

    def visit():
        started.wait()
        answers.append(slow_page(rf.get("/stats/")).content)

    visitors = [threading.Thread(target=visit) for _ in range(8)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join()
    assert answers == [b"the page"] * 8
    assert len(renders) == 1


@pytest.fixture
def page_cache(settings):
    """The shared cache as deployed: Redis (config.cache) when REDIS_URL is set, under a
    prefix of its own; else a local-memory cache."""
    prefix = f"chengxin-test-pages-{uuid.uuid4().hex}"
    if settings.REDIS_URL:
        default = {"BACKEND": "config.cache.RedisCache", "LOCATION": settings.REDIS_URL}
    else:
        default = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}
    cache = caches["default"]
    assert hasattr(cache, "get_or_lock") == bool(settings.REDIS_URL)  # the one-trip path
    yield cache
    if settings.REDIS_URL:
        _forget(settings.REDIS_URL, prefix)
    else:
        cache.clear()


def _forget(url: str, prefix: str) -> None:
    # Only this test's keys: the database may hold the Celery broker's queues.
    server = redis.Redis.from_url(url)
    try:
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)
    finally:
        server.close()


def test_a_miss_takes_the_fill_lock_once_and_a_hit_takes_none(page_cache):
    """get_or_lock answers alike on Redis (one round trip) and on other caches."""
    from pledges.public.cache import get_or_lock

    key = "a-page"
    assert get_or_lock(key) == (None, True)
    assert get_or_lock(key) == (None, False)  # another visitor is filling it
    assert page_cache.get(f"{key}:filling") == 1
    page_cache.set(key, HttpResponse("the page"))
    page, locked = get_or_lock(key)
    assert (page.content, locked) == (b"the page", False)
    page_cache.set(key, 7)
    assert get_or_lock(key) == (7, False)
