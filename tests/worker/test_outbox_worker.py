"""Nothing owed is lost, with real processes: a Celery worker (and its beat) against the real
broker, a real SMTP server. A worker killed between rendering and sending, the broker emptied
while a batch is in flight, a mail server refusing for a while: each ends with every owed
message sent, and none twice."""

import os
import signal
from collections import Counter

import pytest

from config.celery import app as celery_app
from pledges.models import Certificate, OutboxMessage
from pledges.services import pledges as services
from tests import factories
from tests.smtp import SMTPServer
from tests.worker import celery_worker, children, stop_group, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
SENT = OutboxMessage.State.SENT
# Work queued this long ago and not done is queued again (beat every half of it); a worker
# that dies holding a message releases it after the lease.
FAST_RECOVERY = {"OWED_WORK_REQUEUE_SECONDS": "2", "OUTBOX_LEASE_SECONDS": "4"}


def approve(campaign, reviewer, count: int) -> list:
    pledges = []
    for index in range(count):
        owner = factories.user(f"outbox-{index}@example.com")
        enterprise = factories.enterprise(owner, name=f"发件箱测试{index}有限公司")
        pledge = factories.submitted_pledge(enterprise, campaign, owner)
        services.pledge_approve(pledge=pledge, actor=reviewer)
        pledges.append(pledge)
    return pledges


def all_sent(expected: int):
    def check():
        rows = OutboxMessage.objects.all()
        return rows.count() == expected and not rows.exclude(state=SENT).exists()

    return check


def assert_each_sent_once(smtp, expected: int):
    counts = Counter(smtp.message_ids())
    assert set(counts) == set(OutboxMessage.objects.values_list("message_id", flat=True))
    assert len(counts) == expected
    assert max(counts.values()) == 1, counts


def state(tmp_path, name="worker") -> str:
    rows = list(OutboxMessage.objects.values_list("kind", "email", "state", "attempts", "error"))
    log = (tmp_path / f"{name}.log").read_text()[-3000:]
    return f"every message sent: {rows}\n{log}"


def test_a_mail_server_refusing_for_a_while_then_accepting(tmp_path, campaign, reviewer):
    with SMTPServer() as smtp:
        smtp.recorder.refuse_next = 5
        env = {"EMAIL_URL": smtp.url, **FAST_RECOVERY}
        with celery_worker(tmp_path, env=env, beat=True, concurrency=2):
            approve(campaign, reviewer, 3)  # 3 decisions and 3 certificates
            wait_for(all_sent(6), timeout=120, what=lambda: state(tmp_path))
        assert_each_sent_once(smtp.recorder, 6)
        assert OutboxMessage.objects.filter(attempts__gt=1).exists()  # some were refused first


def test_a_worker_killed_between_rendering_and_sending(tmp_path, campaign, reviewer):
    with SMTPServer() as smtp:
        env = {"EMAIL_URL": smtp.url, **FAST_RECOVERY}
        slow = {**env, "DJANGO_SETTINGS_MODULE": "tests.settings_slow_mail"}
        with celery_worker(tmp_path, env=slow, name="slow") as worker:
            [pledge] = approve(campaign, reviewer, 1)
            # The decision mail is taken, rendered and held (the backend waits before sending).
            wait_for(
                lambda: OutboxMessage.objects.filter(leased_until__isnull=False).exists(),
                timeout=60,
                what=lambda: state(tmp_path, "slow"),
            )
            for pid in [worker.pid, *children(worker.pid)]:
                os.kill(pid, signal.SIGKILL)
            stop_group(worker)
        assert smtp.recorder.message_ids() == []  # killed before the mail server saw it
        with celery_worker(tmp_path, env=env, beat=True, name="after"):
            wait_for(all_sent(2), timeout=90, what=lambda: state(tmp_path, "after"))
        assert_each_sent_once(smtp.recorder, 2)
        assert Certificate.objects.get(pledge=pledge).state == Certificate.State.READY


def test_the_broker_emptied_while_a_batch_is_in_flight(tmp_path, campaign, reviewer):
    with SMTPServer() as smtp:
        env = {
            "EMAIL_URL": smtp.url,
            "DJANGO_SETTINGS_MODULE": "tests.settings_slow_mail",
            **FAST_RECOVERY,
            "OUTBOX_LEASE_SECONDS": "30",
        }
        with celery_worker(tmp_path, env=env, beat=True, concurrency=1) as worker:
            approve(campaign, reviewer, 4)
            wait_for(
                lambda: len(smtp.recorder.message_ids()) >= 1,
                timeout=60,
                what=lambda: state(tmp_path),
            )
            # Every message waiting in the broker is lost, as when it restarts empty.
            with celery_app.connection_for_write() as connection:
                lost = connection.default_channel.queue_purge(worker.queue)
            assert lost, "nothing was in flight"
            wait_for(all_sent(8), timeout=180, what=lambda: state(tmp_path))
        assert_each_sent_once(smtp.recorder, 8)
        assert set(Certificate.objects.values_list("state", flat=True)) == {"ready"}
