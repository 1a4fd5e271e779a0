"""Checking a certificate: each check passed, failed or not checked, with the reason.

Five checks, as a verifier lists them: the signature, the issuer, the file's integrity, the
status (valid, revoked, superseded, expired) and the validity dates. A PDF is checked from
its own bytes (its PAdES signature and the signed QR payload it carries) and needs no
network but for the status; a number alone is checked from the credential issued for it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .credentials import InvalidToken, QrPayload, read_qr_payload, read_token
from .keys import certified_by_roots, public_key
from .pdf_signing import PdfSignatureCheck, check_pdf_signature
from .rendering import QR_PAYLOAD_FILE

PASSED, FAILED, NOT_CHECKED = "passed", "failed", "not_checked"
OUTCOME_LABELS = {
    PASSED: pgettext_lazy("verification check", "Passed"),
    FAILED: pgettext_lazy("verification check", "Failed"),
    NOT_CHECKED: pgettext_lazy("verification check", "Not checked"),
}
CHECK_LABELS = {
    "signature": gettext_lazy("Signature"),
    "issuer": gettext_lazy("Issuer"),
    "integrity": gettext_lazy("Integrity"),
    "status": gettext_lazy("Status"),
    "validity": gettext_lazy("Validity dates"),
}
VALID, REVOKED, SUPERSEDED, UNKNOWN = "valid", "revoked", "superseded", "unknown"


@dataclass(frozen=True)
class Standing:
    """What the published record says of a number (public.selectors.certificate_verification
    in this shape, so this module needs no knowledge of the record)."""

    outcome: str  # VALID, REVOKED, SUPERSEDED or UNKNOWN
    detail: str = ""


@dataclass(frozen=True)
class Check:
    name: str
    outcome: str
    detail: str

    @property
    def label(self):
        return CHECK_LABELS[self.name]

    @property
    def outcome_label(self):
        return OUTCOME_LABELS[self.outcome]


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    number: str = ""
    payload: QrPayload | None = None
    has_credential: bool = False

    @property
    def failed(self) -> bool:
        return any(check.outcome == FAILED for check in self.checks)


def _validity(valid_from: date, valid_until: date) -> Check:
    today = timezone.localdate()
    dates = {"start": valid_from.isoformat(), "end": valid_until.isoformat()}
    if today < valid_from:
        return Check("validity", FAILED, _("Not valid before %(start)s.") % dates)
    if today > valid_until:
        return Check("validity", FAILED, _("Valid from %(start)s to %(end)s: expired.") % dates)
    return Check("validity", PASSED, _("Valid from %(start)s to %(end)s.") % dates)


def _status(standing: Standing | None, valid_until: date | None) -> Check:
    if standing is None:
        return Check("status", NOT_CHECKED, _("Offline: the association's record was not asked."))
    if standing.outcome == VALID:
        if valid_until is not None and timezone.localdate() > valid_until:
            return Check("status", FAILED, _("Expired on %(date)s.") % {"date": valid_until})
        return Check("status", PASSED, _("Valid: the association's record lists it."))
    if standing.outcome == REVOKED:
        return Check("status", FAILED, standing.detail or _("Revoked."))
    if standing.outcome == SUPERSEDED:
        return Check("status", FAILED, standing.detail or _("Superseded by a newer certificate."))
    return Check(
        "status", FAILED, _("The association's record has no certificate with this number.")
    )


def _attachment(pdf: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        files = PdfReader(BytesIO(pdf)).attachments
        content = files.get(name)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return ""
    if not content:
        return ""
    try:
        return content[0].decode("ascii").strip()
    except UnicodeDecodeError:
        return ""


def _signature_checks(signature: PdfSignatureCheck) -> list[Check]:
    if not signature.present:
        return [
            Check("signature", FAILED, _("The file carries no signature of the association.")),
            Check("integrity", NOT_CHECKED, _("Without a signature there is nothing to compare.")),
        ]
    if signature.valid and signature.intact:
        detail = _("Signed by %(signer)s.") % {"signer": signature.signer}
        if signature.timestamped:
            detail += " " + _("The time of signing is certified by a timestamp.")
        checks = [Check("signature", PASSED, detail)]
    else:
        checks = [Check("signature", FAILED, _("The signature does not match the file."))]
    if not signature.intact:
        checks.append(Check("integrity", FAILED, _("The file was changed after it was signed.")))
    elif not signature.whole_file:
        checks.append(Check("integrity", FAILED, _("Content was added after the signature.")))
    else:
        checks.append(Check("integrity", PASSED, _("The file is unchanged since it was signed.")))
    return checks


def report_for_pdf(pdf: bytes, standing_of: Callable[[str], Standing] | None) -> Report:
    """Check a certificate file; ``standing_of`` asks the record (None: offline)."""
    signature = check_pdf_signature(pdf)
    report = Report(checks=_signature_checks(signature))
    token = _attachment(pdf, QR_PAYLOAD_FILE)
    payload = None
    if token:
        try:
            payload = read_qr_payload(token)
        except InvalidToken:
            payload = None
    if payload is None:
        issuer = Check(
            "issuer", FAILED, _("The file carries no payload signed by the association.")
        )
    elif not signature.trusted:
        issuer = Check(
            "issuer", FAILED, _("The file's signature is not from the association's certificate.")
        )
    else:
        issuer = Check(
            "issuer",
            PASSED,
            _("The association's key %(kid)s, certified by its certification authority.")
            % {"kid": payload.kid},
        )
    report.checks.insert(1, issuer)
    report.payload = payload
    if payload is None:
        report.checks += [
            Check("status", NOT_CHECKED, _("No certificate number could be read.")),
            Check("validity", NOT_CHECKED, _("No validity dates could be read.")),
        ]
        return report
    report.number = payload.number
    standing = standing_of(payload.number) if standing_of else None
    report.checks += [
        _status(standing, payload.valid_until),
        _validity(payload.valid_from, payload.valid_until),
    ]
    return report


def report_for_number(number: str, credential: str, standing: Standing) -> Report:
    """Check a number against the record and the credential issued for it."""
    report = Report(number=number, has_credential=bool(credential))
    claims = None
    if credential:
        try:
            header, claims = read_token(credential)
        except InvalidToken:
            claims = None
    if not credential:
        report.checks += [
            Check("signature", NOT_CHECKED, _("No signed credential was issued for this number.")),
            Check("issuer", NOT_CHECKED, _("No signed credential was issued for this number.")),
        ]
    elif claims is None:
        report.checks += [
            Check("signature", FAILED, _("The credential's signature does not verify.")),
            Check("issuer", FAILED, _("The credential's signature does not verify.")),
        ]
    else:
        key = public_key(header["kid"])
        report.checks.append(
            Check("signature", PASSED, _("The association's credential for this number verifies."))
        )
        report.checks.append(
            Check(
                "issuer",
                PASSED
                if key is not None and certified_by_roots(key.certificate, key.chain)
                else FAILED,
                _("The association's key %(kid)s.") % {"kid": header["kid"]},
            )
        )
    report.checks.append(
        Check("integrity", NOT_CHECKED, _("Upload the PDF to check that the file is unchanged."))
    )
    valid_until = None
    if claims is not None:
        valid_from = timezone.localdate(_instant(claims["validFrom"]))
        valid_until = timezone.localdate(_instant(claims["validUntil"]))
    report.checks.append(_status(standing, valid_until))
    if claims is not None:
        report.checks.append(_validity(valid_from, valid_until))
    else:
        report.checks.append(Check("validity", NOT_CHECKED, _("No signed validity dates.")))
    return report


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
