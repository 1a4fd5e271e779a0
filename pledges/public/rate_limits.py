"""Per-client rate limits on the public pages (django-ratelimit, counted in the default cache).

The client is config.client_ip's (RATELIMIT_IP_META_KEY), the same as for allauth's limits on
login, sign-up and password reset. A refused request gets 429 and Retry-After, in the form its
endpoint speaks, and is never cached.
"""

from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

RETRY_AFTER_SECONDS = 60
# Searches on the public list, its API and its CSV share one budget per client. Browsing and
# paging without a search are answered from the cache and stay unlimited.
SEARCH_GROUP = "pledges.search"
SEARCH_RATE = "60/m"


def rate_limited(group: str, rate: str, refuse, *, applies=None):
    """Answer ``refuse(request)`` once the client used up ``rate`` in ``group``.

    Only requests for which ``applies(request)`` is true (all, without it) are counted.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if (applies is None or applies(request)) and is_ratelimited(
                request, group=group, key="ip", rate=rate, increment=True
            ):
                response = refuse(request)
                response["Retry-After"] = str(RETRY_AFTER_SECONDS)
                add_never_cache_headers(response)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def is_search(request) -> bool:
    return bool(request.GET.get("q", "").strip())


def search_limited(refuse):
    return rate_limited(SEARCH_GROUP, SEARCH_RATE, refuse, applies=is_search)


def _message() -> str:
    # The same words as templates/429.html: one string to translate.
    return _(
        "Too many requests came from your network in a short time. "
        "Please wait a minute and try again."
    )


def refuse_page(request):
    # templates/429.html, the page allauth's own limits answer with too.
    return render(request, "429.html", status=429)


def refuse_json(request):
    # The API's error shape (components.schemas.Error); readable from any origin like its data.
    response = JsonResponse(
        {"errors": [{"parameter": "q", "message": _message()}]},
        status=429,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def refuse_text(request):
    return HttpResponse(_message(), status=429, content_type="text/plain; charset=utf-8")
