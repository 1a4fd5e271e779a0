"""Certificates: owed at approval, numbered and rendered by a worker, safe to run twice."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events
from ..certificates import CertificateData, render_pdf
from ..errors import DomainError
from ..models import Campaign, Certificate, Pledge
from ..storage import discard_private_file, private_storage

State = Certificate.State
FILE_FIELD = Certificate._meta.get_field("file")


def _queue_issue(certificate_id: int) -> None:
    """Render once the current transaction has committed (the worker must see the row)."""
    from ..tasks import issue_certificate  # the tasks module imports this one

    transaction.on_commit(lambda: issue_certificate.delay(certificate_id))


def certificate_owe(*, pledge: Pledge) -> Certificate:
    """Record (in the caller's transaction) that this approved pledge is owed a certificate,
    and queue its rendering once that transaction commits."""
    certificate, _created = Certificate.objects.get_or_create(
        pledge=pledge, defaults={"campaign_id": pledge.campaign_id}
    )
    _queue_issue(certificate.pk)
    return certificate


def certificate_assign_number(*, certificate: Certificate) -> Certificate:
    """Give the certificate the campaign's next number, once; numbers are never reused."""
    if certificate.sequence is not None:
        return certificate
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=certificate.campaign_id)
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.sequence is None:
            sequence = campaign.certificate_counter + 1
            Campaign.objects.filter(pk=campaign.pk).update(certificate_counter=sequence)
            locked.sequence = sequence
            locked.number = f"{campaign.number_prefix}-{campaign.year}-{sequence:06d}"
            locked.issued_at = timezone.now()
            locked.save(update_fields=["sequence", "number", "issued_at"])
    certificate.sequence, certificate.number, certificate.issued_at = (
        locked.sequence,
        locked.number,
        locked.issued_at,
    )
    return certificate


def certificate_data(certificate: Certificate) -> CertificateData:
    pledge = certificate.pledge
    return CertificateData(
        number=certificate.number,
        enterprise_name=pledge.enterprise.name,
        credit_code=pledge.enterprise.credit_code,
        campaign_title=pledge.campaign.title,
        campaign_year=pledge.campaign.year,
        issued_at=certificate.issued_at,
    )


def certificate_issue(*, certificate_id: int) -> Certificate | None:
    """Number, render, store and mark ready. Running it again never makes a second file,
    number or certificate: only a pending row is rendered, and only one run can mark it."""
    certificate = (
        Certificate.objects.select_related("pledge__enterprise", "pledge__campaign")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None or certificate.state == State.READY:
        return certificate
    Certificate.objects.filter(pk=certificate.pk).update(attempts=F("attempts") + 1)
    certificate_assign_number(certificate=certificate)
    pdf = render_pdf(certificate_data(certificate))
    name = private_storage().save(
        FILE_FIELD.generate_filename(certificate, "certificate.pdf"), ContentFile(pdf)
    )
    previous = certificate.file.name
    marked = (
        Certificate.objects.filter(pk=certificate.pk)
        .exclude(state=State.READY)
        .update(
            state=State.READY,
            file=name,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            rendered_at=timezone.now(),
            error="",
        )
    )
    if not marked:
        # Another run finished first; its file stands.
        discard_private_file(name)
    elif not previous:
        # The open-data feed (changes since a moment) now has a certificate number to show.
        Pledge.objects.filter(pk=certificate.pledge_id).update(updated_at=timezone.now())
    elif previous and previous != name:
        discard_private_file(previous)  # a re-render replaces the old file
    certificate.refresh_from_db()
    return certificate


def certificate_fail(*, certificate_id: int, error: str) -> None:
    """Record a failure that retrying will not fix; reviewers see it with the error."""
    Certificate.objects.filter(pk=certificate_id).exclude(state=State.READY).update(
        state=State.FAILED, error=error[:4000]
    )


def certificate_rerender(*, certificate: Certificate, actor) -> Certificate:
    """Render again with the same number and date (after a template change, say)."""
    if certificate.pledge.state != Pledge.State.APPROVED:
        raise DomainError(_("Only the certificate of an approved pledge can be rendered again."))
    with transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(state=State.PENDING, error="")
        events.certificate_rerendered_event(certificate=certificate, actor=actor)
        _queue_issue(certificate.pk)
    certificate.state = State.PENDING
    return certificate


def certificates_overdue(*, older_than: timedelta | None = None):
    """Approved pledges whose certificate is missing or not ready some minutes after approval."""
    older_than = older_than or timedelta(minutes=settings.CERTIFICATE_SWEEP_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    return Pledge.objects.filter(state=Pledge.State.APPROVED, decided_at__lt=cutoff).filter(
        Q(certificate__isnull=True) | Q(certificate__state=State.PENDING)
    )


def certificates_sweep() -> int:
    """Queue again every certificate owed but not ready: a message lost by the broker only
    delays a certificate. Failed ones wait for a person (they would fail again)."""
    count = 0
    for pledge in certificates_overdue().only("pk", "campaign_id"):
        with transaction.atomic():
            certificate_owe(pledge=pledge)
        count += 1
    return count
