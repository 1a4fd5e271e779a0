"""Certificates: owed at approval, numbered and rendered by a worker, safe to run twice."""

import hashlib
import logging
from dataclasses import replace
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events
from ..certificates import credentials
from ..certificates.keys import signing_key
from ..certificates.pdf_signing import sign_pdf
from ..certificates.rendering import CertificateData, render_pdf
from ..certificates.selectors import certificates_overdue
from ..errors import DomainError
from ..jobs import queue_after_commit
from ..models import (
    Campaign,
    Certificate,
    Listing,
    OutboxMessage,
    Pledge,
    SupersededCertificate,
)
from ..reference import china_date
from ..storage import discard_private_file, private_storage
from .notifications import members
from .outbox import messages_owe
from .publication import listing_certificate_issued, listing_certificate_superseded

logger = logging.getLogger(__name__)
State = Certificate.State
FILE_FIELD = Certificate._meta.get_field("file")
NUMBER_FIELDS = ("sequence", "number", "issued_at")


def _queue_issue(certificate_id: int) -> None:
    """Render once the current transaction has committed (the worker must see the row)."""
    queue_after_commit("pledges.tasks.issue_certificate", certificate_id)


def certificate_owe(*, pledge: Pledge) -> Certificate:
    """Record (in the caller's transaction) that this approved pledge is owed a certificate,
    and queue its rendering once that transaction commits."""
    certificate, created = Certificate.objects.get_or_create(
        pledge=pledge, defaults={"campaign_id": pledge.campaign_id}
    )
    if not created:
        Certificate.objects.filter(pk=certificate.pk).update(queued_at=timezone.now())
    _queue_issue(certificate.pk)
    return certificate


def certificate_start_attempt(*, certificate: Certificate) -> Certificate:
    """Count this attempt and give the certificate the campaign's next number, once, in one
    transaction; numbers are never reused."""
    attempts = F("attempts") + 1
    if certificate.sequence is not None:
        Certificate.objects.filter(pk=certificate.pk).update(attempts=attempts)
        return certificate
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=certificate.campaign_id)
        locked = Certificate.objects.select_for_update().only(*NUMBER_FIELDS).get(pk=certificate.pk)
        numbered = {}
        if locked.sequence is None:
            sequence = campaign.certificate_counter + 1
            Campaign.objects.filter(pk=campaign.pk).update(certificate_counter=sequence)
            numbered = {
                "sequence": sequence,
                "number": f"{campaign.number_prefix}-{campaign.year}-{sequence:06d}",
                "issued_at": timezone.now(),
            }
        Certificate.objects.filter(pk=certificate.pk).update(attempts=attempts, **numbered)
    if not numbered:  # another run numbered it meanwhile
        numbered = {field: getattr(locked, field) for field in NUMBER_FIELDS}
    for field, value in numbered.items():
        setattr(certificate, field, value)
    return certificate


def certificate_data(certificate: Certificate) -> CertificateData:
    """What the certificate states: the published record's name and code, as approved."""
    pledge = certificate.pledge
    return CertificateData(
        number=certificate.number,
        enterprise_name=pledge.listing.name,
        credit_code=pledge.listing.credit_code,
        campaign_title=pledge.campaign.title,
        campaign_year=pledge.campaign.year,
        issued_at=certificate.issued_at,
        status_index=certificate.sequence,
    )


def signed_certificate(data: CertificateData) -> tuple[bytes, str]:
    """The signed PDF and the signed credential it carries, with the current key."""
    key = signing_key()
    credential = credentials.signed_credential(credentials.achievement_credential(data), key)
    data = replace(data, qr_payload=credentials.qr_payload(data, key), credential=credential)
    return sign_pdf(render_pdf(data), key), credential


