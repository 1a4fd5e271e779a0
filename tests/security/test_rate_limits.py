"""Rate limits on login, sign-up, password reset, /verify/ and public searches.

Run against a real cache: Redis when REDIS_URL is set (keys under a prefix of their own,
removed afterwards), a local-memory cache otherwise; never the dummy cache, on which no limit
ever triggers. The client's address is config.client_ip's, behind TRUSTED_PROXY_COUNT
reverse proxies, for allauth's limits and django-ratelimit's alike.
"""

import itertools
import uuid

import pytest
import redis
from allauth.account.adapter import get_adapter
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from config.client_ip import client_ip
from pledges.public.rate_limits import SEARCH_RATE
from pledges.public.verify import VERIFY_RATE
from tests import factories

# Each test's budget is counted in one window of django-ratelimit's, however slow the machine.
pytestmark = pytest.mark.usefixtures("frozen_rate_limit_window")

PASSWORD = "Quality-Month-2026"
PROXY = "192.0.2.1"  # REMOTE_ADDR behind the reverse proxy
CLIENT = "203.0.113.9"
OTHER_CLIENT = "198.51.100.20"
_unique = itertools.count()


@pytest.fixture(autouse=True)
def real_cache(settings, db):
    prefix = f"chengxin-test-rl-{uuid.uuid4().hex}"
    if settings.REDIS_URL:
        backend = "django.core.cache.backends.redis.RedisCache"
        settings.CACHES = {
            "default": {"BACKEND": backend, "LOCATION": settings.REDIS_URL, "KEY_PREFIX": prefix}
        }
    else:
        backend = "django.core.cache.backends.locmem.LocMemCache"
        settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": prefix}}
    settings.CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    cache = caches["default"]
    assert not isinstance(cache, DummyCache)
    assert isinstance(cache, RedisCache) == bool(settings.REDIS_URL)
    yield cache
    if settings.REDIS_URL:
        # Only this test's keys: the database may hold the Celery broker's queues.
        server = redis.Redis.from_url(settings.REDIS_URL)
        try:
            for key in server.scan_iter(match=f"{prefix}:*"):
                server.delete(key)
        finally:
            server.close()
    else:
        cache.clear()


def cached_keys(cache) -> int:
    if isinstance(cache, RedisCache):
        return sum(1 for _ in cache._cache.get_client().scan_iter(match=f"{cache.key_prefix}:*"))
    return len(cache._cache)


def first_count(rates: str, per: str = "ip") -> int:
    """The amount of the ``per`` rate in allauth's "10/m/ip,5/5m/key"."""
    for rate in rates.split(","):
        amount, _, kind = rate.strip().split("/")
        if kind == per:
            return int(amount)
    raise AssertionError(f"no per-{per} rate in {rates}")


def limit_of(rate: str) -> int:
    return int(rate.split("/")[0])


def forwarded(*addresses: str) -> dict:
    return {"HTTP_X_FORWARDED_FOR": ", ".join(addresses)}


# --- The surfaces: one request each, and whether it was refused ---------------------------


def search(client, **headers):
    return client.get("/pledges/", {"q": "质量"}, **headers)


def verify(client, **headers):
    return client.get("/verify/CQ-2026-000001/", **headers)  # unknown number: 404


def signup(client, **headers):
    return client.post("/accounts/signup/", {}, **headers)  # an invalid form is counted too


def password_reset(client, **headers):
    email = f"reset{next(_unique)}@example.com"  # one address each: the per-e-mail rate stays out
    return client.post("/accounts/password/reset/", {"email": email}, **headers)


def failed_login(client, **headers):
    email = f"nobody{next(_unique)}@example.com"
    return client.post("/accounts/login/", {"login": email, "password": "wrong"}, **headers)


def refused(response) -> bool:
    if response.status_code == 429:
        return True
    # allauth refuses a login with a form error, on a 200 page.
    form = response.context.get("form") if response.context else None
    return bool(form) and form.has_error("__all__", "too_many_login_attempts")


