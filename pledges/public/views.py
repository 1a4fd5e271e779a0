"""The public pages: the pledge list (/pledges/), an enterprise's page (/pledges/<id>/), the
CSV export, the statistics and robots.txt.

Public and anonymous. Filters are those of /pledges/ (selectors.parse_public_query), so a
link's query string works on the list, the CSV and the API alike.
"""

from datetime import date

from django.core.cache import cache, caches
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..models import Listing, Objection, Pledge
from ..reference import is_english
from ..responses import csv_response, text_cell
from . import selectors
from .cache import cache_key, is_anonymous_visit, shared_page
from .charts import bar_chart
from .frames import framed_response
from .list_html import results_html
from .rate_limits import refuse_page, refuse_text, search_limited
from .tile_map import province_tile_map

FRAGMENT_TTL = 300
PUBLIC_MAX_AGE = 30
STATIC_MAX_AGE = 3600


def public_response(response, max_age: int = PUBLIC_MAX_AGE):
    """Cacheable by anyone, briefly: the same for every visitor (given Vary)."""
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@search_limited(refuse_page)
@shared_page
def pledge_list(request):
    form, query = selectors.parse_public_query(request.GET, english=is_english())
    if query is None:  # the form, with its messages at the fields
        main_html = render_to_string("public/_filter_form.html", {"form": form}, request)
    elif is_anonymous_visit(request):  # the whole page is shared (shared_page)
        main_html = _filter_form(request, form) + _render_list(request, query)
    else:
        # A signed-in visitor's filters and list are cached per query, language and version.
        main_html = cache.get_or_set(
            cache_key("public-list", get_language(), request.GET.urlencode()),
            lambda: _filter_form(request, form) + _render_list(request, query),
            FRAGMENT_TTL,
        )
    parts = {
        "main_html": mark_safe(main_html),  # noqa: S308 (rendered by templates, escaped)
        "export_query": f"?{request.GET.urlencode()}" if request.GET else "",
    }
    return framed_response(request, "public/pledge_list.html", parts)


# The filters' selects, whose chosen option is marked in the cached blank form.
CHOICE_FILTERS = ("year", "province", "industry", "sort")


def _filter_form(request, form) -> str:
    """The filter form for a valid query: the blank form (rendered once per language and data
    version: its 150 options cost more than the list) with the query's values filled in."""
    blank = caches["fragments"].get_or_set(  # this process's memory: no round trip
        cache_key("public-filter-form", get_language()),
        lambda: render_to_string("public/_filter_form.html", {"form": form.blank()}, request),
        FRAGMENT_TTL,
    )
    html = blank
    for name in CHOICE_FILTERS:
        value = form.data.get(name)
        if value:
            start = html.index(f'name="{name}">')  # the select's last attribute (FastSelect)
            end = html.index("</select>", start)
            option = f'<option value="{escape(value)}">'
            chosen = html[start:end].replace('<option value="" selected>', '<option value="">')
            chosen = chosen.replace(option, option[:-1] + " selected>", 1)
            html = html[:start] + chosen + html[end:]
    if form.data.get("q"):
        html = html.replace('name="q"', f'name="q" value="{escape(form.data["q"])}"', 1)
    return html


def _render_list(request, query) -> str:
    page, count, more = selectors.list_page(
        query,
        english=is_english(),
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        last=request.GET.get("page") == "last",
    )
    params = request.GET.copy()
    for name in ("after", "before", "page"):
        params.pop(name, None)
    return results_html(page, count=count, more=more, base_query=params.urlencode())


@shared_page
def pledge_detail(request, pledge_id):
    english = is_english()
    listing, other_years = selectors.public_listing(pledge_id, english=english)
    if listing is None:
        raise Http404
    if not listing.is_public:
        # Taken down: gone for good, and nothing of it is shown.
        return render(request, "public/listing_removed.html", status=410)
    context = {
        "listing": listing,
        "corrections": selectors.correction_history(listing, english=english),
        "objection_outcomes": [
            {**entry, "label": Objection.outcome_label(entry["outcome"])}
            for entry in listing.objection_outcomes
        ],
        "standing": selectors.listing_standing(listing, other_years),
    }
    parts = {
        "title": f"{listing.name} · {listing.campaign_title}",
        "head_html": render_to_string("public/_pledge_detail_head.html", context),
        "main_html": render_to_string("public/_pledge_detail.html", context),
    }
    return framed_response(request, "public/pledge_detail.html", parts)


