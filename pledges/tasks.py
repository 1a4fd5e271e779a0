"""Celery tasks: each takes ids, calls one service and decides only how failures are retried.

Every service here is safe to run twice, so a task redelivered after a worker died (acks
late) or queued again by the sweep does no harm.
"""

from smtplib import SMTPException

from botocore.exceptions import ConnectionError as StorageConnectionError
from botocore.exceptions import HTTPClientError as StorageHTTPError
from celery import shared_task
from django.db import InterfaceError, OperationalError

from .history.runs import listing_runs_follow_this_year
from .services import notifications
from .services.campaign_mail import campaign_mail_due, paced_mail_queue
from .services.certificates import certificate_fail, certificate_issue, certificates_sweep
from .services.notice import notices_end
from .services.outbox import message_send
from .services.personal_data import lapsed_contacts_anonymise
from .services.recovery import owed_work_requeue

# Failures worth retrying: the database or the storage briefly unavailable (S3's client
# raises its own network errors, not OSError).
TRANSIENT_ERRORS = (
    OSError,
    OperationalError,
    InterfaceError,
    StorageConnectionError,
    StorageHTTPError,
)
# The mail server (a temporary refusal, or unreachable): retried with backoff; after the
# last retry the message stays owed and the recovery queues it again.
MAIL_RETRY = {
    "autoretry_for": (OSError, SMTPException),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 8,
}


@shared_task(acks_late=True, **MAIL_RETRY)
def send_message(message_id: int) -> None:
    """Render and send one owed message; marked sent once the mail server accepted it."""
    message_send(message_id=message_id, compose=notifications.compose)


@shared_task(bind=True, acks_late=True, max_retries=5)
def issue_certificate(self, certificate_id: int) -> None:
    """Number, render and store one certificate (its mails are owed as it is marked ready)."""
    try:
        certificate_issue(certificate_id=certificate_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            certificate_fail(certificate_id=certificate_id, error=repr(error))
            raise
        raise self.retry(exc=error, countdown=min(300, 5 * 2**self.request.retries)) from error
    except Exception as error:
        # A fault that retrying will not mend (a template error, say): record it for a person.
        certificate_fail(certificate_id=certificate_id, error=repr(error))
        raise


@shared_task
def sweep_certificates() -> int:
    """Beat: queue again what is owed but not ready (a lost message only delays it)."""
    return certificates_sweep()


@shared_task
def requeue_owed_work() -> dict:
    """Beat, every few seconds: owed certificates and messages whose task was lost."""
    return owed_work_requeue()


@shared_task
def end_notices() -> int:
    """Beat: listings whose public notice period is over become final."""
    return notices_end()


@shared_task
def owe_campaign_mail() -> dict:
    """Beat: invitations for campaigns that opened, reminders before they close."""
    return campaign_mail_due()


@shared_task
def queue_paced_mail() -> int:
    """Beat: queue the paced messages (invitations, reminders) whose moment has come."""
    return paced_mail_queue()


@shared_task
def anonymise_lapsed_contacts() -> int:
    """Beat, daily: contacts of enterprises that stopped signing long ago are removed."""
    return lapsed_contacts_anonymise()


@shared_task
def refresh_listing_runs() -> int:
    """Beat: the list's "years in a row" and "lapsed" follow this year as it moves."""
    return listing_runs_follow_this_year()
