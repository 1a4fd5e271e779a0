"""Two Celery worker processes share a batch of approvals; no certificate is made twice.

Every certificate is queued twice, the second message right behind the approval's own (a
duplicate delivery, or a sweep), so the two workers render the same certificate at the same
moment. Only the numbering lock and the conditional "mark ready" stand between that and two
numbers, two files or two e-mails.
"""

import hashlib
import re
from email import message_from_bytes, policy

import pytest
from celery.signals import after_task_publish
from django.conf import settings
from django.db import transaction

from config.celery import app as celery_app
from pledges.models import Campaign, Certificate
from pledges.services import pledges as services
from pledges.tasks import issue_certificate, send_message
from tests import factories
from tests.worker import celery_worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="the filesystem broker is polled once a second, so its workers never take the "
        "same certificate at once; CI runs this on Redis",
    ),
]

BATCH = 24
WORKERS = ("first", "second")
TASK_LINE = re.compile(r"Task ([\w.]+)\[([0-9a-f-]+)\] (received|succeeded)")
MAIL_SEPARATOR = b"-" * 79 + b"\n"  # what Django's file backend writes after each message


@pytest.fixture
def certificate_messages():
    """Task id → certificate id of each issue_certificate message this process sends."""
    sent = {}

    def record(sender=None, headers=None, body=None, **kwargs):
        if sender == issue_certificate.name:
            args, _kwargs, _embed = body
            sent[headers["id"]] = args[0]

    after_task_publish.connect(record, weak=False)
    yield sent
    after_task_publish.disconnect(record)


@pytest.fixture
def batch(campaign):
    """Submitted pledges of ``BATCH`` enterprises, each with its own owner."""
    pledges = []
    for index in range(BATCH):
        owner = factories.user(f"owner{index:02d}@example.com")
        enterprise = factories.enterprise(owner, name=f"批量测试企业{index:02d}有限公司")
        pledges.append(factories.submitted_pledge(enterprise, campaign, owner))
    return pledges


def approve_each_queued_twice(pledges) -> list[int]:
    reviewer = factories.staff("reviewer@example.com")
    certificate_ids = []
    for pledge in pledges:
        with transaction.atomic():
            services.pledge_approve(pledge=pledge, actor=reviewer)
            certificate_id = Certificate.objects.get(pledge=pledge).pk
            # Sent at the same commit, just after the approval's own message.
            transaction.on_commit(lambda pk=certificate_id: issue_certificate.delay(pk))
        certificate_ids.append(certificate_id)
    return certificate_ids


def task_lines(tmp_path) -> dict[str, list[tuple[str, str, str]]]:
    """Each worker's (task name, task id, "received" or "succeeded") log lines."""
    return {name: TASK_LINE.findall((tmp_path / f"{name}.log").read_text()) for name in WORKERS}


def succeeded(tmp_path, task) -> dict[str, set[str]]:
    """Per worker, the ids of its runs of ``task`` that succeeded."""
    return {
        worker: {
            task_id for name, task_id, what in lines if name == task.name and what == "succeeded"
        }
        for worker, lines in task_lines(tmp_path).items()
    }


def certificate_mails(tmp_path, campaign) -> list[tuple[str, str]]:
    """(recipient, certificate number) of each mail announcing a certificate, sorted."""
    number = re.compile(re.escape(f"{campaign.number_prefix}-{campaign.year}-") + r"\d{6}")
    told = []
    mailbox = tmp_path / "mail"
    for path in sorted(mailbox.iterdir()) if mailbox.exists() else []:
        for chunk in path.read_bytes().split(MAIL_SEPARATOR):
            if chunk.strip():
                message = message_from_bytes(chunk, policy=policy.default)
                # Decisions are mailed too; their subjects carry no certificate number.
                if found := number.search(message["Subject"]):
                    told.append((str(message["To"]), found.group()))
    return sorted(told)


def messages_waiting(queue: str) -> int:
    # Not passive: Redis forgets an emptied queue, and a passive declaration would fail.
    with celery_app.connection_for_write() as connection:
        return connection.default_channel.queue_declare(queue).message_count


def drained(tmp_path, queue, campaign, certificate_ids, published) -> bool:
    """Every certificate ready and mailed, every run finished, and no mail left in flight."""
    certificates = Certificate.objects.filter(pk__in=certificate_ids)
    if certificates.exclude(state=Certificate.State.READY).exists():
        return False
    if sum(map(len, succeeded(tmp_path, issue_certificate).values())) < len(published):
        return False
    if len(certificate_mails(tmp_path, campaign)) < len(certificate_ids):
        return False
    # Any mail left to a task of its own has left the broker and been sent, so a second
    # mail would already be in the mailbox.
    lines = [line for lines in task_lines(tmp_path).values() for line in lines]
    mail = [what for name, _id, what in lines if name == send_message.name]
    return mail.count("received") == mail.count("succeeded") and messages_waiting(queue) == 0


def progress(tmp_path, campaign, certificate_ids, published) -> str:
    """What the batch still lacks, for the failure message."""
    not_ready = Certificate.objects.filter(pk__in=certificate_ids).exclude(
        state=Certificate.State.READY
    )
    runs = sum(map(len, succeeded(tmp_path, issue_certificate).values()))
    mails = len(certificate_mails(tmp_path, campaign))
    lines = [
        "the batch to finish. Not ready:",
        *(f"  #{c.pk} {c.state} attempts={c.attempts} {c.number!r} {c.error}" for c in not_ready),
        f"issue_certificate runs finished: {runs} of {len(published)}",
        f"certificate mails: {mails} of {len(certificate_ids)}",
    ]
    for name in WORKERS:
        lines += [f"--- {name}.log (end)", (tmp_path / f"{name}.log").read_text()[-3000:]]
    return "\n".join(lines)


def test_two_workers_share_a_batch_and_make_each_certificate_once(
    tmp_path, campaign, batch, certificate_messages
):
    with (
        celery_worker(tmp_path, name=WORKERS[0]) as first,
        celery_worker(tmp_path, queue=first.queue, name=WORKERS[1]),
    ):
        certificate_ids = approve_each_queued_twice(batch)
        assert len(certificate_messages) == 2 * BATCH
        wait_for(
            lambda: drained(tmp_path, first.queue, campaign, certificate_ids, certificate_messages),
            timeout=120,
            what=lambda: progress(tmp_path, campaign, certificate_ids, certificate_messages),
        )

    certificates = list(Certificate.objects.filter(pk__in=certificate_ids).order_by("sequence"))
    assert [c.state for c in certificates] == [Certificate.State.READY] * BATCH

    # One number each, 1 to BATCH with no gap, and the counter where the last one left it.
    prefix = f"{campaign.number_prefix}-{campaign.year}-"
    assert [c.sequence for c in certificates] == list(range(1, BATCH + 1))
    assert [c.number for c in certificates] == [f"{prefix}{n:06d}" for n in range(1, BATCH + 1)]
    assert Campaign.objects.get(pk=campaign.pk).certificate_counter == BATCH

    # A run counts an attempt only if it finds the certificate not yet ready: two on one
    # certificate mean both workers rendered it at once, the race this test is about.
    assert any(c.attempts >= 2 for c in certificates), "no certificate was rendered twice at once"

    # One stored file per certificate and nothing else: each losing render was discarded.
    private = tmp_path / "private"
    stored = sorted(
        path.relative_to(private).as_posix() for path in private.rglob("*") if path.is_file()
    )
    assert stored == sorted(c.file.name for c in certificates)
    for certificate in certificates:
        data = (private / certificate.file.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == certificate.sha256

    # Each member told once, of their own certificate's number.
    expected = sorted(
        (membership.user.email, c.number)
        for c in certificates
        for membership in c.pledge.enterprise.memberships.select_related("user")
    )
    assert len(expected) == BATCH
    assert certificate_mails(tmp_path, campaign) == expected

    # Both workers took part: each ran some of the batch's messages, together all of them.
    runs = succeeded(tmp_path, issue_certificate)
    assert sum(map(len, runs.values())) == len(certificate_messages)
    handled = {
        worker: {certificate_messages[task_id] for task_id in ids} for worker, ids in runs.items()
    }
    assert all(handled.values()), f"one worker took the whole batch: {handled}"
    assert set().union(*handled.values()) == set(certificate_ids)
    logs = "".join((tmp_path / f"{name}.log").read_text() for name in WORKERS)
    assert "raised unexpected" not in logs