# --- CSV --------------------------------------------------------------------------------


@require_safe
@search_limited(refuse_text)
def export_csv(request):
    english = is_english()
    form, query = selectors.parse_public_query(request.GET, english=english)
    if query is None:
        return HttpResponseBadRequest(
            "\n".join(f"{e['parameter']}: {e['message']}" for e in form_errors(form)),
            content_type="text/plain; charset=utf-8",
        )

    def rows():
        # Run while the response is sent, in the request's language (see csv_response).
        states = {
            Listing.Status.LISTED: str(Pledge.State.APPROVED.label),
            Listing.Status.REVOKED: str(Pledge.State.REVOKED.label),
        }
        for row in selectors.export_rows(query, english=english):
            yield [
                row["year"],
                row["enterprise_name"],
                text_cell(row["credit_code"]),
                row["province_name"],
                text_cell(row["industry_code"]),
                row["industry_name"],
                _date(row["signed_on"]),
                states[row["status"]],
                row["revocation_reason"],
                row["certificate_number"],
                _date(selectors.notice_until_shown(row)),
                _objection(row),
            ]

    header = [
        _("Year"),
        _("Enterprise"),
        _("Unified Social Credit Code"),
        _("Province"),
        _("Industry code"),
        _("Industry"),
        _("Signed on"),
        _("State"),
        _("Revocation reason"),
        _("Certificate number"),
        _("In public notice until"),
        _("Objections"),
    ]
    suffix = query.year or "all-years"
    response = csv_response(
        filename=f"chengxin-public-pledges-{suffix}.csv", header=header, rows=rows()
    )
    # Headers and names follow the language, chosen by Accept-Language or the cookie.
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return public_response(response)


def _objection(row: dict) -> str:
    """Under review after an objection, or the last answered objection's outcome and reason."""
    if row["objection_open"]:
        return str(_("Under review after an objection"))
    if not row["objection_outcomes"]:
        return ""
    last = row["objection_outcomes"][-1]
    return f"{last['on']} {Objection.outcome_label(last['outcome'])}: {last['reason']}"


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def form_errors(form) -> list[dict]:
    """The filter form's errors as the API and the CSV report them: parameter and message."""
    return [
        {"parameter": name, "message": error["message"]}
        for name, errors in form.errors.get_json_data().items()
        for error in errors
    ]


# --- Statistics -------------------------------------------------------------------------


@require_safe
@shared_page
def stats(request):
    years = selectors.filter_choices()[0]
    year = request.GET.get("year", "")
    if year:
        if not (year.isascii() and year.isdigit() and len(year) <= 4) or int(year) not in years:
            raise Http404
        year = int(year)
    data = selectors.public_stats(year or None)
    english = is_english()
    provinces = [(row.display(english), row.count) for row in data.provinces]
    sections = [(f"{row.code} {row.display(english)}", row.count) for row in data.sections]
    # Each chart's id (its section's) and its name for assistive technology.
    charts = {
        "year_chart": (
            [(str(row.year), row.approved) for row in data.years],
            "chart-years",
            _("Approved pledges per year"),
        ),
        "section_chart": (
            sections,
            "chart-per-industry",
            _("Approved pledges per industry section (GB/T 4754-2017)"),
        ),
    }
    province_map = province_tile_map(
        {row.code: row.count for row in data.provinces},
        english=english,
        map_id="map-per-province",
        title=_("Approved pledges per province"),
    )
    return render(
        request,
        "public/stats.html",
        {
            "province_map": province_map,
            "years": sorted(years, reverse=True),
            "year": year or None,
            "stats": data,
            "provinces": provinces,
            "sections": sections,
            **{
                name: bar_chart(rows).svg(chart_id=chart_id, title=title)
                for name, (rows, chart_id, title) in charts.items()
            },
        },
    )


# --- robots.txt -------------------------------------------------------------------------

PRIVATE_PATHS = ("/portal/", "/review/", "/accounts/", "/admin/", "/api/")


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in PRIVATE_PATHS),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    return public_response(response, STATIC_MAX_AGE)
