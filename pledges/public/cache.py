"""Whole public pages, shared by every visitor who has no session.

Such a visitor sees exactly what any other sees in the same language (the pages carry no
form token for them: see accounts.views.set_language), so one rendered response can serve
them all. The keys carry the published record's version (PublicDataVersion): every
publication moves it, and the next request renders afresh. The same version is the pages'
ETag, so a browser, a reverse proxy or a CDN can ask "still the same?" and get a 304.
"""

import functools
import hashlib
import json
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags
from django.utils.translation import get_language

from ..models import PublicDataVersion

PAGE_TTL = 300
FILL_WAIT = 2.0
FILL_POLL = 0.002  # a waiter asks this often whether the page is there (small, fast reads)
FILL_LOCK_SECONDS = 10
# A visitor with one of these cookies may see something of their own (their name in the
# header, a message): their pages are rendered for them alone.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)


def public_data_version() -> int:
    return PublicDataVersion.current().version


def cache_key(prefix: str, *parts) -> str:
    """A short, safe cache key for any text (search terms may be anything), valid until the
    public data change."""
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode()).hexdigest()[:32]
    return f"{prefix}:{public_data_version()}:{digest}"


def shared_page(view=None, *, ttl: int = PAGE_TTL):
    """Serve the view's response from the cache to visitors without a session, for ``ttl``
    seconds at most (or until the public data change)."""
    if view is None:
        return functools.partial(shared_page, ttl=ttl)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_anonymous_visit(request):
            return view(request, *args, **kwargs)
        record = PublicDataVersion.current()
        etag = f'W/"{record.version}-{get_language()}"'
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        # The whole URL: the API's links are absolute (scheme and host).
        key = cache_key("public-page", get_language(), request.build_absolute_uri())
        response, locked = get_or_lock(key)
        if response is None:
            response = fill_once(key, lambda: view(request, *args, **kwargs), ttl, locked=locked)
        if response.status_code == 200:
            response["ETag"] = etag
            response["Last-Modified"] = http_date(record.changed_at.timestamp())
            if "Cache-Control" not in response:
                # Revalidate every time (a 304 is cheap): without it a browser may keep a page
                # for a tenth of its age since Last-Modified, hours after a decision. Shared
                # only if it is the same for everyone (no cookie set, say).
                shared = {"public": True} if is_shareable(response) else {"private": True}
                patch_cache_control(response, no_cache=True, **shared)
        return response

    return wrapped


def _lock(key: str) -> str:
    return f"{key}:filling"


def get_or_lock(key: str):
    """The cached page (and False), or None and whether this visitor took the lock to fill
    it: one round trip on Redis (config.cache), two on other caches."""
    if hasattr(cache, "get_or_lock"):
        return cache.get_or_lock(key, _lock(key), FILL_LOCK_SECONDS)
    page = cache.get(key)
    if page is not None:
        return page, False
    return None, cache.add(_lock(key), 1, timeout=FILL_LOCK_SECONDS)


def fill_once(key: str, render, ttl: int, *, locked: bool):
    """Render a missing page once however many visitors miss it at the same moment (right
    after a decision, say): the first takes a lock (``locked``) and renders; the others wait
    for its copy (at most FILL_WAIT seconds, then render their own rather than wait on a
    lost lock)."""
    lock = _lock(key)
    if locked:
        shared = False
        try:
            response = render()
            if is_shareable(response):
                cache.set(key, response, ttl)
                shared = True
            return response
        finally:
            if not shared:  # once the page is there, waiters take it and the lock expires
                cache.delete(lock)
    deadline = time.monotonic() + FILL_WAIT
    while time.monotonic() < deadline:
        time.sleep(FILL_POLL)
        response = cache.get(key)
        if response is not None:
            return response
        if cache.get(lock) is None:  # the filler failed or answered something not shareable
            break
    return render()


def is_anonymous_visit(request) -> bool:
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in PERSONAL_COOKIES
    )


def is_shareable(response) -> bool:
    # A response that sets a cookie (a form token, say) belongs to one visitor only.
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )
