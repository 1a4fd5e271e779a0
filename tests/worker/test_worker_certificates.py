"""Certificates through the real path: approval → broker → a Celery worker process → file.

Killing a worker in the middle of rendering must not lose the certificate or make two.
"""

import hashlib
import os
import signal

import pytest
from django.conf import settings

from pledges.models import Campaign, Certificate
from pledges.services import pledges as services
from pledges.tasks import issue_certificate
from tests import factories
from tests.pdf import pdf_text
from tests.worker import celery_worker, children, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
# Workers whose renders last seconds: killing one "while it renders" must not depend on luck.
SLOW_RENDERING = {"DJANGO_SETTINGS_MODULE": "tests.settings_slow_render"}
needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="redelivery after SIGKILL is the Redis transport's; CI runs these on Redis",
)


@pytest.fixture
def approval(owner, enterprise, campaign):
    """Approve a pledge; the certificate is owed from then on."""
    reviewer = factories.staff("reviewer@example.com")

    def approve():
        pledge = factories.submitted_pledge(enterprise, campaign, owner)
        services.pledge_approve(pledge=pledge, actor=reviewer)
        return Certificate.objects.get(pledge=pledge)

    return approve


def ready(certificate_id):
    return Certificate.objects.get(pk=certificate_id).state == Certificate.State.READY


def stored_files(tmp_path):
    folder = tmp_path / "private" / "certificates"
    return sorted(folder.iterdir()) if folder.exists() else []


def rendering_started(certificate_id):
    certificate = Certificate.objects.get(pk=certificate_id)
    return certificate.attempts >= 1 and certificate.state == Certificate.State.PENDING


def assert_one_certificate(tmp_path, certificate_id, campaign):
    certificate = Certificate.objects.get(pk=certificate_id)
    assert certificate.state == Certificate.State.READY
    assert certificate.number == f"CQ-{campaign.year}-000001"
    assert Campaign.objects.get(pk=campaign.pk).certificate_counter == 1
    files = stored_files(tmp_path)
    assert [path.name for path in files] == [certificate.file.name.split("/")[-1]]
    data = files[0].read_bytes()
    assert hashlib.sha256(data).hexdigest() == certificate.sha256
    assert certificate.number in pdf_text(data)
    return certificate


def test_approval_to_ready_certificate_through_a_real_worker(tmp_path, approval, campaign):
    with celery_worker(tmp_path):
        certificate = approval()
        wait_for(
            lambda: ready(certificate.pk),
            timeout=90,
            what=lambda: (tmp_path / "worker.log").read_text(),
        )
    assert_one_certificate(tmp_path, certificate.pk, campaign)


@needs_redis
def test_a_killed_child_process_loses_nothing(tmp_path, approval, campaign):
    with celery_worker(tmp_path, env=SLOW_RENDERING) as worker:
        certificate = approval()
        wait_for(lambda: rendering_started(certificate.pk), timeout=60, what="rendering")
        for child in children(worker.pid):
            os.kill(child, signal.SIGKILL)
        # The pool replaces the child; the message, never acknowledged, is delivered again.
        wait_for(
            lambda: ready(certificate.pk),
            timeout=90,
            what=lambda: (tmp_path / "worker.log").read_text(),
        )
    certificate = assert_one_certificate(tmp_path, certificate.pk, campaign)
    assert certificate.attempts >= 2


@needs_redis
def test_a_killed_main_process_loses_nothing(tmp_path, approval, campaign):
    # A short visibility timeout so the redelivery is quick to observe.
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "5", **SLOW_RENDERING}
    with celery_worker(tmp_path, env=fast_redelivery, name="first") as first:
        certificate = approval()
        wait_for(lambda: rendering_started(certificate.pk), timeout=60, what="rendering")
        os.kill(first.pid, signal.SIGKILL)
        queue = first.queue
    with celery_worker(tmp_path, queue=queue, env=fast_redelivery, name="second"):
        wait_for(
            lambda: ready(certificate.pk),
            timeout=90,
            what=lambda: (tmp_path / "second.log").read_text(),
        )
    assert_one_certificate(tmp_path, certificate.pk, campaign)


def test_the_same_pledge_queued_twice_makes_one_certificate(tmp_path, approval, campaign):
    with celery_worker(tmp_path, concurrency=2):
        certificate = approval()
        issue_certificate.delay(certificate.pk)
        issue_certificate.delay(certificate.pk)
        wait_for(
            lambda: ready(certificate.pk),
            timeout=90,
            what=lambda: (tmp_path / "worker.log").read_text(),
        )
        # Let the other deliveries finish too before counting.
        wait_for(
            lambda: (tmp_path / "worker.log").read_text().count("succeeded") >= 3,
            timeout=60,
            what=lambda: (tmp_path / "worker.log").read_text(),
        )
    assert_one_certificate(tmp_path, certificate.pk, campaign)
