"""The invitation mail goes through the real broker to a real Celery worker process."""

import pytest

from pledges.services.members import invitation_create
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_invitation_mail_is_sent_by_a_real_worker(tmp_path, owner, enterprise):
    with celery_worker(tmp_path):
        invitation_create(enterprise=enterprise, actor=owner, email="colleague@example.com")
        mailbox = tmp_path / "mail"
        wait_for(
            lambda: mailbox.exists() and any(mailbox.iterdir()),
            timeout=60,
            what=lambda: "the invitation mail:\n" + (tmp_path / "worker.log").read_text(),
        )
    message = next(mailbox.iterdir()).read_text()
    assert "To: colleague@example.com" in message
    assert "/accounts/signup/" in message
