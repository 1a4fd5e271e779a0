"""Years across: the standing rules, the enterprise page and the history API."""

from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone, translation

from pledges.history.selectors import this_year
from pledges.history.standing import DUE, LAPSED, RENEWED, SIGNED, SignedYear, standing
from pledges.models import Campaign
from pledges.public.schema import openapi
from pledges.services.imports import signatories_import
from tests import factories

YEAR = timezone.now().year


def years(*numbers, revoked=(), imported=()):
    return [SignedYear(year=n, revoked=n in revoked, imported=n in imported) for n in numbers]


@pytest.mark.parametrize(
    ("signed", "signing_open", "status", "run"),
    [
        (years(2024, 2025, 2026), False, RENEWED, 3),
        (years(2026), True, SIGNED, 1),
        (years(2019, 2020, 2026), False, SIGNED, 1),
        # Signed last year; this year's signing still open: due, and the run stands.
        (years(2023, 2024, 2025), True, DUE, 3),
        # The same once signing has closed without it: lapsed.
        (years(2023, 2024, 2025), False, LAPSED, 0),
        (years(2010, 2011), True, LAPSED, 0),
        # A revoked year breaks the run.
        (years(2024, 2025, 2026, revoked={2025}), False, SIGNED, 1),
        (years(2024, 2025, 2026, imported={2024, 2025}), False, RENEWED, 3),
        ([], False, "", 0),
    ],
)
def test_standing_rules(signed, signing_open, status, run):
    result = standing(signed, this_year=2026, signing_open=signing_open)
    assert (result.status, result.run) == (status, run)
    assert [entry.year for entry in result.years] == sorted(
        {entry.year for entry in signed}, reverse=True
    )


def test_a_year_signed_here_wins_over_the_same_year_imported():
    both = [SignedYear(year=2020, imported=True, name="旧"), SignedYear(year=2020, url="/p/1/")]
    [kept] = standing(both, this_year=2020, signing_open=False).years
    assert not kept.imported and kept.url == "/p/1/"


def test_this_year_is_the_latest_campaign_that_has_opened():
    now = timezone.now()
    day = timedelta(days=1)
    schedule = [
        (2025, now - 400 * day, now - 300 * day),
        (2026, now - 10 * day, now + 20 * day),
        (2027, now + 300 * day, now + 330 * day),
    ]
    assert this_year(schedule, now) == (2026, True)
    assert this_year(schedule, now + 25 * day) == (2026, False)
    assert this_year([], now) == (timezone.localdate(now).year, False)


# --- Published: the enterprise page and the API ----------------------------------------


def close(campaign: Campaign) -> None:
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )


@pytest.fixture
def four_years(db, reviewer):
    """An enterprise that signed here last year and this year, and appears in the imported
    lists of the two years before (once under its former name)."""
    from tests.conftest import publish as publish_fixture

    last_year = factories.campaign(YEAR - 1)
    this_campaign = factories.campaign(YEAR)
    make = publish_fixture.__wrapped__(this_campaign, reviewer)
    owner = factories.user()
    enterprise = factories.enterprise(owner, name="苏州恒信精密机械有限公司")
    earlier = factories.complete_draft(enterprise, last_year, owner)
    from pledges.services import pledges as services

    services.pledge_submit(pledge=earlier, actor=owner)
    services.pledge_approve(pledge=earlier, actor=reviewer)
    close(last_year)
    current = factories.complete_draft(enterprise, this_campaign, owner)
    services.pledge_submit(pledge=current, actor=owner)
    services.pledge_approve(pledge=current, actor=reviewer)
    code = enterprise.credit_code
    for year, name in ((YEAR - 3, "苏州恒信机械厂"), (YEAR - 2, "苏州恒信精密机械有限公司")):
        data = f"企业名称,统一社会信用代码\n{name},{code}\n".encode()
        signatories_import(year=year, file_name=f"{year}.csv", data=data)
    make("另一家有限公司")  # someone else, to show nothing leaks across codes
    return {"enterprise": enterprise, "earlier": earlier, "current": current}


def test_the_enterprise_page_shows_every_year_the_run_and_the_standing(
    client, four_years, django_assert_max_num_queries
):
    with translation.override("en"), django_assert_max_num_queries(8):
        response = client.get(f"/pledges/{four_years['current'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Renewed" in html and "4 years in a row" in html
    assert html.count("Historical record, imported") == 2
    assert "as 苏州恒信机械厂" in html
    assert f'href="/pledges/{four_years["earlier"].pk}/"' in html
    chinese = client.get(f"/pledges/{four_years['current'].pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "连续 4 年" in chinese.content.decode()


def test_an_import_shows_at_once_on_a_cached_page(
    client, four_years, django_capture_on_commit_callbacks
):
    url = f"/pledges/{four_years['current'].pk}/"
    assert str(YEAR - 5) not in client.get(url).content.decode()
    code = four_years["enterprise"].credit_code
    data = f"企业名称,统一社会信用代码\n苏州恒信机械厂,{code}\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        signatories_import(year=YEAR - 5, file_name="old.csv", data=data)
    assert str(YEAR - 5) in client.get(url).content.decode()


HISTORY_SCHEMA = openapi(years=[], provinces=[], industries=[])["components"]["schemas"]


def validate(document: dict) -> None:
    schema = {**HISTORY_SCHEMA["History"], "components": {"schemas": HISTORY_SCHEMA}}
    jsonschema.validate(document, schema)


def test_the_history_api(client, four_years):
    code = four_years["enterprise"].credit_code
    response = client.get(f"/api/history/{code.lower()}/")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["status"] == "renewed" and document["consecutive_years"] == 4
    assert [(y["year"], y["source"]) for y in document["years"]] == [
        (YEAR, "reviewed"),
        (YEAR - 1, "reviewed"),
        (YEAR - 2, "imported"),
        (YEAR - 3, "imported"),
    ]
    assert document["years"][0]["url"].endswith(f"/pledges/{four_years['current'].pk}/")
    assert document["years"][3]["url"] is None
    assert response["Access-Control-Allow-Origin"] == "*"


def test_an_enterprise_known_only_from_the_imported_lists(client, db):
    factories.campaign(YEAR)
    code = factories.credit_code("44")
    data = f"企业名称,统一社会信用代码\n广州卓越包装有限公司,{code}\n".encode()
    signatories_import(year=YEAR - 4, file_name="a.csv", data=data)
    document = client.get(f"/api/history/{code}/").json()
    validate(document)
    assert document["status"] == "lapsed" and document["consecutive_years"] == 0
    assert document["years"] == [
        {
            "year": YEAR - 4,
            "source": "imported",
            "revoked": False,
            "name": "广州卓越包装有限公司",
            "url": None,
        }
    ]


@pytest.mark.parametrize("code", ["not-a-code", "91110108MA00000000", "x" * 40])
def test_unknown_or_invalid_codes_are_not_found(client, db, code):
    response = client.get(f"/api/history/{code}/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["parameter"] == "credit_code"


# --- Claimed: members and reviewers ----------------------------------------------------


def import_code(code: str, year: int, name: str = "苏州恒信机械厂") -> None:
    data = f"企业名称,统一社会信用代码\n{name},{code}\n".encode()
    signatories_import(year=year, file_name=f"{year}.csv", data=data)


def test_members_see_their_history_once_a_reviewer_approved_them(client, four_years):
    client.force_login(four_years["enterprise"].memberships.get().user)
    html = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Our years on record" in html
    assert html.count("Historical record, imported") == 2 and "4 years in a row" in html


def test_before_any_approval_the_imported_years_wait_for_a_reviewer(
    client, owner, enterprise, campaign, reviewer
):
    import_code(enterprise.credit_code, YEAR - 2)
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    client.force_login(owner)
    assert "Our years on record" not in client.get("/portal/").content.decode()
    # The reviewer sees what the code claims, and approving confirms it.
    client.force_login(reviewer)
    page = client.get(f"/review/pledges/{pledge.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "earlier lists (imported)" in html and f"{YEAR - 2} · 苏州恒信机械厂" in html
    from pledges.services import pledges as services

    services.pledge_approve(pledge=pledge, actor=reviewer)
    client.force_login(owner)
    html = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Our years on record" in html and str(YEAR - 2) in html
