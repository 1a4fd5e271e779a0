"""The campaign dashboard: every number asserted on a campaign built for it, the page in both
languages, the tile map and the CSV."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from pledges.models import AuditEvent, Campaign, Pledge
from pledges.public.tile_map import TILES, shade
from pledges.reference import CHINA_TZ
from pledges.review.dashboard import campaign_dashboard, percentile
from pledges.services import pledges as services
from pledges.services.campaign_mail import campaign_invitations_owe
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = timezone.now().year
Action = AuditEvent.Action


def enterprise(name, province="11"):
    owner = factories.user()
    return owner, factories.enterprise(owner, name=name, province=province)


@pytest.fixture
def campaign(reviewer):
    """Last year A, B and C were listed. This year they are invited; A is approved, B asked
    for changes and resubmitted, C does nothing; D (not invited) only started; E (Guangdong)
    submitted ten days ago and waits."""
    last_year = factories.campaign(YEAR - 1)
    people = {key: enterprise(f"{key}看板测试有限公司") for key in "ABC"}
    for owner, company in people.values():
        pledge = factories.submitted_pledge(company, last_year, owner)
        services.pledge_approve(pledge=pledge, actor=reviewer)
    now = timezone.now()
    Campaign.objects.filter(pk=last_year.pk).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )
    this_year = factories.campaign(YEAR)
    campaign_invitations_owe(campaign=this_year)
    other = factories.staff("second-reviewer@association.example")
    owner, company = people["A"]
    services.pledge_approve(
        pledge=factories.submitted_pledge(company, this_year, owner), actor=reviewer
    )
    owner, company = people["B"]
    pledge = factories.submitted_pledge(company, this_year, owner)
    services.pledge_request_changes(pledge=pledge, actor=other, reason="请补充")
    pledge.refresh_from_db()
    services.pledge_submit(pledge=pledge, actor=owner)
    owner, company = enterprise("D看板测试有限公司")
    factories.complete_draft(company, this_year, owner)
    owner, company = enterprise("E看板测试有限公司", province="44")
    waiting = factories.submitted_pledge(company, this_year, owner)
    Pledge.objects.filter(pk=waiting.pk).update(submitted_at=now - timedelta(days=10))
    return this_year


def test_the_funnel_and_the_places(campaign):
    data = campaign_dashboard(campaign)
    assert [(stage.key, stage.count) for stage in data.funnel] == [
        ("invited", 3),
        ("started", 4),
        ("submitted", 3),
        ("approved", 1),
    ]
    assert data.lapsed == 1  # C
    assert data.times.overdue == 1  # E
    by_province = {row.code: (row.started, row.submitted, row.approved) for row in data.provinces}
    assert by_province == {"11": (3, 2, 1), "44": (1, 1, 0)}
    assert [(row.code, row.approved) for row in data.sections] == [("C", 1)]


def test_review_times_and_decisions_per_reviewer_per_day(db, reviewer):
    """From each submission to the decision on it, with the events' own times."""
    campaign = factories.campaign(YEAR)
    other = factories.staff("second@association.example")
    day = datetime(YEAR, 3, 2, 9, 0, tzinfo=CHINA_TZ)
    owner, company = enterprise("时间测试甲有限公司")
    first = factories.complete_draft(company, campaign, owner)
    owner2, company2 = enterprise("时间测试乙有限公司")
    second = factories.complete_draft(company2, campaign, owner2)

    def event(pledge, action, actor, after_hours):
        AuditEvent.objects.create(
            action=action,
            actor=actor,
            pledge=pledge,
            campaign=campaign,
            enterprise=pledge.enterprise,
            created_at=day + timedelta(hours=after_hours),
        )

    event(first, Action.PLEDGE_SUBMITTED, owner, 0)
    event(first, Action.PLEDGE_APPROVED, reviewer, 10)  # waited 10 hours
    event(second, Action.PLEDGE_SUBMITTED, owner2, 0)
    event(second, Action.PLEDGE_CHANGES_REQUESTED, other, 2)  # 2 hours
    event(second, Action.PLEDGE_RESUBMITTED, owner2, 5)
    event(second, Action.PLEDGE_APPROVED, reviewer, 20)  # 15 hours, the next day (China)
    data = campaign_dashboard(campaign)
    assert data.times.decisions == 3
    assert data.times.median_hours == 10.0
    assert data.times.p90_hours == 15.0
    assert [(r.day, r.reviewer, r.decisions) for r in data.reviewer_days] == [
        (f"{YEAR}-03-02", reviewer.email, 1),
        (f"{YEAR}-03-02", other.email, 1),
        (f"{YEAR}-03-03", reviewer.email, 1),
    ]


def test_percentile_is_the_nearest_rank():
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile(list(map(float, range(1, 11))), 0.9) == 9.0
    assert percentile(list(map(float, range(1, 11))), 0.5) == 5.0


def test_the_page_and_its_csv(client, campaign, administrator, reviewer):
    client.force_login(reviewer)
    assert client.get("/review/dashboard/").status_code == 403
    client.force_login(administrator)
    page = client.get(f"/review/dashboard/?year={YEAR}", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lapsed from last year" in html and 'class="tile-map"' in html
    # 34 tiles, each named in full in its title; Guangdong counted in the table.
    assert html.count('class="tile shade-') == 34
    assert "<title>Beijing Municipality: 1</title>" in html
    chinese = client.get(f"/review/dashboard/?year={YEAR}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "<title>北京市: 1</title>" in chinese.content.decode()
    assert ">京</text>" in chinese.content.decode()
    response = client.get(f"/review/dashboard.csv?year={YEAR}", HTTP_ACCEPT_LANGUAGE="en")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {(row[0], row[1]): row[3] for row in csv.reader(io.StringIO(body))}
    assert rows[("funnel", "invited")] == "3" and rows[("funnel", "lapsed")] == "1"
    assert rows[("province_submitted", "44")] == "1"
    assert client.get("/review/dashboard/?year=1999").status_code == 404
    assert client.get("/review/dashboard/?year=abcd").status_code == 404


def test_tile_shades_and_the_grid():
    assert len(TILES) == 34 and len(set(TILES.values())) == 34
    assert [shade(count, 10) for count in (0, 1, 2, 5, 10)] == [0, 1, 1, 3, 5]
