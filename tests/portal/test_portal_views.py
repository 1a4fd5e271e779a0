"""Portal pages: what they show, and that they stay cheap as the history grows."""

import pytest

from pledges.models import Pledge
from pledges.services import pledges as services
from tests import factories

pytestmark = pytest.mark.django_db


signed = factories.submitted_pledge


def test_an_empty_post_is_validated_not_ignored(client):
    client.force_login(factories.user())
    response = client.post("/portal/enterprise/new/", {})
    assert response.status_code == 200
    assert response.context["form"].has_error("credit_code", "required")


def dashboard_queries(client, assert_max_queries, at_most: int) -> int:
    with assert_max_queries(at_most) as queries:
        response = client.get("/portal/")
    assert response.status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_history(
    owner_client, owner, enterprise, django_assert_max_num_queries
):
    reviewer = factories.user(is_staff=True)
    signed(enterprise, factories.campaign(), owner)
    baseline = dashboard_queries(owner_client, django_assert_max_num_queries, 14)
    for year in range(2015, 2021):
        pledge = signed(enterprise, factories.campaign(year), owner)
        services.pledge_approve(pledge=pledge, actor=reviewer)
    assert dashboard_queries(owner_client, django_assert_max_num_queries, baseline) == baseline


def test_the_reviewers_reason_is_shown_where_the_enterprise_fixes_it(
    owner_client, owner, enterprise, campaign
):
    pledge = signed(enterprise, campaign, owner)
    reviewer = factories.user(is_staff=True)
    services.pledge_request_changes(pledge=pledge, actor=reviewer, reason="盖章页<模糊>请重传")
    for url in ("/portal/", f"/portal/pledges/{pledge.pk}/", f"/portal/sign/{campaign.year}/"):
        page = owner_client.get(url).content.decode()
        assert "盖章页&lt;模糊&gt;请重传" in page, url
        assert "<模糊>" not in page


def test_resubmitting_through_the_sign_page(owner_client, owner, enterprise, campaign):
    pledge = signed(enterprise, campaign, owner)
    services.pledge_request_changes(
        pledge=pledge, actor=factories.user(is_staff=True), reason="请补充职务"
    )
    response = owner_client.post(
        f"/portal/sign/{campaign.year}/",
        {
            "signer_name": "王芳",
            "signer_title": "董事长",
            "signer_authorised": "on",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.SUBMITTED
    assert pledge.signer_title == "董事长"
    assert pledge.events.filter(action="pledge_resubmitted").count() == 1