def certificate_issue(*, certificate_id: int) -> Certificate | None:
    """Number, render, store and mark ready. Running it again never makes a second file,
    number or certificate: only a pending row is rendered, and only one run can mark it."""
    certificate = (
        Certificate.objects.select_related("pledge__listing", "pledge__campaign")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None or certificate.state == State.READY:
        return certificate
    certificate_start_attempt(certificate=certificate)
    pdf, credential = signed_certificate(certificate_data(certificate))
    name = private_storage().save(
        FILE_FIELD.generate_filename(certificate, "certificate.pdf"), ContentFile(pdf)
    )
    previous = certificate.file.name
    ready = {
        "state": State.READY,
        "file": name,
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "size": len(pdf),
        "credential": credential,
        "rendered_at": timezone.now(),
        "error": "",
    }
    with transaction.atomic():
        # Not if a rename superseded it meanwhile (its number is gone; the new one is queued).
        unfinished = Certificate.objects.filter(
            pk=certificate.pk, sequence=certificate.sequence
        ).exclude(state=State.READY)
        marked = unfinished.update(**ready)
        if marked:
            certificate.sha256 = ready["sha256"]
            listing_certificate_issued(certificate=certificate)
            # The members are owed a mail about this number, in the same transaction.
            messages_owe(
                kind=OutboxMessage.Kind.CERTIFICATE,
                about=f"certificate:{certificate.pk}:{certificate.number}",
                recipients=members(certificate.pledge.enterprise_id),
                enterprise_id=certificate.pledge.enterprise_id,
            )
    if not marked:
        # Another run finished first; its file stands.
        discard_private_file(name)
        certificate.refresh_from_db()
        return certificate
    if previous and previous != name:
        discard_private_file(previous)  # a re-render replaces the old file
    for field, value in ready.items():
        setattr(certificate, field, value)
    logger.info(
        "certificate issued",
        extra={
            "certificate_id": certificate.pk,
            "certificate_number": certificate.number,
            "pledge_id": certificate.pledge_id,
            "size": len(pdf),
        },
    )
    return certificate


def certificate_fail(*, certificate_id: int, error: str) -> None:
    """Record a failure that retrying will not fix; reviewers see it with the error."""
    failed = (
        Certificate.objects.filter(pk=certificate_id)
        .exclude(state=State.READY)
        .update(state=State.FAILED, error=error[:4000])
    )
    if failed:
        logger.error(
            "certificate rendering failed",
            extra={"certificate_id": certificate_id, "error": error[:4000]},
        )


def certificate_rerender(*, certificate: Certificate, actor) -> Certificate:
    """Render again with the same number and date (after a template change, say)."""
    if certificate.pledge.state != Pledge.State.APPROVED:
        raise DomainError(_("Only the certificate of an approved pledge can be rendered again."))
    with transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(
            state=State.PENDING, error="", queued_at=timezone.now()
        )
        events.certificate_rerendered_event(certificate=certificate, actor=actor)
        _queue_issue(certificate.pk)
    certificate.state = State.PENDING
    return certificate


def certificates_sweep() -> int:
    """Queue again every certificate owed but not ready: a message lost by the broker only
    delays a certificate. Failed ones wait for a person (they would fail again)."""
    count = 0
    for pledge in certificates_overdue().only("pk", "campaign_id"):
        with transaction.atomic():
            certificate_owe(pledge=pledge)
        count += 1
    if count:
        # Each is a lost or late message, or a worker that is down: worth an operator's look.
        logger.warning("certificates queued again by the sweep", extra={"count": count})
    return count


def certificates_supersede(*, enterprise, issued_for: str) -> list[int]:
    """After an approved rename, in its transaction: each certificate numbered for a listed
    pledge of the enterprise is superseded and a new one is owed. The old number keeps
    verifying, as "superseded", with ``issued_for`` (the name it printed); the new one takes
    the campaign's next number when it is rendered, so numbers stay unique and never reused.
    """
    certificates = list(
        Certificate.objects.select_for_update()
        .filter(
            pledge__listing__enterprise=enterprise,
            pledge__listing__status=Listing.Status.LISTED,
        )
        .exclude(number="")
    )
    for certificate in certificates:
        if certificate.rendered_at is not None:
            SupersededCertificate.objects.create(
                number=certificate.number,
                pledge_id=certificate.pledge_id,
                enterprise_name=issued_for,
                credit_code=enterprise.credit_code,
                sha256=certificate.sha256,
                issued_on=china_date(certificate.issued_at),
                credential=certificate.credential,
                # Its bit marks the credential issued with it, if one was.
                status_index=certificate.sequence if certificate.credential else None,
            )
        Certificate.objects.filter(pk=certificate.pk).update(
            state=State.PENDING,
            sequence=None,
            number="",
            issued_at=None,
            rendered_at=None,
            credential="",
            error="",
            queued_at=timezone.now(),
        )
        events.certificate_superseded_event(
            pledge=certificate.pledge, number=certificate.number, name=issued_for
        )
        listing_certificate_superseded(pledge_id=certificate.pledge_id)
        _queue_issue(certificate.pk)
    return [certificate.pk for certificate in certificates]


def certificates_requeue(*, older_than: timedelta, limit: int) -> int:
    """Queue again pending certificates last queued longer ago than ``older_than`` (their
    message was lost with the broker, or their worker died): at most ``limit`` at a time."""
    now = timezone.now()
    due = list(
        Certificate.objects.filter(state=State.PENDING, queued_at__lt=now - older_than)
        .order_by("queued_at")
        .values_list("pk", flat=True)[:limit]
    )
    if due:
        with transaction.atomic():
            Certificate.objects.filter(pk__in=due).update(queued_at=now)
            for pk in due:
                _queue_issue(pk)
    return len(due)
