"""A campaign's mail to earlier signatories: who is invited and reminded, once each, at a
steady pace, in their language, with an unsubscribe link that works in one click."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Membership
from pledges.models import AuditEvent, Campaign, OutboxMessage, Pledge
from pledges.services import pledges as services
from pledges.services.campaign_mail import (
    campaign_invitations_owe,
    campaign_mail_due,
    campaign_reminders_owe,
    paced_mail_queue,
    reminders_due,
    unsubscribe_token,
)
from pledges.services.campaigns import campaign_open_now
from pledges.services.notifications import compose
from pledges.services.outbox import message_send
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = timezone.now().year
Kind = OutboxMessage.Kind


def signed_in(year_campaign, reviewer, name, *, revoke=False, members=1):
    owner = factories.user()
    enterprise = factories.enterprise(owner, name=name)
    for _ in range(members - 1):
        colleague = factories.user(language="en")
        Membership.objects.create(user=colleague, enterprise=enterprise)
    pledge = factories.submitted_pledge(enterprise, year_campaign, owner)
    services.pledge_approve(pledge=pledge, actor=reviewer)
    if revoke:
        services.pledge_revoke(pledge=pledge, actor=reviewer, reason="质量事故")
    return enterprise


def close(campaign):
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )


@pytest.fixture
def signatories(db, reviewer, settings):
    """A (two members: Chinese and English), B and C signed last year; D five years ago;
    E last year, then revoked."""
    settings.RENEWAL_YEARS = 3
    settings.CAMPAIGN_MAIL_PER_MINUTE = 60
    last_year, long_ago = factories.campaign(YEAR - 1), factories.campaign(YEAR - 5)
    enterprises = {
        "A": signed_in(last_year, reviewer, "甲续签测试有限公司", members=2),
        "B": signed_in(last_year, reviewer, "乙续签测试有限公司"),
        "C": signed_in(last_year, reviewer, "丙续签测试有限公司"),
        "D": signed_in(long_ago, reviewer, "丁续签测试有限公司"),
        "E": signed_in(last_year, reviewer, "戊续签测试有限公司", revoke=True),
    }
    close(last_year)
    close(long_ago)
    return enterprises


def invited(kind=Kind.RENEWAL_INVITATION):
    return OutboxMessage.objects.filter(kind=kind)


def test_recent_signatories_are_invited_once_each_member(
    signatories, django_capture_on_commit_callbacks
):
    campaign = factories.campaign(YEAR)
    with django_capture_on_commit_callbacks() as queued:
        assert campaign_invitations_owe(campaign=campaign) == 4
    assert queued == []  # paced: nothing queued at once
    rows = list(invited().order_by("send_after"))
    assert {row.enterprise_id for row in rows} == {signatories[key].pk for key in ("A", "B", "C")}
    assert sorted(row.language for row in rows) == ["en", "zh-hans", "zh-hans", "zh-hans"]
    # One a second (60 a minute), one after the other.
    moments = [row.send_after for row in rows]
    gaps = {(b - a).total_seconds() for a, b in zip(moments, moments[1:], strict=False)}
    assert gaps == {1.0}
    assert campaign_invitations_owe(campaign=campaign) == 0
    assert invited().count() == 4
    event = AuditEvent.objects.get(action=AuditEvent.Action.CAMPAIGN_MAIL_OWED)
    assert event.details == {"message": "invitation", "recipients": 4}


def test_paced_mail_is_queued_when_its_moment_comes(
    signatories, settings, django_capture_on_commit_callbacks
):
    settings.CAMPAIGN_MAIL_PER_MINUTE = 6  # one every ten seconds
    settings.CAMPAIGN_MAIL_TICK_SECONDS = 10
    campaign_invitations_owe(campaign=factories.campaign(YEAR))
    with django_capture_on_commit_callbacks() as queued:
        assert paced_mail_queue() == 1  # a tick's worth: one
    assert len(queued) == 1
    assert invited().filter(send_after__isnull=True).count() == 1
    # A send task arriving before the message's moment sends nothing.
    waiting = invited().filter(send_after__isnull=False).order_by("send_after").first()
    assert message_send(message_id=waiting.pk, compose=compose) == OutboxMessage.State.OWED
    assert mail.outbox == []


def test_a_backlog_goes_out_at_the_pace_too(signatories, settings, monkeypatch):
    """After an outage every moment has passed: still one every five seconds, from one tick
    to the next."""
    settings.CAMPAIGN_MAIL_PER_MINUTE = 12  # one every five seconds
    settings.CAMPAIGN_MAIL_TICK_SECONDS = 10
    campaign_invitations_owe(campaign=factories.campaign(YEAR))
    start = timezone.now()
    invited().update(send_after=start - timedelta(hours=1))
    delays, clock = [], {"now": start}
    monkeypatch.setattr(
        "pledges.services.campaign_mail.queue_after_commit",
        lambda task, pk, countdown: delays.append(countdown),
    )
    monkeypatch.setattr("pledges.services.campaign_mail.timezone.now", lambda: clock["now"])
    assert paced_mail_queue() == 2
    assert delays == [0, 5]
    assert paced_mail_queue() == 0  # the tick is full: the next may go in ten seconds
    clock["now"] = start + timedelta(seconds=10)
    assert paced_mail_queue() == 2
    assert delays == [0, 5, 0, 5]
    clock["now"] = start + timedelta(seconds=20)
    assert paced_mail_queue() == 0  # all four queued


def test_the_invitation_in_each_members_language_with_one_click_unsubscribe(signatories, settings):
    campaign = factories.campaign(YEAR)
    campaign_invitations_owe(campaign=campaign)
    for row in invited().filter(enterprise=signatories["A"]):
        OutboxMessage.objects.filter(pk=row.pk).update(send_after=None)
        assert message_send(message_id=row.pk, compose=compose) == OutboxMessage.State.SENT
    english = next(m for m in mail.outbox if "Invitation to sign again" in m.subject)
    chinese = next(m for m in mail.outbox if m is not english)
    assert f"/portal/sign/{YEAR}/" in english.body and "甲续签测试有限公司" in english.body
    assert chinese.subject.startswith("再次签署邀请")
    member = Membership.objects.get(enterprise=signatories["A"], user__language="en").user
    token = unsubscribe_token(member)
    expected = f"<{settings.SITE_URL}/mail/unsubscribe/{token}/>"
    assert english.extra_headers["List-Unsubscribe"] == expected
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/mail/unsubscribe/{token}/" in english.body


def test_one_click_unsubscribe_is_honoured(signatories):
    campaign = factories.campaign(YEAR)
    campaign_invitations_owe(campaign=campaign)
    row = invited().filter(enterprise=signatories["B"]).get()
    user = row.recipient
    url = f"/mail/unsubscribe/{unsubscribe_token(user)}/"
    client = Client(enforce_csrf_checks=True)
    # Opening the link (a mail scanner does) changes nothing.
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    user.refresh_from_db()
    assert user.campaign_mail_opt_out is None
    # RFC 8058: the mail client posts this body, with no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.campaign_mail_opt_out is not None
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CAMPAIGN_MAIL_UNSUBSCRIBED, actor=user
    ).exists()
    # The owed invitation is not sent, and the next campaign mail leaves them out.
    OutboxMessage.objects.filter(pk=row.pk).update(send_after=None)
    assert message_send(message_id=row.pk, compose=compose) == OutboxMessage.State.VOID
    assert campaign_reminders_owe(campaign=campaign, days=7) == 3  # A's two, C
    # Any other POST to the link is refused; the page's buttons post a CSRF-checked form.
    assert client.post(url, {"action": "resubscribe"}).status_code == 403
    again = Client().post(url + "confirm/", {"action": "resubscribe"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "again" in again.content.decode()
    user.refresh_from_db()
    assert user.campaign_mail_opt_out is None


@pytest.mark.parametrize("token", ["nonsense", "1:forged:signature"])
def test_a_bad_unsubscribe_link_changes_nothing(client, db, token):
    response = client.post(f"/mail/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404


def test_reminders_go_only_to_those_who_have_not_signed(signatories, reviewer):
    now = timezone.now()
    campaign = factories.campaign(YEAR)
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=25)
    )
    campaign.refresh_from_db()
    # B has signed (submitted); A started a draft only.
    b_owner = signatories["B"].memberships.get().user
    factories.submitted_pledge(signatories["B"], campaign, b_owner)
    a_owner = signatories["A"].memberships.order_by("pk").first().user
    factories.complete_draft(signatories["A"], campaign, a_owner)
    assert reminders_due(campaign, now) == [30]  # 25 days left; the 7-day one later
    owed = campaign_mail_due()
    assert owed == {f"{YEAR}:invitation": 4, f"{YEAR}:reminder-30": 3}
    reminded = invited(Kind.RENEWAL_REMINDER)
    assert signatories["B"].pk not in set(reminded.values_list("enterprise_id", flat=True))
    assert campaign_mail_due() == {}  # each is owed once
    english = reminded.get(language="en")
    OutboxMessage.objects.filter(pk=english.pk).update(send_after=None)
    message_send(message_id=english.pk, compose=compose)
    assert mail.outbox[-1].subject.endswith("signing closes in 25 days")
    # A reminder whose moment fell before signing opened is never sent.
    Campaign.objects.filter(pk=campaign.pk).update(opens_at=now - timedelta(days=1))
    campaign.refresh_from_db()
    campaign.mail_owed = {}
    assert reminders_due(campaign, now) == []


def test_an_enterprise_that_signed_meanwhile_is_not_invited_after_all(signatories):
    campaign = factories.campaign(YEAR)
    campaign_invitations_owe(campaign=campaign)
    owner = signatories["C"].memberships.get().user
    factories.submitted_pledge(signatories["C"], campaign, owner)
    row = invited().get(enterprise=signatories["C"])
    OutboxMessage.objects.filter(pk=row.pk).update(send_after=None)
    assert message_send(message_id=row.pk, compose=compose) == OutboxMessage.State.VOID


def test_opening_signing_now_invites_in_the_same_step(signatories, administrator):
    now = timezone.now()
    campaign = Campaign.objects.create(
        year=YEAR,
        title="t",
        pledge_text="p",
        opens_at=now + timedelta(days=3),
        closes_at=now + timedelta(days=40),
    )
    assert campaign_mail_due() == {}  # not open yet
    campaign_open_now(campaign=campaign, actor=administrator)
    assert invited().count() == 4
    assert campaign_mail_due() == {}
    assert Pledge.objects.filter(campaign=campaign).count() == 0


def test_campaigns_open_before_campaign_mail_are_not_invited_late(db, signatories):
    """The migration that brings campaign mail settles the invitations of campaigns already
    open; their reminders still fall due."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("pledges.migrations.0022_campaign_mail")
    open_already = factories.campaign(YEAR)
    migration.invitations_of_opened_campaigns_settled(apps, None)
    open_already.refresh_from_db()
    assert "invitation" in open_already.mail_owed
    assert f"{YEAR}:invitation" not in campaign_mail_due()
