"""Celery tasks: each takes ids, calls one service and decides only how failures are retried.

Every service here is safe to run twice, so a task redelivered after a worker died (acks
late) or queued again by the sweep does no harm.
"""

from botocore.exceptions import ConnectionError as StorageConnectionError
from botocore.exceptions import HTTPClientError as StorageHTTPError
from celery import shared_task
from django.db import InterfaceError, OperationalError

from .models import Certificate
from .services import notifications
from .services.certificates import certificate_fail, certificate_issue, certificates_sweep

# Failures worth retrying: the database or the storage briefly unavailable (S3's client
# raises its own network errors, not OSError).
TRANSIENT_ERRORS = (
    OSError,
    OperationalError,
    InterfaceError,
    StorageConnectionError,
    StorageHTTPError,
)
# The mail server: retried with backoff, a few times.
MAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(acks_late=True, **MAIL_RETRY)
def send_decision_email(event_id: int) -> None:
    notifications.decision_notify(event_id=event_id)


@shared_task(bind=True, acks_late=True, max_retries=5)
def issue_certificate(self, certificate_id: int) -> None:
    """Number, render and store one certificate, then have its members told."""
    try:
        certificate = certificate_issue(certificate_id=certificate_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            certificate_fail(certificate_id=certificate_id, error=repr(error))
            raise
        raise self.retry(exc=error, countdown=min(300, 5 * 2**self.request.retries)) from error
    except Exception as error:
        # A fault that retrying will not mend (a template error, say): record it for a person.
        certificate_fail(certificate_id=certificate_id, error=repr(error))
        raise
    if certificate is not None and certificate.state == Certificate.State.READY:
        try:
            # Told here rather than by a task of its own: one message per certificate.
            notifications.certificate_ready_notify(certificate_id=certificate_id)
        except OSError:
            send_certificate_email.delay(certificate_id)  # the mail server: retried alone


@shared_task(acks_late=True, **MAIL_RETRY)
def send_certificate_email(certificate_id: int) -> None:
    notifications.certificate_ready_notify(certificate_id=certificate_id)


@shared_task(acks_late=True, **MAIL_RETRY)
def send_invitation_email(invitation_id: int) -> None:
    notifications.invitation_send(invitation_id=invitation_id)


@shared_task(acks_late=True, **MAIL_RETRY)
def send_password_setup_email(user_id: int) -> None:
    notifications.password_setup_send(user_id=user_id)


@shared_task
def sweep_certificates() -> int:
    """Beat: queue again what is owed but not ready (a lost message only delays it)."""
    return certificates_sweep()
