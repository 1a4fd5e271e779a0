"""Campaign administration in the review console: permissions, forms, open and close now."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone, translation

from pledges.errors import DomainError, SigningClosed
from pledges.models import AuditEvent, Campaign, Pledge
from pledges.services.campaigns import campaign_close_now, campaign_open_now
from pledges.services.pledges import pledge_create, pledge_submit
from tests import factories

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def upcoming_campaign(year: int = 2031) -> Campaign:
    now = timezone.now()
    return Campaign.objects.create(
        year=year,
        title=f"{year}年企业质量诚信倡议",
        pledge_text=factories.PLEDGE_TEXT,
        opens_at=now + timedelta(days=5),
        closes_at=now + timedelta(days=40),
    )


def form_data(**overrides) -> dict:
    data = {
        "year": "2030",
        "title": "2030年企业质量诚信倡议",
        "pledge_text": "我们承诺：质量第一。",
        "opens_at": "2030-09-01T09:00",
        "closes_at": "2030-09-30T18:00",
        "number_prefix": "CQ",
    }
    data.update(overrides)
    return data


def texts(response) -> list[str]:
    with translation.override("en"):
        return [str(message) for message in get_messages(response.wsgi_request)]


# --- Permissions ------------------------------------------------------------------------

GET_URLS = ["/review/campaigns/", "/review/campaigns/new/", "/review/campaigns/{year}/edit/"]
POST_URLS = ["/review/campaigns/{year}/open/", "/review/campaigns/{year}/close/"]
ALL_URLS = [("get", url) for url in GET_URLS] + [("post", url) for url in POST_URLS]


@pytest.mark.parametrize(("method", "url"), ALL_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, campaign, method, url):
    response = getattr(client, method)(url.format(year=campaign.year))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("method", "url"), ALL_URLS)
def test_enterprise_users_and_reviewers_are_refused(
    client, campaign, owner, enterprise, reviewer, method, url
):
    for user in (owner, reviewer):
        client.force_login(user)
        assert getattr(client, method)(url.format(year=campaign.year)).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).closes_at == campaign.closes_at
    assert not AuditEvent.objects.filter(action__startswith="campaign_").exists()


@pytest.mark.parametrize("url", GET_URLS)
def test_administrators_may_open_the_pages(administrator_client, campaign, url):
    assert administrator_client.get(url.format(year=campaign.year)).status_code == 200


@pytest.mark.parametrize("url", POST_URLS)
def test_open_and_close_refuse_get(administrator_client, campaign, url):
    url = url.format(year=campaign.year)
    assert administrator_client.get(url).status_code == 405
    assert not AuditEvent.objects.filter(
        action__in=[Action.CAMPAIGN_OPENED, Action.CAMPAIGN_CLOSED]
    ).exists()


def test_unknown_or_absurd_years_are_not_found(administrator_client):
    assert administrator_client.get("/review/campaigns/1999/edit/").status_code == 404
    assert (
        administrator_client.get("/review/campaigns/99999999999999999999999/edit/").status_code
        == 404
    )
    assert (
        administrator_client.post("/review/campaigns/99999999999999999999999/open/").status_code
        == 404
    )


def test_post_needs_the_csrf_token(administrator, campaign):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    assert client.post(f"/review/campaigns/{campaign.year}/close/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).closes_at == campaign.closes_at


# --- List -------------------------------------------------------------------------------


def test_list_counts_pledges_per_state_in_one_query(
    administrator_client, campaign, owner, enterprise, django_assert_max_num_queries
):
    pledge_create(enterprise=enterprise, campaign=campaign, actor=owner)
    other = factories.enterprise(name="上海测试有限公司")
    pledge = pledge_create(
        enterprise=other,
        campaign=campaign,
        actor=other.memberships.get().user,
        signer_name="张三",
        signer_title="总经理",
        signer_authorised=True,
        stamped_page=factories.upload(factories.png_bytes()),
        stamped_page_type="image/png",
    )
    pledge_submit(pledge=pledge, actor=owner)
    factories.campaign(campaign.year - 1, open_now=False)
    upcoming_campaign(campaign.year + 1)

    administrator_client.get("/review/campaigns/")  # warm the session and permission caches
    with django_assert_max_num_queries(6):
        response = administrator_client.get("/review/campaigns/")
    rows = {c.year: c for c in response.context["campaigns"]}
    current = rows[campaign.year]
    assert (current.draft, current.submitted, current.total) == (1, 1, 2)
    assert [(value, count) for value, _label, count in current.state_counts] == [
        ("draft", 1),
        ("submitted", 1),
    ]
    assert current.status == "open"
    assert rows[campaign.year - 1].status == "closed"
    assert rows[campaign.year + 1].status == "upcoming"
    assert rows[campaign.year + 1].total == 0
    content = response.content.decode()
    assert f"/review/campaigns/{campaign.year + 1}/open/" in content
    assert f"/review/campaigns/{campaign.year}/close/" in content


# --- Create and edit --------------------------------------------------------------------


def test_administrator_creates_a_campaign(administrator_client, administrator):
    response = administrator_client.post("/review/campaigns/new/", form_data())
    assert response.status_code == 302
    created = Campaign.objects.get(year=2030)
    assert created.title == "2030年企业质量诚信倡议"
    # Entered in China time.
    assert timezone.localtime(created.opens_at).strftime("%Y-%m-%d %H:%M") == "2030-09-01 09:00"
    assert created.opens_at.utcoffset() == timedelta(0)
    assert created.opens_at.hour == 1
    event = AuditEvent.objects.get(action=Action.CAMPAIGN_CREATED)
    assert (event.campaign, event.actor) == (created, administrator)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_at": "2030-08-01T09:00"}, "closes_at"),
        ({"closes_at": "2030-09-01T09:00"}, "closes_at"),
        ({"opens_at": "not a date"}, "opens_at"),
        ({"year": "20x0"}, "year"),
        ({"year": "1850"}, "year"),
        ({"year": "99999999999999999999"}, "year"),
        ({"title": ""}, "title"),
        ({"title": "<script>alert(1)</script>"}, "title"),
        ({"number_prefix": "cq-1"}, "number_prefix"),
        ({"number_prefix": "ABCDEFGHIJK"}, "number_prefix"),
    ],
)
def test_create_shows_errors_at_the_field(administrator_client, overrides, field):
    response = administrator_client.post("/review/campaigns/new/", form_data(**overrides))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Campaign.objects.filter(year=2030).exists()
    assert not AuditEvent.objects.exists()


def test_a_year_cannot_have_two_campaigns(administrator_client, campaign):
    response = administrator_client.post(
        "/review/campaigns/new/", form_data(year=str(campaign.year))
    )
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert Campaign.objects.count() == 1


def test_an_empty_post_is_validated_not_a_crash(administrator_client, campaign):
    assert administrator_client.post("/review/campaigns/new/", {}).status_code == 200
    response = administrator_client.post(f"/review/campaigns/{campaign.year}/edit/", {})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors


def test_administrator_edits_a_campaign(administrator_client, administrator, campaign):
    response = administrator_client.get(f"/review/campaigns/{campaign.year}/edit/")
    assert not response.context["form"].fields["pledge_text"].disabled
    data = form_data(title="新标题", pledge_text="新的倡议文本")
    del data["year"]
    response = administrator_client.post(f"/review/campaigns/{campaign.year}/edit/", data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.pledge_text) == ("新标题", "新的倡议文本")
    event = AuditEvent.objects.get(action=Action.CAMPAIGN_UPDATED)
    assert event.actor == administrator
    assert set(event.details["changed"]) >= {"title", "pledge_text", "opens_at", "closes_at"}


def test_edit_validates_the_window_at_the_field(administrator_client, campaign):
    data = form_data(opens_at="2030-09-30T18:00", closes_at="2030-09-01T09:00")
    response = administrator_client.post(f"/review/campaigns/{campaign.year}/edit/", data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["closes_at"]
    assert 'class="field has-error"' in response.content.decode()


def test_the_text_is_read_only_once_someone_signed(
    administrator_client, campaign, owner, enterprise
):
    pledge_create(enterprise=enterprise, campaign=campaign, actor=owner)
    url = f"/review/campaigns/{campaign.year}/edit/"
    response = administrator_client.get(url)
    field = response.context["form"].fields["pledge_text"]
    assert field.disabled
    content = response.content.decode()
    assert factories.PLEDGE_TEXT in content
    assert '<textarea name="pledge_text"' not in content
    assert str(field.help_text) in content

    data = form_data(title="改过的标题", pledge_text="改过的文本")
    response = administrator_client.post(url, data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "改过的标题"
    assert campaign.pledge_text == factories.PLEDGE_TEXT


def test_a_signature_arriving_during_the_edit_is_reported(
    administrator_client, campaign, owner, enterprise, monkeypatch
):
    # The form was built when nobody had signed; the first signature lands before saving.
    monkeypatch.setattr("pledges.review.selectors.campaign_has_signatures", lambda c: False)
    pledge_create(enterprise=enterprise, campaign=campaign, actor=owner)
    data = form_data(pledge_text="改过的文本")
    response = administrator_client.post(f"/review/campaigns/{campaign.year}/edit/", data)
    assert response.status_code == 200
    assert any("cannot be changed" in text for text in texts(response))
    campaign.refresh_from_db()
    assert campaign.pledge_text == factories.PLEDGE_TEXT
    assert not AuditEvent.objects.filter(action=Action.CAMPAIGN_UPDATED).exists()


# --- Open and close now -----------------------------------------------------------------


def test_open_now_starts_signing(administrator_client, administrator):
    campaign = upcoming_campaign()
    before = timezone.now()
    response = administrator_client.post(f"/review/campaigns/{campaign.year}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/review/campaigns/"
    campaign.refresh_from_db()
    assert before <= campaign.opens_at <= timezone.now()
    assert campaign.is_open()
    event = AuditEvent.objects.get(action=Action.CAMPAIGN_OPENED)
    assert (event.campaign, event.actor) == (campaign, administrator)


def test_open_now_refuses_a_campaign_whose_closing_date_has_passed(administrator_client):
    campaign = factories.campaign(2020, open_now=False)
    response = administrator_client.post("/review/campaigns/2020/open/", follow=True)
    assert response.status_code == 200
    assert any("closing date has passed" in text for text in texts(response))
    assert Campaign.objects.get(pk=campaign.pk).opens_at == campaign.opens_at
    assert not AuditEvent.objects.filter(action=Action.CAMPAIGN_OPENED).exists()


def test_open_now_refuses_an_open_campaign(administrator_client, campaign):
    response = administrator_client.post(f"/review/campaigns/{campaign.year}/open/")
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).opens_at == campaign.opens_at
    assert any("already open" in text for text in texts(response))


def test_close_now_ends_signing(administrator_client, administrator, campaign):
    response = administrator_client.post(f"/review/campaigns/{campaign.year}/close/")
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.is_open()
    assert campaign.closes_at <= timezone.now()
    event = AuditEvent.objects.get(action=Action.CAMPAIGN_CLOSED)
    assert (event.campaign, event.actor) == (campaign, administrator)


@pytest.mark.parametrize(
    "make", [upcoming_campaign, lambda: factories.campaign(2020, open_now=False)]
)
def test_close_now_refuses_a_campaign_that_is_not_open(administrator_client, make):
    campaign = make()
    response = administrator_client.post(f"/review/campaigns/{campaign.year}/close/")
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).closes_at == campaign.closes_at
    assert any("not open" in text for text in texts(response))
    assert not AuditEvent.objects.filter(action=Action.CAMPAIGN_CLOSED).exists()


def test_closing_stops_new_signatures(campaign, administrator, owner, enterprise):
    campaign_close_now(campaign=campaign, actor=administrator)
    with pytest.raises(SigningClosed):
        pledge_create(enterprise=enterprise, campaign=campaign, actor=owner)
    assert not Pledge.objects.exists()


def test_a_stale_campaign_object_cannot_reopen_a_closed_campaign(campaign, administrator):
    stale = Campaign.objects.get(pk=campaign.pk)
    campaign_close_now(campaign=campaign, actor=administrator)
    with pytest.raises(DomainError):
        campaign_close_now(campaign=stale, actor=administrator)
    with pytest.raises(DomainError):
        campaign_open_now(campaign=stale, actor=administrator)
    assert AuditEvent.objects.filter(action=Action.CAMPAIGN_CLOSED).count() == 1
