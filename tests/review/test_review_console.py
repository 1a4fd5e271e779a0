"""The review console: queue, claims, notes, decisions with reasons, bulk approval."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from pledges.models import AuditEvent, Pledge, ReviewNote
from pledges.services import pledges as services
from tests import factories

pytestmark = pytest.mark.django_db


def many_submitted(campaign, count):
    pledges = []
    for index in range(count):
        owner = factories.user()
        enterprise = factories.enterprise(owner, name=f"第{index}质量有限公司")
        pledges.append(factories.submitted_pledge(enterprise, campaign, owner))
    return pledges


def queue_queries(client, assert_max_queries, at_most: int):
    with assert_max_queries(at_most) as queries:
        response = client.get("/review/")
    assert response.status_code == 200
    return len(queries), response


def test_queue_lists_submitted_pledges_oldest_first_with_counts(reviewer_client, campaign):
    first, second, third = many_submitted(campaign, 3)
    Pledge.objects.filter(pk=second.pk).update(submitted_at=timezone.now() - timedelta(days=9))
    services.pledge_withdraw(pledge=third, actor=third.created_by)
    response = reviewer_client.get("/review/")
    assert response.status_code == 200
    listed = [pledge.pk for pledge in response.context["page"]]
    assert listed == [second.pk, first.pk]
    counts = {value: count for value, _, count in response.context["state_counts"]}
    assert counts["submitted"] == 2 and counts["withdrawn"] == 1
    page = response.content.decode()
    assert "overdue" in page  # the nine-day-old pledge stands out


def test_queue_query_count_does_not_grow_with_the_page(
    reviewer_client, campaign, django_assert_max_num_queries
):
    many_submitted(campaign, 2)
    # At most what the portal's dashboard may cost (test_portal_views.py); no more for 32 rows.
    few, _ = queue_queries(reviewer_client, django_assert_max_num_queries, 12)
    many_submitted(campaign, 30)
    many, response = queue_queries(reviewer_client, django_assert_max_num_queries, few)
    assert len(response.context["page"].object_list) == 32
    assert many == few


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=第1质量", {"第1质量有限公司"}),
        ("province=44", {"第2质量有限公司"}),
        ("industry=C", {"第0质量有限公司", "第1质量有限公司", "第2质量有限公司"}),
        ("industry=13", {"第0质量有限公司", "第1质量有限公司", "第2质量有限公司"}),
        ("industry=A", set()),
        ("waiting=overdue", {"第0质量有限公司"}),
        ("state=draft", set()),
    ],
)
def test_queue_filters(reviewer_client, campaign, query, expected):
    owners = [factories.user() for _ in range(3)]
    provinces = ["11", "31", "44"]
    pledges = [
        factories.submitted_pledge(
            factories.enterprise(owner, province=province, name=f"第{index}质量有限公司"),
            campaign,
            owner,
        )
        for index, (owner, province) in enumerate(zip(owners, provinces, strict=True))
    ]
    Pledge.objects.filter(pk=pledges[0].pk).update(submitted_at=timezone.now() - timedelta(days=30))
    response = reviewer_client.get(f"/review/?{query}")
    assert {p.enterprise.name for p in response.context["page"]} == expected


def test_search_by_exact_credit_code(reviewer_client, submitted_pledge, enterprise):
    code = enterprise.credit_code
    response = reviewer_client.get(f"/review/?q={code.lower()[:6]} {code.lower()[6:]}")
    assert [p.pk for p in response.context["page"]] == [submitted_pledge.pk]


def test_claim_is_shown_to_others_and_expires(client, reviewer, submitted_pledge, settings):
    client.force_login(reviewer)
    assert client.post(f"/review/pledges/{submitted_pledge.pk}/claim/").status_code == 302
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.claimed_by == reviewer
    other = factories.staff("other@example.com")
    client.force_login(other)
    page = client.get(f"/review/pledges/{submitted_pledge.pk}/").content.decode()
    assert "审核员甲" in page
    client.post(f"/review/pledges/{submitted_pledge.pk}/claim/")
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.claimed_by == reviewer  # held: the second claim is refused
    assert client.get("/review/?mine=on").context["page"].paginator.count == 0
    # Once the claim lapses, another reviewer may take it.
    Pledge.objects.filter(pk=submitted_pledge.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=settings.REVIEW_CLAIM_MINUTES + 1)
    )
    client.post(f"/review/pledges/{submitted_pledge.pk}/claim/")
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.claimed_by == other
    assert client.get("/review/?mine=on").context["page"].paginator.count == 1
    assert AuditEvent.objects.filter(pledge=submitted_pledge, action="pledge_claimed").count() == 2


def test_internal_notes_stay_inside(reviewer_client, owner, submitted_pledge):
    owner_client = Client()
    owner_client.force_login(owner)
    response = reviewer_client.post(
        f"/review/pledges/{submitted_pledge.pk}/notes/", {"text": "内部意见：公章颜色偏淡"}
    )
    assert response.status_code == 302
    assert ReviewNote.objects.get().text == "内部意见：公章颜色偏淡"
    assert (
        "公章颜色偏淡"
        in reviewer_client.get(f"/review/pledges/{submitted_pledge.pk}/").content.decode()
    )
    for url in ("/portal/", f"/portal/pledges/{submitted_pledge.pk}/"):
        page = owner_client.get(url).content.decode()
        assert "公章颜色偏淡" not in page
        assert "审核员甲" not in page  # nor who reviews it


def test_an_empty_note_is_refused_at_the_field(reviewer_client, submitted_pledge):
    response = reviewer_client.post(f"/review/pledges/{submitted_pledge.pk}/notes/", {"text": "  "})
    assert response.status_code == 200
    assert response.context["note_form"].has_error("text", "required")
    assert not ReviewNote.objects.exists()


def test_detail_shows_what_is_needed_to_decide(
    reviewer_client, submitted_pledge, enterprise, owner
):
    earlier = factories.campaign(submitted_pledge.campaign.year - 1)
    services.pledge_create(enterprise=enterprise, campaign=earlier, actor=owner)
    twin_owner = factories.user()
    factories.enterprise(twin_owner, name="北京质量测试集团")
    response = reviewer_client.get(f"/review/pledges/{submitted_pledge.pk}/")
    context = response.context
    assert context["code_check"].valid and context["code_check"].matches_province
    assert [e.name for e in context["look_alikes"]] == ["北京质量测试集团"]
    assert [p.campaign.year for p in context["earlier"]] == [earlier.year]
    assert context["integrity"] == {"hash_matches": True, "same_as_campaign": True}
    page = response.content.decode()
    assert submitted_pledge.text_sha256 in page
    assert f"/review/pledges/{submitted_pledge.pk}/stamped-page/" in page


def test_the_decision_needs_a_confirmation_post(reviewer_client, submitted_pledge):
    url = f"/review/pledges/{submitted_pledge.pk}/approve/"
    confirm = reviewer_client.get(url)
    assert confirm.status_code == 200
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.state == Pledge.State.SUBMITTED  # a GET decides nothing
    assert reviewer_client.post(url).status_code == 302
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.state == Pledge.State.APPROVED
    event = submitted_pledge.events.get(action="pledge_approved")
    assert event.actor.email == "reviewer@association.example"


def test_request_changes_needs_a_reason_and_composes_it(reviewer_client, submitted_pledge):
    url = f"/review/pledges/{submitted_pledge.pk}/request_changes/"
    refused = reviewer_client.post(url, {"standard_reason": "", "reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].has_error("reason", "required")
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.state == Pledge.State.SUBMITTED
    reviewer_client.post(url, {"standard_reason": "seal_missing", "reason": "第二页"})
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.state == Pledge.State.CHANGES_REQUESTED
    reason = submitted_pledge.events.get(action="pledge_changes_requested").reason
    assert reason.endswith("第二页") and len(reason) > len("第二页")


def test_revoke_needs_a_public_reason(reviewer_client, submitted_pledge, reviewer):
    services.pledge_approve(pledge=submitted_pledge, actor=reviewer)
    url = f"/review/pledges/{submitted_pledge.pk}/revoke/"
    assert reviewer_client.post(url, {"reason": ""}).status_code == 200
    reviewer_client.post(url, {"reason": "发生重大质量安全事故"})
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.state == Pledge.State.REVOKED
    assert submitted_pledge.events.get(action="pledge_revoked").reason == "发生重大质量安全事故"


def test_an_illegal_decision_is_a_message_not_an_error(reviewer_client, submitted_pledge):
    response = reviewer_client.post(
        f"/review/pledges/{submitted_pledge.pk}/revoke/", {"reason": "x"}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.state == Pledge.State.SUBMITTED


def test_bulk_approval_reports_a_pledge_that_changed_meanwhile(reviewer_client, campaign):
    first, second, third = many_submitted(campaign, 3)
    ids = [str(p.pk) for p in (first, second, third)]
    confirm = reviewer_client.post("/review/bulk-approve/", {"pledge": ids})
    assert confirm.status_code == 200
    assert Pledge.objects.filter(state="approved").count() == 0  # confirmation first
    # Meanwhile the second enterprise withdraws.
    services.pledge_withdraw(pledge=second, actor=second.created_by)
    response = reviewer_client.post(
        "/review/bulk-approve/", {"pledge": ids, "confirmed": "yes"}, follow=True
    )
    states = dict(Pledge.objects.values_list("pk", "state"))
    assert states[first.pk] == states[third.pk] == "approved"
    assert states[second.pk] == "withdrawn"
    messages = [str(m) for m in response.context["messages"]]
    assert any(second.enterprise.name in m for m in messages)
    assert AuditEvent.objects.filter(action="pledge_approved").count() == 2
