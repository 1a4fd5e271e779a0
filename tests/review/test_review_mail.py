"""Decision e-mails: after the commit, to every member, in each member's language, once."""

import pytest
from django.core import mail

from pledges.models import AuditEvent, OutboxMessage
from pledges.services import pledges as services
from pledges.services.members import invitation_accept, invitation_create
from pledges.tasks import send_message
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(owner, enterprise):
    """The owner reads Chinese; a colleague reads English."""
    invitation = invitation_create(enterprise=enterprise, actor=owner, email="en@example.com")
    colleague = factories.user("en@example.com", language="en")
    invitation_accept(invitation=invitation, actor=colleague)
    mail.outbox.clear()
    return owner, colleague


def test_each_member_is_told_in_their_language_after_commit(
    team, enterprise, campaign, reviewer, django_capture_on_commit_callbacks
):
    owner, colleague = team
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.pledge_request_changes(pledge=pledge, actor=reviewer, reason="请补充盖章页")
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {owner.email, colleague.email}
    chinese, english = by_address[owner.email], by_address[colleague.email]
    assert "请补充盖章页" in chinese.body and "请补充盖章页" in english.body
    assert f"/portal/pledges/{pledge.pk}/" in chinese.body
    assert "Changes requested" in english.subject
    assert "Changes requested" not in chinese.subject
    assert "需修改" in chinese.subject


def test_running_the_task_twice_sends_each_mail_once(
    team, enterprise, campaign, reviewer, django_capture_on_commit_callbacks
):
    owner, _ = team
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    event = AuditEvent.objects.get(action="pledge_approved")
    sent = len(mail.outbox)
    decision_mails = [m for m in mail.outbox if "CQ-" not in m.subject]  # not the certificate's
    assert len(decision_mails) == 2
    rows = OutboxMessage.objects.filter(about=f"event:{event.pk}")
    assert {row.state for row in rows} == {"sent"} and rows.count() == 2
    for row in rows:
        send_message(row.pk)
    assert len(mail.outbox) == sent
    # Each carries the Message-ID of its row.
    ids = {m.extra_headers["Message-ID"] for m in decision_mails}
    assert ids == {row.message_id for row in rows}


@pytest.mark.parametrize("action", ["pledge_submit", "pledge_withdraw"])
def test_the_enterprises_own_steps_send_no_decision_mail(
    action, owner, enterprise, campaign, django_capture_on_commit_callbacks
):
    pledge = factories.complete_draft(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, action)(pledge=pledge, actor=owner)
    assert mail.outbox == []


def test_review_console_requires_totp_when_configured(reviewer_client, settings):
    settings.REVIEW_REQUIRE_MFA = True
    response = reviewer_client.get("/review/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    settings.REVIEW_REQUIRE_MFA = False
    assert reviewer_client.get("/review/").status_code == 200
