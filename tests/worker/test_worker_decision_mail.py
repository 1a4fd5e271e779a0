"""A decision's e-mail travels through the real broker to a real worker process."""

import pytest

from pledges.services import pledges as services
from tests import factories
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_decision_mail_is_sent_by_a_real_worker(tmp_path, owner, enterprise, campaign):
    reviewer = factories.staff("reviewer@example.com")
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    mailbox = tmp_path / "mail"
    with celery_worker(tmp_path):
        services.pledge_reject(pledge=pledge, actor=reviewer, reason="资料不实")
        wait_for(
            lambda: mailbox.exists() and any(mailbox.iterdir()),
            timeout=60,
            what=lambda: "the decision mail:\n" + (tmp_path / "worker.log").read_text(),
        )
    message = next(mailbox.iterdir()).read_text()
    assert f"To: {owner.email}" in message
    assert f"/portal/pledges/{pledge.pk}/" in message
