"""The outbox: owed in the transaction that owes it, sent once accepted, refusals recorded,
lost work queued again, and everything through a real SMTP server."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from pledges.models import AuditEvent, OutboxMessage, Pledge
from pledges.services import pledges as services
from pledges.services.members import invitation_create, invitation_revoke
from pledges.services.notifications import compose
from pledges.services.outbox import message_send, messages_requeue, messages_retry
from pledges.services.staff import staff_role_grant
from pledges.tasks import send_message
from tests import factories
from tests.smtp import SMTPServer

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server.recorder


def test_a_decision_owes_its_mail_in_its_own_transaction(submitted_pledge, reviewer):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.pledge_request_changes(pledge=submitted_pledge, actor=reviewer, reason="补")
        assert OutboxMessage.objects.filter(kind="decision").count() == 1
        raise RuntimeError("the decision rolls back")
    assert not OutboxMessage.objects.exists()  # nothing owed for a decision that never was


def test_sent_once_accepted_with_its_message_id(
    smtp, submitted_pledge, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_request_changes(pledge=submitted_pledge, actor=reviewer, reason="补章")
    message = OutboxMessage.objects.get(kind="decision")
    assert message.state == State.SENT and message.sent_at and message.attempts == 1
    assert smtp.message_ids() == [message.message_id]
    assert message.message_id.startswith("<decision.") and message.message_id.endswith(">")
    # Running the task again sends nothing more.
    send_message(message.pk)
    assert smtp.message_ids() == [message.message_id]


def test_a_temporary_refusal_keeps_it_owed_until_a_retry_succeeds(
    smtp, submitted_pledge, reviewer, django_capture_on_commit_callbacks
):
    smtp.refuse_next = 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.pledge_request_changes(pledge=submitted_pledge, actor=reviewer, reason="补章")
    message = OutboxMessage.objects.get(kind="decision")
    with pytest.raises(smtplib.SMTPException):
        message_send(message_id=message.pk, compose=compose)
    message.refresh_from_db()
    assert message.state == State.OWED and "451" in message.error and message.leased_until is None
    assert smtp.message_ids() == []
    assert message_send(message_id=message.pk, compose=compose) == State.SENT
    assert smtp.message_ids() == [message.message_id]
    assert callbacks  # the send was queued after the commit


def test_a_permanent_refusal_is_recorded_shown_and_can_be_retried(
    smtp,
    submitted_pledge,
    owner,
    reviewer,
    administrator,
    administrator_client,
    django_capture_on_commit_callbacks,
):
    smtp.unknown.add(owner.email)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_request_changes(pledge=submitted_pledge, actor=reviewer, reason="补章")
    message = OutboxMessage.objects.get(kind="decision")
    assert message.state == State.FAILED and message.error.startswith("550")
    assert message.attempts == 1  # not retried forever

    page = administrator_client.get("/review/messages/").content.decode()
    assert owner.email in page and "No such user here" in page
    member = factories.user("colleague@example.com")
    Membership.objects.create(user=member, enterprise=submitted_pledge.enterprise)
    administrator_client.force_login(member)
    portal = administrator_client.get("/portal/").content.decode()
    assert "No such user here" in portal and owner.email in portal

    smtp.unknown.clear()
    admin = administrator
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_retry(actor=admin) == 1
    message.refresh_from_db()
    assert message.state == State.SENT and smtp.message_ids() == [message.message_id]
    assert AuditEvent.objects.filter(action="messages_retried", actor=admin).exists()


def test_a_leased_message_is_not_sent_by_a_second_worker(smtp, submitted_pledge, reviewer):
    services.pledge_request_changes(pledge=submitted_pledge, actor=reviewer, reason="补章")
    message = OutboxMessage.objects.get(kind="decision")
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() + timedelta(seconds=60)
    )
    assert message_send(message_id=message.pk, compose=compose) == State.OWED
    assert smtp.message_ids() == []
    # Once the lease has run out (its worker died), another worker sends it.
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )
    assert message_send(message_id=message.pk, compose=compose) == State.SENT


def test_lost_messages_are_queued_again(smtp, submitted_pledge, reviewer):
    services.pledge_request_changes(pledge=submitted_pledge, actor=reviewer, reason="补章")
    # Its task was lost with the broker (no commit hook runs here): it stays owed.
    message = OutboxMessage.objects.get(kind="decision")
    assert messages_requeue(older_than=timedelta(seconds=20), limit=10) == 0  # too recent
    OutboxMessage.objects.filter(pk=message.pk).update(
        queued_at=timezone.now() - timedelta(seconds=30)
    )
    assert messages_requeue(older_than=timedelta(seconds=20), limit=10) == 1
    message.refresh_from_db()
    assert message.queued_at > timezone.now() - timedelta(seconds=5)


def test_every_kind_is_owed_and_composed_in_the_recipients_language(
    owner, enterprise, campaign, reviewer, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save()
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(enterprise=enterprise, actor=owner, email="new@example.com")
    kinds = {m.kind: m for m in OutboxMessage.objects.all()}
    assert set(kinds) == {"decision", "certificate", "invitation"}
    assert all(m.state == State.SENT for m in kinds.values())
    by_id = {m.extra_headers["Message-ID"]: m for m in mail.outbox}
    certificate_mail = by_id[kinds["certificate"].message_id]
    number = Pledge.objects.get(pk=pledge.pk).certificate.number
    assert number in certificate_mail.subject and "ready" in certificate_mail.subject


def test_a_withdrawn_invitation_is_no_longer_sent(owner, enterprise):
    invitation = invitation_create(enterprise=enterprise, actor=owner, email="late@example.com")
    invitation_revoke(invitation=invitation, actor=owner)
    message = OutboxMessage.objects.get(kind="invitation")
    assert message_send(message_id=message.pk, compose=compose) == State.VOID
    assert mail.outbox == []


def test_a_new_staff_account_is_owed_its_password_mail(
    administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_role_grant(
            actor=administrator, email="new-reviewer@association.example", role="reviewer"
        )
    message = OutboxMessage.objects.get(kind="password")
    assert message.state == State.SENT
    [sent] = mail.outbox
    assert "/accounts/password/reset/key/" in sent.body
