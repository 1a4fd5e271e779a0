"""A campaign's invitations and reminders through a real worker and its beat, against a real
SMTP server: sent at the configured pace, and each exactly once, also when the worker is
killed mid-way."""

import os
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from pledges.models import Campaign, OutboxMessage
from pledges.services import pledges as services
from pledges.services.campaign_mail import campaign_invitations_owe, campaign_reminders_owe
from tests import factories
from tests.smtp import SMTPServer
from tests.worker import celery_worker, children, stop_group, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = timezone.now().year
CAMPAIGN_MAIL = (OutboxMessage.Kind.RENEWAL_INVITATION, OutboxMessage.Kind.RENEWAL_REMINDER)
FAST_RECOVERY = {"OWED_WORK_REQUEUE_SECONDS": "2", "OUTBOX_LEASE_SECONDS": "5"}


def last_years_signatories(reviewer, count: int) -> None:
    last_year = factories.campaign(YEAR - 1)
    for index in range(count):
        owner = factories.user(f"renewal-{index}@example.com")
        enterprise = factories.enterprise(owner, name=f"续签工作进程测试{index}有限公司")
        pledge = factories.submitted_pledge(enterprise, last_year, owner)
        services.pledge_approve(pledge=pledge, actor=reviewer)
    now = timezone.now()
    Campaign.objects.filter(pk=last_year.pk).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )


def invitations():
    """The campaign's mail: invitations, and reminders where the test owes them."""
    return OutboxMessage.objects.filter(kind__in=CAMPAIGN_MAIL)


def all_invitations_sent(expected: int):
    def check():
        return invitations().filter(state=OutboxMessage.State.SENT).count() == expected

    return check


def assert_each_member_invited_once(smtp, expected: int):
    ids = list(invitations().values_list("message_id", flat=True))
    received = Counter(i for i in smtp.message_ids() if i in ids)
    assert len(received) == expected == len(ids)
    assert max(received.values()) == 1, received
    members = set(Membership.objects.values_list("user__email", flat=True))
    for kind in set(invitations().values_list("kind", flat=True)):
        assert sorted(invitations().filter(kind=kind).values_list("email", flat=True)) == sorted(
            members
        )


def log(tmp_path, name):
    rows = list(invitations().values_list("email", "state", "attempts", "send_after"))
    return f"{rows}\n{(tmp_path / f'{name}.log').read_text()[-3000:]}"


def test_invitations_go_out_at_the_configured_pace(tmp_path, reviewer, settings):
    per_minute = settings.CAMPAIGN_MAIL_PER_MINUTE = 20  # here (spacing) and in the worker
    last_years_signatories(reviewer, 5)
    with SMTPServer() as smtp:
        env = {
            "EMAIL_URL": smtp.url,
            "CAMPAIGN_MAIL_PER_MINUTE": str(per_minute),
            "CAMPAIGN_MAIL_TICK_SECONDS": "1",
        }
        with celery_worker(tmp_path, env=env, beat=True, concurrency=2):
            campaign_invitations_owe(campaign=factories.campaign(YEAR))
            wait_for(all_invitations_sent(5), timeout=90, what=lambda: log(tmp_path, "worker"))
        assert_each_member_invited_once(smtp.recorder, 5)
    sent = sorted(invitations().values_list("sent_at", flat=True))
    interval = 60 / per_minute
    seconds = [(moment - sent[0]).total_seconds() for moment in sent]
    # One every three seconds: a message that starts late (a fresh worker's first task, the
    # broker without a server polling once a second) may go with the next one, but no
    # interval ever holds three, and the five take their twelve seconds.
    assert all(seconds[i + 2] - seconds[i] >= interval for i in range(len(sent) - 2)), seconds
    assert seconds[-1] >= 4 * interval - 1.5, seconds


def test_a_killed_worker_sends_no_invitation_or_reminder_twice_and_loses_none(
    tmp_path, reviewer, settings
):
    settings.CAMPAIGN_MAIL_PER_MINUTE = 600
    last_years_signatories(reviewer, 4)
    with SMTPServer() as smtp:
        env = {
            "EMAIL_URL": smtp.url,
            "CAMPAIGN_MAIL_PER_MINUTE": "600",
            "CAMPAIGN_MAIL_TICK_SECONDS": "1",
            **FAST_RECOVERY,
        }
        slow = {**env, "DJANGO_SETTINGS_MODULE": "tests.settings_slow_mail"}
        with celery_worker(tmp_path, env=slow, beat=True, name="slow") as worker:
            campaign = factories.campaign(YEAR)
            campaign_invitations_owe(campaign=campaign)
            campaign_reminders_owe(campaign=campaign, days=7)
            # One invitation is taken and held just before it goes to the mail server.
            wait_for(
                lambda: invitations().filter(leased_until__isnull=False).exists(),
                timeout=60,
                what=lambda: log(tmp_path, "slow"),
            )
            for pid in [worker.pid, *children(worker.pid)]:
                os.kill(pid, signal.SIGKILL)
            stop_group(worker)
        sent_before = len(smtp.recorder.message_ids())
        assert sent_before < 8
        with celery_worker(tmp_path, env=env, beat=True, name="after"):
            wait_for(all_invitations_sent(8), timeout=120, what=lambda: log(tmp_path, "after"))
        assert_each_member_invited_once(smtp.recorder, 8)
