"""One pledge: everything needed to decide, plus claims, notes, the private files and the
certificate."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...certificates.selectors import certificate_for_review
from ...errors import DomainError
from ...history.selectors import imported_years
from ...responses import private_file_response
from ...services.certificates import certificate_rerender
from ...services.review import note_add, pledge_claim, pledge_release
from .. import selectors
from ..forms import NoteForm
from .access import administrator_required, reviewer_required


@reviewer_required
def pledge_detail(request, pledge_id, note_form=None):
    pledge = selectors.pledge_for_review(pledge_id=pledge_id)
    enterprise = pledge.enterprise
    return render(
        request,
        "review/pledge_detail.html",
        {
            "pledge": pledge,
            "enterprise": enterprise,
            "code_check": selectors.credit_code_check(enterprise),
            "look_alikes": selectors.look_alike_enterprises(enterprise),
            "earlier": selectors.earlier_pledges(pledge),
            "imported_years": imported_years(enterprise.credit_code),
            "integrity": selectors.text_integrity(pledge),
            "claim_active": selectors.claim_is_active(pledge),
            "timeline": selectors.review_timeline(pledge),
            "notes": selectors.review_notes(pledge),
            "note_form": note_form or NoteForm(),
            "is_pdf": pledge.stamped_page_type == "application/pdf",
            "certificate": certificate_for_review(pledge),
            "listing": selectors.listing_for_review(pledge),
        },
    )


@reviewer_required
def stamped_page(request, pledge_id):
    pledge = selectors.pledge_for_review(pledge_id=pledge_id)
    return private_file_response(
        pledge.stamped_page, f"pledge-{pledge.campaign.year}-{pledge.pk}-stamped-page"
    )


@reviewer_required
def licence_scan(request, pledge_id):
    pledge = selectors.pledge_for_review(pledge_id=pledge_id)
    return private_file_response(
        pledge.enterprise.licence_scan, f"licence-{pledge.enterprise.credit_code}"
    )


@require_POST
@reviewer_required
def claim(request, pledge_id):
    return _act(request, pledge_id, pledge_claim, _("You claimed this pledge."))


@require_POST
@reviewer_required
def release(request, pledge_id):
    return _act(request, pledge_id, pledge_release, _("You released your claim."))


def _act(request, pledge_id, service, success):
    pledge = selectors.pledge_for_review(pledge_id=pledge_id)
    try:
        service(pledge=pledge, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("review:pledge", pledge_id=pledge.pk)


@require_POST
@reviewer_required
def add_note(request, pledge_id):
    pledge = selectors.pledge_for_review(pledge_id=pledge_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return pledge_detail(request, pledge_id, note_form=form)
    note_add(pledge=pledge, actor=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("The note is saved."))
    return redirect("review:pledge", pledge_id=pledge.pk)


@reviewer_required
def certificate(request, pledge_id):
    certificate = selectors.certificate_file_for_review(pledge_id=pledge_id)
    return private_file_response(certificate.file, f"certificate-{certificate.number}")


@require_POST
@administrator_required
def certificate_rerender_view(request, pledge_id):
    certificate = selectors.certificate_to_rerender(pledge_id=pledge_id)
    try:
        certificate_rerender(certificate=certificate, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The certificate is being rendered again, with the same number.")
        )
    return redirect("review:pledge", pledge_id=pledge_id)