def surfaces():
    from django.conf import settings

    rates = settings.ACCOUNT_RATE_LIMITS
    return [
        pytest.param(search, limit_of(SEARCH_RATE), id="search"),
        pytest.param(verify, limit_of(VERIFY_RATE), id="verify"),
        pytest.param(signup, first_count(rates["signup"]), id="signup"),
        pytest.param(password_reset, first_count(rates["reset_password"]), id="password-reset"),
        pytest.param(failed_login, first_count(rates["login_failed"]), id="failed-login"),
    ]


# --- The client's address -----------------------------------------------------------------


def request_from(remote: str = PROXY, header: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if header is not None:
        extra["HTTP_X_FORWARDED_FOR"] = header
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "header", "expected"),
    [
        (1, CLIENT, CLIENT),
        (1, f"1.2.3.4, {CLIENT}", CLIENT),
        (1, f" 1.2.3.4 ,{CLIENT} ", CLIENT),
        (2, f"1.2.3.4, {CLIENT}, 198.51.100.250", CLIENT),
        (1, f"{CLIENT}:51234", CLIENT),
        (1, "[2001:DB8::7]:443", "2001:db8::7"),
        (1, "2001:db8:0::7", "2001:db8::7"),
        (1, f"::ffff:{CLIENT}", CLIENT),
        # Malformed or too short: the proxy's own address, never a left-hand entry.
        (1, None, PROXY),
        (1, "", PROXY),
        (1, "unknown", PROXY),
        (1, f"{CLIENT}, ", PROXY),
        (1, f"{CLIENT}, not-an-address", PROXY),
        (1, "1.2.3.999", PROXY),
        (2, CLIENT, PROXY),
        (3, f"1.2.3.4, {CLIENT}", PROXY),
    ],
)
def test_the_client_is_the_entry_our_proxies_appended(settings, proxies, header, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = request_from(header=header)
    assert client_ip(request) == expected
    # allauth asks the same function.
    assert get_adapter().get_client_ip(request) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from(CLIENT, f"1.2.3.4, {OTHER_CLIENT}")) == CLIENT
    assert client_ip(request_from(f"::ffff:{CLIENT}")) == CLIENT


def test_a_remote_address_that_is_no_address_is_a_configuration_error(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        client_ip(request_from(""))
    # Behind a proxy over a Unix socket the header alone is enough.
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("", f"1.2.3.4, {CLIENT}")) == CLIENT


# --- Each limit, behind a proxy and without ---------------------------------------------


@pytest.mark.parametrize(("send", "limit"), surfaces())
def test_without_a_trusted_proxy_every_header_is_ignored(settings, send, limit):
    """Any forwarded address, right-most included, is the client's to write: all of them
    count against REMOTE_ADDR."""
    settings.TRUSTED_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR=CLIENT)
    for index in range(limit):
        assert not refused(send(client, **forwarded(f"198.51.100.{index}")))
    assert refused(send(client, **forwarded("198.51.100.200")))
    assert refused(send(client))
    assert not refused(send(Client(REMOTE_ADDR=OTHER_CLIENT)))


@pytest.mark.parametrize(("send", "limit"), surfaces())
def test_a_forged_forwarded_for_prefix_gives_no_fresh_budget(settings, send, limit):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR=PROXY)
    for index in range(limit):
        assert not refused(send(client, **forwarded(f"1.2.3.{index}", CLIENT)))
    for index in range(limit, limit + 5):
        assert refused(send(client, **forwarded(f"1.2.3.{index}", CLIENT)))
        assert refused(send(client, **forwarded(f"1.2.3.{index}", "10.9.8.7", CLIENT)))


@pytest.mark.parametrize(("send", "limit"), surfaces())
def test_clients_behind_the_proxy_have_their_own_budgets(settings, send, limit):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR=PROXY)
    for _ in range(limit):
        send(client, **forwarded(CLIENT))
    assert refused(send(client, **forwarded(CLIENT)))
    assert not refused(send(client, **forwarded(OTHER_CLIENT)))
    # A request that reached the application without the proxy's header counts against the
    # proxy's own address, not the client's.
    assert not refused(send(client))


