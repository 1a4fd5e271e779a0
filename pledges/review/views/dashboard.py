"""The campaign dashboard for administrators: the page (SVG charts with their tables) and the
same numbers as CSV."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ...public.charts import bar_chart
from ...public.names import public_names
from ...public.tile_map import province_tile_map
from ...reference import is_english
from ...responses import csv_response
from .. import selectors
from ..dashboard import campaign_dashboard
from .access import administrator_required

STAGES = {
    "invited": pgettext_lazy("funnel", "Invited"),
    "started": pgettext_lazy("funnel", "Started"),
    "submitted": pgettext_lazy("funnel", "Submitted"),
    "approved": pgettext_lazy("funnel", "Approved"),
}
LAPSED = gettext_lazy("Lapsed from last year")


def _campaign(request):
    year = request.GET.get("year", "")
    if year and not (year.isascii() and year.isdigit() and len(year) == 4):
        raise Http404
    campaign = selectors.dashboard_campaign(year=int(year) if year else None)
    if campaign is None:
        raise Http404
    return campaign


def _named(rows, names: dict[str, tuple[str, str]], english: bool):
    return [(names.get(row.code, (row.code, row.code))[english] or "—", row) for row in rows]


@administrator_required
def dashboard(request):
    campaign = _campaign(request)
    data = campaign_dashboard(campaign)
    english = is_english()
    names = public_names()
    provinces = _named(data.provinces, names.province_names, english)
    sections = _named(data.sections, names.industry_names, english)
    funnel = [(str(STAGES[stage.key]), stage.count) for stage in data.funnel]
    context = {
        "campaign": campaign,
        "campaigns": selectors.campaign_years(),
        "data": data,
        "funnel": funnel,
        "funnel_chart": bar_chart(funnel).svg(
            chart_id="chart-funnel", title=_("From invitation to approval")
        ),
        "provinces": provinces,
        "province_map": province_tile_map(
            {row.code: row.approved for row in data.provinces},
            english=english,
            map_id="map-provinces",
            title=_("Approved pledges per province"),
        ),
        "sections": sections,
        "section_chart": bar_chart([(name, row.approved) for name, row in sections]).svg(
            chart_id="chart-sections", title=_("Approved pledges per industry section")
        ),
    }
    return render(request, "review/dashboard.html", context)


@administrator_required
def dashboard_csv(request):
    campaign = _campaign(request)
    data = campaign_dashboard(campaign)
    english = is_english()
    names = public_names()
    times = data.times

    def rows():
        for stage in data.funnel:
            yield ["funnel", stage.key, STAGES[stage.key], stage.count]
        yield ["funnel", "lapsed", LAPSED, data.lapsed]
        yield ["review", "decisions", _("Decisions"), times.decisions]
        yield ["review", "median_hours", _("Median hours to a decision"), times.median_hours]
        yield ["review", "p90_hours", _("90th percentile, hours"), times.p90_hours]
        yield ["review", "overdue", _("Overdue"), times.overdue]
        for day in data.reviewer_days:
            yield ["reviewer_day", f"{day.day} {day.reviewer}", day.reviewer, day.decisions]
        for kind, rows_, named in (
            ("province", data.provinces, names.province_names),
            ("section", data.sections, names.industry_names),
        ):
            for row in rows_:
                name = named.get(row.code, (row.code, row.code))[english]
                for stage in ("started", "submitted", "approved"):
                    yield [f"{kind}_{stage}", row.code, name, getattr(row, stage)]

    return csv_response(
        filename=f"campaign-{campaign.year}-dashboard.csv",
        header=[_("Figure"), _("Key"), _("Name"), _("Value")],
        rows=rows(),
    )
