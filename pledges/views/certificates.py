"""Certificate files: members download their own, reviewers any; administrators re-render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import certificate_selectors, selectors
from ..errors import DomainError
from ..files import private_file_response
from ..services.certificates import certificate_rerender
from .review.access import administrator_required, reviewer_required


def _download(certificate):
    return private_file_response(certificate.file, f"certificate-{certificate.number}")


@login_required
def portal_certificate(request, pledge_id):
    """Members only (404 for anyone else), and only while the pledge stands approved."""
    pledge = selectors.pledge_for_member(user=request.user, pledge_id=pledge_id)
    return _download(certificate_selectors.member_certificate_file(pledge))


@reviewer_required
def review_certificate(request, pledge_id):
    return _download(certificate_selectors.certificate_file_for_review(pledge_id=pledge_id))


@require_POST
@administrator_required
def review_certificate_rerender(request, pledge_id):
    certificate = certificate_selectors.certificate_to_rerender(pledge_id=pledge_id)
    try:
        certificate_rerender(certificate=certificate, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The certificate is being rendered again, with the same number.")
        )
    return redirect("review:pledge", pledge_id=pledge_id)