def test_limits_are_counted_in_the_configured_cache(real_cache):
    assert cached_keys(real_cache) == 0
    search(Client())
    signup(Client())
    assert cached_keys(real_cache) >= 2


# --- allauth's per-e-mail limits -------------------------------------------------------------


def test_failed_logins_lock_the_account_whatever_the_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factories.user("target@example.com", password=PASSWORD)
    per_email = first_count(settings.ACCOUNT_RATE_LIMITS["login_failed"], per="key")
    client = Client(REMOTE_ADDR=PROXY)
    for index in range(per_email):
        response = client.post(
            "/accounts/login/",
            {"login": "target@example.com", "password": "wrong"},
            **forwarded(f"198.51.100.{index}"),
        )
        assert not refused(response)
    response = client.post(
        "/accounts/login/",
        {"login": "target@example.com", "password": PASSWORD},
        **forwarded("198.51.100.99"),
    )
    assert refused(response)
    assert client.get("/portal/", **forwarded("198.51.100.99")).status_code == 302


def test_password_resets_for_one_email_are_limited_whatever_the_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    per_email = first_count(settings.ACCOUNT_RATE_LIMITS["reset_password"], per="key")
    client = Client(REMOTE_ADDR=PROXY)
    data = {"email": "forgot@example.com"}
    for index in range(per_email):
        response = client.post(
            "/accounts/password/reset/", data, **forwarded(f"198.51.100.{index}")
        )
        assert response.status_code == 302
    response = client.post("/accounts/password/reset/", data, **forwarded("198.51.100.99"))
    assert response.status_code == 429
    # The project's page, in the visitor's language.
    assert "请求过于频繁" in response.content.decode()


# --- Public searches ------------------------------------------------------------------------


def test_searches_share_one_budget_across_the_list_the_api_and_the_csv():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    limit = limit_of(SEARCH_RATE)
    third = limit // 3
    for _ in range(third):
        assert client.get("/api/pledges/", {"q": "质量"}).status_code == 200
        assert client.get("/pledges/export.csv", {"q": "质量", "year": ""}).status_code == 200
    for _ in range(limit - 2 * third):
        assert client.get("/pledges/", {"q": "质量"}).status_code == 200

    page = client.get("/pledges/", {"q": "其他"})
    assert page.status_code == 429
    assert page["Retry-After"] == "60"
    assert "no-store" in page["Cache-Control"]
    assert "Too many requests came from your network" in page.content.decode()

    api = client.get("/api/pledges/", {"q": "质量"})
    assert api.status_code == 429
    assert api["Content-Type"] == "application/json"
    assert api["Access-Control-Allow-Origin"] == "*"
    assert "no-store" in api["Cache-Control"]
    [error] = api.json()["errors"]
    assert error["parameter"] == "q"
    assert error["message"].startswith("Too many requests came from your network")

    csv = client.get("/pledges/export.csv", {"q": "质量"})
    assert csv.status_code == 429
    assert csv["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in csv["Cache-Control"]
    assert csv.content.decode().startswith("Too many requests came from your network")

    # Browsing and paging without a search are not limited.
    assert client.get("/pledges/").status_code == 200
    assert client.get("/pledges/", {"q": "   ", "sort": "name"}).status_code == 200
    assert client.get("/api/pledges/", {"limit": "5"}).status_code == 200
    assert client.get("/pledges/export.csv").status_code == 200


def test_the_search_limit_page_is_translated():
    client = Client()
    for _ in range(limit_of(SEARCH_RATE)):
        client.get("/pledges/", {"q": "质量"})
    response = client.get("/pledges/", {"q": "质量"})
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()


def test_browsing_without_a_search_is_not_counted():
    client = Client()
    for index in range(limit_of(SEARCH_RATE) + 5):
        params = {"sort": "name"} if index % 2 else {}
        assert client.get("/pledges/", params).status_code == 200
        assert client.get("/api/pledges/").status_code == 200
    assert client.get("/pledges/", {"q": "质量"}).status_code == 200
