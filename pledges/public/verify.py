"""Certificate verification (/verify/): public, no private data, rate limited.

Anyone holding a certificate (or its QR code) can check it here. The page says whether the
number is valid, revoked or unknown and shows only what the certificate itself prints, plus
the SHA-256 of the file issued. Each client address gets ``VERIFY_RATE`` requests per page;
the address is config.client_ip's (REMOTE_ADDR, or what our own proxies saw), never what a
client writes in a header.
"""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ..responses import noindex
from ..validators import normalise_certificate_number
from .forms import VerifyForm
from .rate_limits import rate_limited
from .selectors import certificate_verification

VERIFY_RATE = "30/m"


def _too_many(request):
    return noindex(render(request, "public/rate_limited.html", status=429))


@never_cache
@require_safe
@rate_limited("pledges.verify_form", VERIFY_RATE, _too_many)
def verify_form(request):
    form = VerifyForm(request.GET if "number" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("public:verify", number=form.cleaned_data["number"])
    return noindex(render(request, "public/verify_form.html", {"form": form}))


@never_cache
@require_safe
@rate_limited("pledges.verify", VERIFY_RATE, _too_many)
def verify_result(request, number):
    canonical = normalise_certificate_number(number)
    if canonical is not None and canonical != number:
        return redirect("public:verify", number=canonical)
    verification = certificate_verification(canonical or "")
    return noindex(
        render(
            request,
            "public/verify_result.html",
            {
                "verification": verification,
                # Echo only a well-formed number: arbitrary text from the URL is never shown.
                "number": canonical or "",
                "form": VerifyForm(initial={"number": canonical or ""}),
            },
            status=404 if verification.is_unknown else 200,
        )
    )
