"""The outbox: every message the product owes is a row, written in the transaction of the
change that owes it, and sent by a worker that marks it sent only after the mail server
accepted it.

Delivery is at least once. A message goes out twice only when a worker dies (or loses its
database) after the mail server accepted the message and before the row says so; the lease
then expires and another worker sends it again, with the same Message-ID, so mail clients and
the association can tell it is a repeat.
"""

import logging
import smtplib
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import events
from ..jobs import queue_after_commit
from ..models import OutboxMessage

logger = logging.getLogger(__name__)
State = OutboxMessage.State
SEND_TASK = "pledges.tasks.send_message"


def message_id_for(kind: str) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{kind}.{uuid.uuid4().hex}@{host}>"


def messages_owe(
    *, kind: str, about: str, recipients, enterprise=None, enterprise_id=None
) -> list[int]:
    """Record (in the caller's transaction) that each of ``recipients`` is owed this message,
    and queue the sending once it commits. ``recipients`` are users, or (email, language)
    pairs for someone without an account. Owing the same message again is a no-op."""
    rows = []
    for recipient in recipients:
        if isinstance(recipient, tuple):
            email, language, user = recipient[0], recipient[1], None
        else:
            email, language, user = recipient.email, recipient.language, recipient
        rows.append(
            OutboxMessage(
                kind=kind,
                about=about,
                email=email,
                language=language or settings.LANGUAGE_CODE,
                recipient=user,
                enterprise_id=enterprise.pk if enterprise is not None else enterprise_id,
                message_id=message_id_for(kind),
            )
        )
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    owed = list(
        OutboxMessage.objects.filter(
            kind=kind, about=about, email__in=[row.email for row in rows], state=State.OWED
        ).values_list("pk", flat=True)
    )
    for pk in owed:
        queue_after_commit(SEND_TASK, pk)
    return owed


def message_send(*, message_id: int, compose) -> str:
    """Send one owed message; ``compose(message)`` gives (subject, body). Returns its state.

    A lease keeps two workers from sending it at the same moment; a permanent refusal (5xx)
    is recorded and not retried; a temporary one raises for the task to retry.
    """
    now = timezone.now()
    leased = (
        OutboxMessage.objects.filter(pk=message_id, state=State.OWED)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        # A paced message waits for its moment (a stray task early does nothing).
        .filter(Q(send_after__isnull=True) | Q(send_after__lte=now))
        .update(
            leased_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not leased:
        message = OutboxMessage.objects.filter(pk=message_id).only("state").first()
        return message.state if message else ""
    message = OutboxMessage.objects.select_related("recipient").get(pk=message_id)
    composed = compose(message)
    if composed is None:
        OutboxMessage.objects.filter(pk=message.pk, state=State.OWED).update(
            state=State.VOID, leased_until=None
        )
        return State.VOID
    subject, body, *extra = composed
    headers = {**(extra[0] if extra else {}), "Message-ID": message.message_id}
    mail = EmailMessage(subject, body, to=[message.email], headers=headers)
    try:
        get_connection().send_messages([mail])
    except smtplib.SMTPRecipientsRefused as error:
        code, answer = next(iter(error.recipients.values()))
        if 500 <= code < 600:
            return _refused(message, code, answer)
        _release(message, f"{code} {_text(answer)}")
        raise
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            return _refused(message, error.smtp_code, error.smtp_error)
        _release(message, f"{error.smtp_code} {_text(error.smtp_error)}")
        raise
    except (smtplib.SMTPException, OSError) as error:
        _release(message, repr(error))
        raise
    OutboxMessage.objects.filter(pk=message.pk, state=State.OWED).update(
        state=State.SENT, sent_at=timezone.now(), leased_until=None, error=""
    )
    return State.SENT


def _text(answer) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _refused(message: OutboxMessage, code: int, answer) -> str:
    """The mail server refused for good (an unknown mailbox, say): recorded, not retried."""
    error = f"{code} {_text(answer)}"
    OutboxMessage.objects.filter(pk=message.pk, state=State.OWED).update(
        state=State.FAILED, leased_until=None, error=error[:2000]
    )
    logger.warning(
        "message refused by the mail server",
        extra={"message_id": message.pk, "kind": message.kind, "error": error[:2000]},
    )
    return State.FAILED


def _release(message: OutboxMessage, error: str) -> None:
    # Another attempt may start at once: the retry, or the sweep.
    OutboxMessage.objects.filter(pk=message.pk, state=State.OWED).update(
        leased_until=None, error=error[:2000]
    )


def messages_requeue(*, older_than: timedelta, limit: int) -> int:
    """Queue again owed messages last queued longer ago than ``older_than`` and not being
    sent: a message the broker lost costs a delay, never the mail."""
    now = timezone.now()
    due = list(
        OutboxMessage.objects.filter(state=State.OWED, queued_at__lt=now - older_than)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        # Paced messages not queued yet are queue_paced_mail's (their moment may be far off).
        .filter(send_after__isnull=True)
        .order_by("queued_at")
        .values_list("pk", flat=True)[:limit]
    )
    if due:
        with transaction.atomic():
            OutboxMessage.objects.filter(pk__in=due).update(queued_at=now)
            for pk in due:
                queue_after_commit(SEND_TASK, pk)
    return len(due)


def messages_retry(*, actor, message_ids=None) -> int:
    """An administrator sends refused messages again (all of them, or ``message_ids``)."""
    refused = OutboxMessage.objects.filter(state=State.FAILED)
    if message_ids is not None:
        refused = refused.filter(pk__in=message_ids)
    with transaction.atomic():
        ids = list(refused.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        OutboxMessage.objects.filter(pk__in=ids).update(
            state=State.OWED, queued_at=timezone.now(), leased_until=None
        )
        events.messages_retried_event(actor=actor, message_ids=ids)
        for pk in ids:
            queue_after_commit(SEND_TASK, pk)
    return len(ids)
