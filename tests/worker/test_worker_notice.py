"""A real worker ends public notice periods once, however often the beat task runs."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from pledges.models import AuditEvent, Listing
from pledges.services import pledges as services
from pledges.services.publication import record_drift
from pledges.tasks import end_notices
from tests import factories
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SUCCEEDED = re.compile(r"Task pledges\.tasks\.end_notices\[[\w-]+\] succeeded in [\d.]+s: (\d+)")


def test_notice_periods_end_once_when_the_task_runs_twice(tmp_path, settings, monkeypatch):
    # Approved in September 2025 with five working days' notice: long over by now.
    settings.NOTICE_WORKING_DAYS = 5
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 9, 26, 2, 0, tzinfo=UTC))
    campaign = factories.campaign(2025)
    reviewer = factories.staff("reviewer@example.com")
    pledges = []
    for index in range(3):
        owner = factories.user(f"owner{index}@example.com")
        enterprise = factories.enterprise(owner, name=f"公示期满企业{index}有限公司")
        pledge = factories.submitted_pledge(enterprise, campaign, owner)
        pledges.append(services.pledge_approve(pledge=pledge, actor=reviewer))
    monkeypatch.undo()
    assert Listing.objects.filter(final_at=None).count() == 3
    log = tmp_path / "worker.log"
    with celery_worker(tmp_path, concurrency=2):
        end_notices.delay()
        end_notices.delay()  # a duplicate delivery, or the next beat before the first ended
        wait_for(
            lambda: len(SUCCEEDED.findall(log.read_text())) == 2,
            timeout=60,
            what=lambda: "both runs of end_notices:\n" + log.read_text(),
        )
    assert sorted(int(n) for n in SUCCEEDED.findall(log.read_text())) == [0, 3]
    assert not Listing.objects.filter(final_at=None).exists()
    ended = AuditEvent.objects.filter(action=AuditEvent.Action.NOTICE_ENDED)
    assert sorted(ended.values_list("pledge_id", flat=True)) == sorted(p.pk for p in pledges)
    assert record_drift() == []
