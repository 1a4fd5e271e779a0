"""Reads about certificates: what the portal and the console show of one, what a revocation
says, and which certificates are owed but not ready."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import AuditEvent, Certificate, Listing, Pledge, SupersededCertificate
from ..reference import china_date


@dataclass(frozen=True)
class Revocation:
    reason: str
    revoked_on: date | None


def revocation(pledge: Pledge) -> Revocation:
    """The public reason and the date of the pledge's (latest) revocation."""
    event = (
        pledge.events.filter(action=AuditEvent.Action.PLEDGE_REVOKED)
        .order_by("-created_at", "-id")
        .only("reason", "created_at")
        .first()
    )
    if event is None:
        return Revocation(reason="", revoked_on=None)
    return Revocation(reason=event.reason, revoked_on=china_date(event.created_at))


# --- The portal ------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberCertificate:
    """The certificate as the enterprise's members see it on the portal."""

    state: str  # "pending" (also while failed: the association fixes it), "ready", "revoked"
    pledge_id: int
    number: str = ""
    sha256: str = ""
    issued_on: date | None = None
    revocation: Revocation | None = None


def member_certificate(pledge: Pledge) -> MemberCertificate | None:
    """What the portal shows of the pledge's certificate; None when it has none to show."""
    if pledge.state == Pledge.State.REVOKED:
        return MemberCertificate(
            state=Pledge.State.REVOKED, pledge_id=pledge.pk, revocation=revocation(pledge)
        )
    if pledge.state != Pledge.State.APPROVED:
        return None
    certificate = (
        Certificate.objects.filter(pledge=pledge, rendered_at__isnull=False)
        .exclude(file="")
        .only("number", "sha256", "issued_at")
        .first()
    )
    if certificate is None:
        return MemberCertificate(state=Certificate.State.PENDING, pledge_id=pledge.pk)
    return MemberCertificate(
        state=Certificate.State.READY,
        pledge_id=pledge.pk,
        number=certificate.number,
        sha256=certificate.sha256,
        issued_on=china_date(certificate.issued_at),
    )


def member_certificate_file(pledge: Pledge) -> Certificate:
    """The certificate a member may download: the pledge approved, the file ready; else 404.

    The caller has already checked that the user belongs to the pledge's enterprise.
    """
    return get_object_or_404(
        Certificate.objects.exclude(file=""),
        pledge=pledge,
        pledge__state=Pledge.State.APPROVED,
        rendered_at__isnull=False,
    )


# --- The review console -----------------------------------------------------------------


def certificate_for_review(pledge: Pledge) -> Certificate | None:
    return Certificate.objects.filter(pledge=pledge).first()


# --- Work owed ----------------------------------------------------------------------------


def certificates_overdue(*, older_than: timedelta | None = None):
    """Approved pledges whose certificate is missing or not ready some minutes after approval."""
    older_than = older_than or timedelta(minutes=settings.CERTIFICATE_SWEEP_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    return Pledge.objects.filter(state=Pledge.State.APPROVED, decided_at__lt=cutoff).filter(
        Q(certificate__isnull=True) | Q(certificate__state=Certificate.State.PENDING)
    )


# --- Credentials -------------------------------------------------------------------------


def issued_credential(number: str) -> str:
    """The signed credential issued with this number ("" if none was), superseded included;
    none once the enterprise's record was taken down (nothing of it is public then)."""
    removed = Q(pledge__listing__status=Listing.Status.REMOVED)
    current = (
        Certificate.objects.filter(number=number, state=Certificate.State.READY)
        .exclude(removed)
        .values_list("credential", flat=True)
        .first()
    )
    if current is not None:
        return current
    return (
        SupersededCertificate.objects.filter(number=number)
        .exclude(removed)
        .values_list("credential", flat=True)
        .first()
        or ""
    )
