"""Screening at the door: banned terms in public details and invisible characters in any text
are refused at the field, with what was typed kept; softer signals flag the queue."""

import pytest
from django.utils import timezone

from pledges.models import AuditEvent, BannedTerm, Enterprise
from pledges.screening import banned_term_in, soft_flags
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]


def edit_data(enterprise, **changes):
    data = factories.profile()
    data = {name: getattr(value, "pk", value) for name, value in data.items()}
    return data | changes


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "北京百家乐质量有限公司"),
        ("name", "北京百 家.乐质量有限公司"),  # separators between the characters
        ("name_en", "Online Casino 赌场 Ltd."),
        ("city", "澳门赌场"),
        ("name", "北京ＡＶ女优有限公司"),  # full width, upper case
    ],
)
def test_a_banned_term_is_refused_at_the_field_with_the_value_kept(
    owner_client, enterprise, field, value
):
    before = list(Enterprise.objects.filter(pk=enterprise.pk).values())
    response = owner_client.post(
        "/portal/enterprise/edit/", edit_data(enterprise, **{field: value})
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field, "banned")
    assert "is not allowed in public details" in str(form.errors[field])
    assert f'value="{value}"' in response.content.decode()
    assert list(Enterprise.objects.filter(pk=enterprise.pk).values()) == before


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u0008"])
def test_invisible_characters_are_refused_in_every_text_field(owner_client, enterprise, character):
    value = f"北京{character}质量有限公司"
    for field in ("name", "address", "contact_name", "legal_representative"):
        response = owner_client.post(
            "/portal/enterprise/edit/", edit_data(enterprise, **{field: value})
        )
        form = response.context["form"]
        assert form.has_error(field, "invisible"), field
        assert f"U+{ord(character):04X}" in str(form.errors[field])


def test_invisible_characters_are_refused_in_a_reviewer_reason_and_the_search(
    reviewer_client, publish
):
    pledge = publish("原因检查有限公司")
    response = reviewer_client.post(
        f"/review/pledges/{pledge.pk}/revoke/", {"reason": "撤销\u202e原因"}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("reason", "invisible")
    assert reviewer_client.get("/api/pledges/?q=%E2%80%AE").status_code == 400


def test_administrators_keep_the_list(administrator_client, django_capture_on_commit_callbacks):
    response = administrator_client.post("/review/banned-terms/", {"term": "网络彩票"})
    assert response.status_code == 302
    banned = BannedTerm.objects.get(term="网络彩票")
    assert AuditEvent.objects.filter(action="banned_term_added").exists()
    assert banned_term_in("北京网络 彩票有限公司") == "网络彩票"
    again = administrator_client.post("/review/banned-terms/", {"term": "网络彩票"})
    assert again.status_code == 400 and "already on the list" in again.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        administrator_client.post(f"/review/banned-terms/{banned.pk}/remove/")
    assert not BannedTerm.objects.filter(term="网络彩票").exists()
    assert banned_term_in("北京网络彩票有限公司") is None
    assert AuditEvent.objects.filter(action="banned_term_removed").exists()


def test_reviewers_cannot_edit_the_list(reviewer_client):
    assert reviewer_client.post("/review/banned-terms/", {"term": "某词"}).status_code == 403


def test_the_default_list_covers_pornography_and_gambling():
    for name in ("成人视频网", "网上赌博平台", "六合彩开奖", "约炮交友"):
        assert banned_term_in(name), name
    assert banned_term_in("北京质量测试有限公司") is None


def test_soft_signals_flag_without_refusing():
    new = timezone.now()
    assert len(soft_flags(account_created=new, name_after="北京质量测试有限公司")) == 1
    assert soft_flags(name_after="点击领取大奖") != []
    assert (
        soft_flags(name_before="北京质量测试有限公司", name_after="北京质量测试股份有限公司") == []
    )
    assert soft_flags(name_before="北京质量测试有限公司", name_after="上海娱乐城有限公司") != []


def test_the_queue_shows_the_flags(reviewer_client, submitted_pledge):
    page = reviewer_client.get("/review/").content.decode()
    assert "New account" in page
