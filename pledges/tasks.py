"""Thin Celery tasks: load by id, do one thing, safe to run twice."""

from botocore.exceptions import ConnectionError as StorageConnectionError
from botocore.exceptions import HTTPClientError as StorageHTTPError
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership

from .models import AuditEvent, Certificate, DecisionNotice
from .services.certificates import certificate_fail, certificate_issue, certificates_sweep


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_decision_email(event_id: int) -> None:
    """Tell each member of the enterprise about a decision, in their own language, once."""
    event = (
        AuditEvent.objects.select_related("pledge__campaign", "pledge__enterprise")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.pledge is None:
        return
    pledge = event.pledge
    link = settings.SITE_URL + reverse("portal:pledge", args=[pledge.pk])
    members = Membership.objects.filter(enterprise=pledge.enterprise).select_related("user")
    for membership in members:
        user = membership.user
        try:
            # The notice row and the mail go together: a failed send rolls the row back.
            with transaction.atomic():
                DecisionNotice.objects.create(event=event, recipient=user)
                with translation.override(user.language):
                    context = {"event": event, "pledge": pledge, "link": link, "user": user}
                    # One line: a name or title holding a line break would be refused as a header.
                    subject = " ".join(
                        render_to_string("mail/decision_subject.txt", context).split()
                    )
                    body = render_to_string("mail/decision_body.txt", context)
                send_mail(subject, body, None, [user.email])
        except IntegrityError:
            continue  # already told, by an earlier run of this task


# Failures worth retrying: the database or the storage briefly unavailable (S3's client
# raises its own network errors, not OSError).
TRANSIENT_ERRORS = (
    OSError,
    OperationalError,
    InterfaceError,
    StorageConnectionError,
    StorageHTTPError,
)


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
            mail_certificate_ready(certificate)
        except OSError:
            send_certificate_email.delay(certificate_id)  # the mail server: retried alone


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_certificate_email(certificate_id: int) -> None:
    """Tell the enterprise's members their certificate is ready, once."""
    certificate = (
        Certificate.objects.select_related("pledge__enterprise", "pledge__campaign")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is not None:
        mail_certificate_ready(certificate)


def mail_certificate_ready(certificate: Certificate) -> None:
    """Mail each member once: the first run to stamp ``emailed_at`` sends, others do not."""
    claimed = Certificate.objects.filter(
        pk=certificate.pk, state=Certificate.State.READY, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return
    pledge = certificate.pledge
    link = settings.SITE_URL + reverse("portal:pledge", args=[pledge.pk])
    try:
        for membership in Membership.objects.filter(enterprise=pledge.enterprise).select_related(
            "user"
        ):
            with translation.override(membership.user.language):
                context = {"certificate": certificate, "pledge": pledge, "link": link}
                # One line: a name or title holding a line break would be refused as a header.
                subject = " ".join(
                    render_to_string("mail/certificate_subject.txt", context).split()
                )
                body = render_to_string("mail/certificate_body.txt", context)
            send_mail(subject, body, None, [membership.user.email])
    except OSError:
        # Nobody was told for sure: let the retry send again.
        Certificate.objects.filter(pk=certificate.pk).update(emailed_at=None)
        raise


@shared_task
def sweep_certificates() -> int:
    """Beat: queue again what is owed but not ready (a lost message only delays it)."""
    return certificates_sweep()
