"""The list's filters by the years across: "signed N years in a row" and "lapsed", kept on
each listing as listings, imports and this year change; on the page, the API and the CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from pledges.history.runs import listing_runs_follow_this_year
from pledges.models import Campaign, Listing
from pledges.services import pledges as services
from pledges.services.imports import signatories_import
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = timezone.now().year


def close(*campaigns):
    now = timezone.now()
    Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )


def sign(owner, enterprise, campaign, reviewer):
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    services.pledge_approve(pledge=pledge, actor=reviewer)
    return Listing.objects.get(pk=pledge.pk)


@pytest.fixture
def years(reviewer):
    """X: imported three years ago, listed last year and this year. Y: listed three years
    ago only (lapsed). Z: this year only. This year's signing is open."""
    campaigns = {y: factories.campaign(y) for y in (YEAR - 3, YEAR - 1, YEAR)}
    people = {}
    for key in "XYZ":
        owner = factories.user()
        people[key] = (owner, factories.enterprise(owner, name=f"{key}连续签署测试有限公司"))
    listings = {
        "X-1": sign(*people["X"], campaigns[YEAR - 1], reviewer),
        "X": sign(*people["X"], campaigns[YEAR], reviewer),
        "Y-3": sign(*people["Y"], campaigns[YEAR - 3], reviewer),
        "Z": sign(*people["Z"], campaigns[YEAR], reviewer),
    }
    code = people["X"][1].credit_code
    data = f"企业名称,统一社会信用代码\nX连续签署测试有限公司,{code}\n".encode()
    signatories_import(year=YEAR - 2, file_name="x.csv", data=data)
    close(campaigns[YEAR - 3], campaigns[YEAR - 1])
    cache.clear()
    listing_runs_follow_this_year()
    return {"listings": listings, "people": people, "campaigns": campaigns}


def stored(listing):
    listing.refresh_from_db()
    return listing.run_years, listing.lapsed


def test_runs_and_lapses_are_kept_on_each_listing(years):
    listings = years["listings"]
    assert stored(listings["X"]) == (3, False)  # two years signed here and one imported
    assert stored(listings["X-1"]) == (2, False)
    assert stored(listings["Y-3"]) == (1, True)
    assert stored(listings["Z"]) == (1, False)


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def test_the_list_the_api_and_the_csv_filter_by_them(client, years):
    listings = years["listings"]
    assert ids(client.get("/api/pledges/?year=&run=3")) == {listings["X"].pk}
    assert ids(client.get("/api/pledges/?year=&run=2")) == {listings["X"].pk, listings["X-1"].pk}
    assert ids(client.get("/api/pledges/?year=&standing=lapsed")) == {listings["Y-3"].pk}
    assert ids(client.get("/api/pledges/?run=2")) == {listings["X"].pk}  # this year's list
    page = client.get("/pledges/?year=&run=3", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "X连续签署测试有限公司" in page and "Z连续签署测试有限公司" not in page
    lapsed = client.get("/pledges/?year=&standing=lapsed").content.decode()
    assert "Y连续签署测试有限公司" in lapsed and "X连续签署测试有限公司" not in lapsed
    body = b"".join(client.get("/pledges/export.csv?year=&run=3").streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2 and "X连续签署测试有限公司" in rows[1]
    bad = client.get("/api/pledges/?run=4")
    assert bad.status_code == 400 and bad.json()["errors"][0]["parameter"] == "run"
    form = client.get("/pledges/?run=nonsense", HTTP_ACCEPT_LANGUAGE="en")
    assert "run" in form.context["form"].errors


def test_a_revocation_breaks_the_run(years, reviewer):
    x_last_year = years["listings"]["X-1"]
    services.pledge_revoke(pledge=x_last_year.pledge, actor=reviewer, reason="质量事故")
    assert stored(years["listings"]["X"]) == (1, False)
    assert stored(x_last_year) == (0, False)


def test_an_import_lengthens_the_run(years):
    code = years["people"]["Y"][1].credit_code
    for year in (YEAR - 4, YEAR - 5):
        data = f"企业名称,统一社会信用代码\nY,{code}\n".encode()
        signatories_import(year=year, file_name="y.csv", data=data)
    assert stored(years["listings"]["Y-3"]) == (3, True)


def test_lapses_follow_this_year(years):
    """Z signed this year only: once next year's signing has opened and closed without it,
    it has lapsed; the check does nothing while this year stays the same."""
    assert listing_runs_follow_this_year() == 0
    now = timezone.now()
    Campaign.objects.create(
        year=YEAR + 1,
        title="next",
        pledge_text="p",
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(days=1),
    )
    assert listing_runs_follow_this_year() > 0
    assert stored(years["listings"]["Z"]) == (1, True)
    assert stored(years["listings"]["X"]) == (3, True)
