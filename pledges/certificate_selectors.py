"""Reads about certificates: the public verification, the portal's and the console's views.

The public verification answers with a ``Verification``: only what is printed on the
certificate (plus its file's SHA-256 and, for a revoked pledge, the public reason). Nothing
else of the enterprise, the pledge or the reviewers can reach the public page.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.shortcuts import get_object_or_404

from .models import AuditEvent, Certificate, Pledge

# Certificates are dated in China Standard Time, as printed on them.
CERTIFICATE_TIME_ZONE = ZoneInfo("Asia/Shanghai")

# PREFIX-YEAR-SEQUENCE: the prefix is capitals and digits starting with a capital (see the
# campaign form), the sequence six digits (more only past 999999).
NUMBER_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,9}-[0-9]{4}-[0-9]{6,9}", re.ASCII)
NUMBER_EXAMPLE = "CQ-2026-000001"
# Longer input is not a number; it is refused before any other work.
NUMBER_INPUT_MAX = 64
# Dashes people type or paste instead of the hyphen-minus (NFKC leaves these alone).
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"), "-")

VALID = "valid"
REVOKED = "revoked"
UNKNOWN = "unknown"


def normalise_certificate_number(raw: str | None) -> str | None:
    """The number in its canonical form (capitals, no spaces, ASCII hyphens), or None.

    Full-width characters (ＣＱ－２０２６…) become ASCII; anything that then does not look
    like a certificate number is None, so it never reaches the database.
    """
    if not raw or len(raw) > NUMBER_INPUT_MAX:
        return None
    text = unicodedata.normalize("NFKC", raw).translate(_DASHES)
    text = "".join(text.split()).upper()
    return text if NUMBER_PATTERN.fullmatch(text) else None


def _local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(CERTIFICATE_TIME_ZONE).date() if moment else None


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
    return Revocation(reason=event.reason, revoked_on=_local_date(event.created_at))


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show; nothing private is ever put here."""

    outcome: str
    number: str = ""
    enterprise_name: str = ""
    credit_code: str = ""
    campaign_title: str = ""
    campaign_year: int | None = None
    issued_on: date | None = None
    sha256: str = ""
    revocation: Revocation | None = None

    @property
    def is_valid(self) -> bool:
        return self.outcome == VALID

    @property
    def is_revoked(self) -> bool:
        return self.outcome == REVOKED

    @property
    def is_unknown(self) -> bool:
        return self.outcome == UNKNOWN


def certificate_verification(number: str) -> Verification:
    """Valid (approved, certificate rendered), revoked (the pledge was revoked after its
    certificate was issued) or unknown (no such number, or not ready yet).

    ``number`` must already be normalised; anything else is unknown without a query.
    """
    if normalise_certificate_number(number) != number:
        return Verification(outcome=UNKNOWN)
    certificate = (
        Certificate.objects.select_related("pledge__enterprise", "campaign")
        .filter(number=number)
        .first()
    )
    if certificate is None:
        return Verification(outcome=UNKNOWN)
    pledge = certificate.pledge
    # A certificate being rendered again keeps its number and its earlier file: still valid.
    if pledge.state == Pledge.State.APPROVED and certificate.rendered_at is not None:
        outcome, revoked = VALID, None
    elif pledge.state == Pledge.State.REVOKED and certificate.rendered_at is not None:
        # It was issued once (a file with this number exists somewhere): say it is revoked.
        outcome, revoked = REVOKED, revocation(pledge)
    else:
        return Verification(outcome=UNKNOWN)
    return Verification(
        outcome=outcome,
        number=certificate.number,
        enterprise_name=pledge.enterprise.name,
        credit_code=pledge.enterprise.credit_code,
        campaign_title=certificate.campaign.title,
        campaign_year=certificate.campaign.year,
        issued_on=_local_date(certificate.issued_at),
        sha256=certificate.sha256,
        revocation=revoked,
    )


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
        return MemberCertificate(state=REVOKED, pledge_id=pledge.pk, revocation=revocation(pledge))
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
        issued_on=_local_date(certificate.issued_at),
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


def certificate_file_for_review(*, pledge_id: int) -> Certificate:
    """A rendered certificate, whatever became of its pledge since (reviewers keep the record)."""
    return get_object_or_404(
        Certificate.objects.exclude(file=""), pledge_id=pledge_id, rendered_at__isnull=False
    )


def certificate_to_rerender(*, pledge_id: int) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related("pledge__enterprise", "pledge__campaign"),
        pledge_id=pledge_id,
    )
