"""The public pledge list (/pledges/) and an enterprise's public page (/pledges/<id>/)."""

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .. import public_selectors as selectors
from ..public_cache import shared_page
from ..rate_limits import refuse_page, search_limited

FRAGMENT_TTL = 300


@search_limited(refuse_page)
@shared_page
def pledge_list(request):
    english = (get_language() or "").startswith("en")
    form, query = selectors.parse_public_query(request.GET, english=english)
    if query is None:  # the form, with its messages at the fields
        main_html = render_to_string("public/_filter_form.html", {"form": form}, request)
    else:
        # The filters and the list are cached together per query, language and data
        # version; rendering the filters' hundred options costs more than the queries.
        key = selectors.cache_key("public-list", get_language(), request.GET.urlencode())
        main_html = cache.get(key)
        if main_html is None:
            main_html = render_to_string(
                "public/_filter_form.html", {"form": form}, request
            ) + _render_list(request, query)
            cache.set(key, main_html, FRAGMENT_TTL)
    return render(request, "public/pledge_list.html", {"main_html": main_html})


def _render_list(request, query) -> str:
    page = selectors.public_page(
        query,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        last=request.GET.get("page") == "last",
    )
    revoked = [p.pk for p in page.items if p.state == "revoked"]
    params = request.GET.copy()
    for name in ("after", "before", "page"):
        params.pop(name, None)
    return render_to_string(
        "public/_pledge_rows.html",
        {
            "page": page,
            "count": selectors.public_count(query),
            "reasons": selectors.revocation_reasons(revoked) if revoked else {},
            "base_query": params.urlencode(),
        },
        request=request,
    )


@shared_page
def pledge_detail(request, pledge_id):
    pledge = selectors.public_pledge(pledge_id)
    if pledge is None:
        raise Http404
    reasons = selectors.revocation_reasons([pledge.pk]) if pledge.state == "revoked" else {}
    return render(
        request,
        "public/pledge_detail.html",
        {
            "pledge": pledge,
            "enterprise": pledge.enterprise,
            "certificate": getattr(pledge, "certificate", None),
            "revocation_reason": reasons.get(pledge.pk, ""),
            "other_years": selectors.other_public_years(pledge),
        },
    )
