"""Certificate verification (/verify/): public, no private data, rate limited.

Anyone holding a certificate (or its QR code) can check it here. The page says whether the
number is valid, revoked or unknown and shows only what the certificate itself prints, plus
the SHA-256 of the file issued. Each client address gets ``VERIFY_RATE`` requests per page;
the address is config.client_ip's (REMOTE_ADDR, or what our own proxies saw), never what a
client writes in a header.
"""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from ..certificates import verification as checks
from ..certificates.selectors import issued_credential
from ..responses import noindex
from ..validators import normalise_certificate_number
from .forms import VerifyFileForm, VerifyForm
from .rate_limits import rate_limited
from .selectors import certificate_verification

VERIFY_RATE = "30/m"
# Checking a file costs more than a lookup: fewer per client.
VERIFY_FILE_RATE = "10/m"


def standing(number: str) -> checks.Standing:
    """What the published record says of a number, for the checks."""
    return _standing(certificate_verification(number))


def _standing(verification) -> checks.Standing:
    detail = ""
    if verification.is_revoked and verification.revocation:
        revoked = verification.revocation
        detail = _("Revoked on %(date)s.") % {"date": revoked.revoked_on or "—"}
        if revoked.reason:
            detail += " " + _("Reason: %(reason)s") % {"reason": revoked.reason}
    elif verification.is_superseded:
        detail = _("Superseded on %(date)s by %(number)s after an approved change of name.") % {
            "date": verification.superseded_on,
            "number": verification.replaced_by or "—",
        }
    return checks.Standing(outcome=verification.outcome, detail=detail)


def _too_many(request):
    return noindex(render(request, "public/rate_limited.html", status=429))


@never_cache
@require_safe
@rate_limited("pledges.verify_form", VERIFY_RATE, _too_many)
def verify_form(request):
    form = VerifyForm(request.GET if "number" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("public:verify", number=form.cleaned_data["number"])
    return noindex(
        render(request, "public/verify_form.html", {"form": form, "file_form": VerifyFileForm()})
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited(
    "pledges.verify_file", VERIFY_FILE_RATE, _too_many, applies=lambda r: r.method == "POST"
)
def verify_file(request):
    """Check an uploaded certificate PDF: nothing is stored, the file is read and dropped."""
    form = VerifyFileForm(request.POST, request.FILES) if request.method == "POST" else None
    report = None
    if form is not None and form.is_valid():
        report = checks.report_for_pdf(form.cleaned_data["file"], standing)
    return noindex(
        render(
            request,
            "public/verify_file.html",
            {"file_form": form or VerifyFileForm(), "report": report},
            status=400 if form is not None and not form.is_valid() else 200,
        )
    )


@never_cache
@require_safe
@rate_limited("pledges.verify", VERIFY_RATE, _too_many)
def verify_result(request, number):
    canonical = normalise_certificate_number(number)
    if canonical is not None and canonical != number:
        return redirect("public:verify", number=canonical)
    verification = certificate_verification(canonical or "")
    report = None
    if not verification.is_unknown:
        report = checks.report_for_number(
            canonical, issued_credential(canonical), _standing(verification)
        )
    return noindex(
        render(
            request,
            "public/verify_result.html",
            {
                "verification": verification,
                "report": report,
                "file_form": VerifyFileForm(),
                # Echo only a well-formed number: arbitrary text from the URL is never shown.
                "number": canonical or "",
                "form": VerifyForm(initial={"number": canonical or ""}),
            },
            status=404 if verification.is_unknown else 200,
        )
    )
