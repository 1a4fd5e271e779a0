"""Objections (异议): filed under a real name with evidence, counted once confirmed from the
mailed link, answered in writing; the listing shows only that it is under review and then the
outcome; the objector is never public nor named to the enterprise."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from pledges.errors import ObjectionClosed
from pledges.models import AuditEvent, Listing, Objection, OutboxMessage, Pledge
from pledges.services import notifications
from pledges.services.notice import notices_end
from pledges.services.objections import (
    confirmation_token,
    objection_answer,
    objection_confirm,
    objection_respond,
)
from pledges.services.publication import record_drift
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]

Kind = OutboxMessage.Kind
STATEMENT = "该企业在官网公布的生产许可证编号并不存在，已于本月向当地市场监管局核实。"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the rate limits count in the default cache
    yield
    cache.clear()


@pytest.fixture
def listed(publish):
    return Listing.objects.get(pk=publish("异议对象企业有限公司").pk)


def form_data(**changes):
    return {
        "name": "张三",
        "email": "zhangsan@example.org",
        "phone": "138 0000 1111",
        "relationship": "customer",
        "grounds": ["false_details", "quality"],
        "statement": STATEMENT,
        "truthful": "on",
        **changes,
    }


def owed(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("pk"))


def test_an_objection_counts_only_once_its_author_confirms_it(client, listed):
    evidence = factories.upload(factories.png_bytes(), "photo.png")
    response = client.post(f"/pledges/{listed.pk}/object/", {**form_data(), "evidence_1": evidence})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.state == Objection.State.UNCONFIRMED
    assert objection.evidence.get().content_type == "image/png"
    [mail] = owed(Kind.OBJECTION_CONFIRM)
    assert mail.email == "zhangsan@example.org"
    subject, body = notifications.compose(mail)
    token = confirmation_token(objection.pk)
    assert f"/objections/confirm/{token}/" in body
    # Nothing public, nobody told, until the confirmation.
    listed.refresh_from_db()
    assert not listed.objection_open
    assert not owed(Kind.OBJECTION_FILED)
    page = client.get(f"/objections/confirm/{token}/")
    assert "Confirm my objection" in page.content.decode()
    objection.refresh_from_db()
    assert objection.state == Objection.State.UNCONFIRMED  # a GET confirms nothing

    with mock.patch.object(timezone, "now", lambda: factories.OBJECTION_CONFIRMED_AT):
        confirmed = client.post(f"/objections/confirm/{token}/", follow=True)
    assert "will answer you in writing by 2025-10-30" in confirmed.content.decode()
    objection.refresh_from_db()
    assert objection.state == Objection.State.OPEN
    # 20 working days after Friday 26 September 2025: the Golden Week (1–8 October) off, the
    # make-up Sunday 28 September and Saturday 11 October on.
    assert objection.answer_due == date(2025, 10, 30)
    listed.refresh_from_db()
    assert listed.objection_open
    page = client.get(f"/pledges/{listed.pk}/").content.decode()
    assert "Under review after an objection" in page
    assert "张三" not in page and STATEMENT not in page
    [item] = client.get("/api/pledges/").json()["results"]
    assert item["under_objection_review"] is True
    # The enterprise is told, without who objected.
    told = owed(Kind.OBJECTION_FILED)
    assert {m.email for m in told} == {listed.pledge.created_by.email}
    subject, body = notifications.compose(told[0])
    assert "张三" not in subject + body and "zhangsan" not in subject + body
    assert f"/portal/objections/{objection.pk}/" in body
    # Confirming again changes nothing.
    assert objection_confirm(objection=objection) is False
    confirmed_events = AuditEvent.objects.filter(action=AuditEvent.Action.OBJECTION_CONFIRMED)
    assert confirmed_events.count() == 1
    assert record_drift() == []


def test_an_anonymous_objection_is_refused_at_the_name_keeping_what_was_typed(client, listed):
    for name in ("匿名", "Anonymous", " x "):
        response = client.post(f"/pledges/{listed.pk}/object/", form_data(name=name))
        page = response.content.decode()
        assert "Anonymous objections are not accepted" in page, name
        assert 'aria-invalid="true"' in page.split('name="name"')[1].split(">")[0] + page
        assert STATEMENT in page  # kept
    assert not Objection.objects.exists()


def test_evidence_is_checked_by_its_content_and_nothing_is_kept_of_a_refusal(client, listed):
    fake = factories.upload(b"MZ not an image at all", "photo.png")
    response = client.post(f"/pledges/{listed.pk}/object/", {**form_data(), "evidence_1": fake})
    assert "Only PDF, JPEG or PNG files are accepted" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_bad_or_expired_link_confirms_nothing(client, listed):
    objection = factories.objection(listed, confirmed=False)
    assert client.get("/objections/confirm/not-a-token/").status_code == 404
    token = confirmation_token(objection.pk)
    later = timezone.now() + timedelta(days=4)
    with mock.patch("django.core.signing.time.time", lambda: later.timestamp()):
        assert client.post(f"/objections/confirm/{token}/").status_code == 404
    objection.refresh_from_db()
    assert objection.state == Objection.State.UNCONFIRMED


def test_objections_are_rate_limited_per_address_and_per_e_mail(client, listed):
    for index in range(3):
        data = form_data(email="same@example.org", statement=f"{STATEMENT}（第{index}次）")
        assert client.post(f"/pledges/{listed.pk}/object/", data).status_code == 302
    refused = client.post(f"/pledges/{listed.pk}/object/", form_data(email="same@example.org"))
    assert "Too many objections were sent for this address today" in refused.content.decode()
    assert client.post(f"/pledges/{listed.pk}/object/", form_data()).status_code == 302
    # Five from this client address in the hour: the sixth is turned away.
    too_many = client.post(f"/pledges/{listed.pk}/object/", form_data(email="b@example.org"))
    assert too_many.status_code == 429
    assert Objection.objects.count() == 4


def test_the_enterprise_responds_and_the_reviewer_answers(client, listed, reviewer):
    objection = factories.objection(listed)
    owner = listed.pledge.created_by
    client.force_login(owner)
    page = client.get(f"/portal/objections/{objection.pk}/").content.decode()
    assert objection.statement in page
    assert "李实名" not in page and "objector@example.org" not in page
    response = client.post(
        f"/portal/objections/{objection.pk}/",
        {
            "response": "许可证编号见附件，可在国家市场监管总局网站查询。",
            "evidence_1": factories.upload(factories.pdf_bytes(), "licence.pdf", "application/pdf"),
        },
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.response.startswith("许可证编号")
    assert objection.evidence.filter(party="enterprise").count() == 1

    client.force_login(reviewer)
    console = client.get(f"/review/objections/{objection.pk}/").content.decode()
    assert "李实名" in console and "许可证编号见附件" in console
    answered = client.post(
        f"/review/objections/{objection.pk}/answer/",
        {
            "outcome": "dismissed",
            "public_reason": "经核实，许可证真实有效。",
            "findings": "在总局网站查询到许可证，与附件一致。",
            "answer": "您好，经核实该企业许可证真实有效，异议不成立。",
        },
    )
    assert answered.status_code == 302
    objection.refresh_from_db()
    assert objection.state == Objection.State.ANSWERED
    listed.refresh_from_db()
    assert not listed.objection_open
    assert listed.objection_outcomes == [
        {"on": listed.objection_outcomes[0]["on"], "outcome": "dismissed",
         "reason": "经核实，许可证真实有效。"}
    ]  # fmt: skip
    client.logout()
    page = client.get(f"/pledges/{listed.pk}/").content.decode()
    assert "Objections answered" in page and "经核实，许可证真实有效。" in page
    assert "在总局网站查询到许可证" not in page  # the findings stay internal
    [mail] = owed(Kind.OBJECTION_ANSWER)
    subject, body = notifications.compose(mail)
    assert mail.email == "objector@example.org" and "异议不成立" in body
    csv = b"".join(client.get("/pledges/export.csv").streaming_content).decode("utf-8-sig")
    assert "Dismissed: 经核实，许可证真实有效。" in csv
    assert record_drift() == []
    with pytest.raises(ObjectionClosed):
        objection_respond(objection=objection, actor=owner, response="再补充", evidence=[])
    with pytest.raises(ObjectionClosed):
        objection_answer(
            objection=objection, actor=reviewer, outcome="revoked", findings="x",
            public_reason="x", answer="x",
        )  # fmt: skip


def test_an_upheld_objection_can_revoke_the_pledge(listed, reviewer):
    objection = factories.objection(listed)
    objection_answer(
        objection=objection,
        actor=reviewer,
        outcome="revoked",
        findings="企业承认地址造假。",
        public_reason="公布的地址不实。",
        answer="您的异议成立，协会已撤销该企业的承诺。",
    )
    listed.refresh_from_db()
    assert listed.status == Listing.Status.REVOKED
    assert listed.revocation_reason == "公布的地址不实。"
    assert Pledge.objects.get(pk=listed.pk).state == Pledge.State.REVOKED
    assert record_drift() == []


def test_a_listing_under_review_does_not_become_final_until_answered(settings, publish, reviewer):
    settings.NOTICE_WORKING_DAYS = 5
    with mock.patch.object(timezone, "now", lambda: datetime(2025, 9, 26, 2, 0, tzinfo=UTC)):
        campaign = factories.campaign(2025)
        listing = Listing.objects.get(pk=publish("公示异议企业有限公司", year_campaign=campaign).pk)
    objection = factories.objection(listing)
    assert notices_end(today=date(2025, 11, 1)) == 0
    objection_answer(
        objection=objection, actor=reviewer, outcome="dismissed", findings="无问题",
        public_reason="异议不成立。", answer="经核实，异议不成立。",
    )  # fmt: skip
    assert notices_end(today=date(2025, 11, 1)) == 1
    assert record_drift() == []


def test_overdue_objections_stand_out_and_duplicates_are_counted(reviewer_client, listed):
    first = factories.objection(listed)
    second = factories.objection(listed, name="王五", email="wangwu@example.org")
    Objection.objects.filter(pk=first.pk).update(answer_due=date(2025, 10, 1))
    Objection.objects.filter(pk=second.pk).update(answer_due=date(2099, 1, 1))
    page = reviewer_client.get("/review/objections/").content.decode()
    rows = page.split("<tbody>")[1].split("</tr>")
    assert "overdue" in rows[0] and "overdue" not in rows[1]
    assert all("<td>2</td>" in row for row in rows[:2])


def test_a_taken_down_listing_cannot_be_objected_to(client, publish, reviewer):
    from pledges.services.pledges import pledge_take_down

    pledge = publish("下架异议企业有限公司")
    pledge_take_down(pledge=pledge, actor=reviewer, reason="违规")
    assert client.get(f"/pledges/{pledge.pk}/object/").status_code == 404
