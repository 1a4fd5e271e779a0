"""Objections from the public: the form on every public listing, and the confirmation that
makes one count (a POST from the mailed link). Never cached, never indexed."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from config.client_ip import client_ip

from ..errors import DomainError
from ..models import Listing
from ..responses import noindex
from ..services.objections import objection_confirm, objection_for_token, objection_submit
from .forms import ObjectionForm
from .rate_limits import rate_limited, refuse_page

# Objections sent from one client address, and to be confirmed at one e-mail address.
OBJECTION_RATE = "5/h"
OBJECTION_EMAIL_RATE = "3/d"


def _objectable(pledge_id: int) -> Listing:
    """A public listing (in notice or final); a taken-down one is gone (404)."""
    return get_object_or_404(Listing.objects.exclude(status=Listing.Status.REMOVED), pk=pledge_id)


def _posting(request) -> bool:
    return request.method == "POST"


def _email_limited(request, email: str) -> bool:
    return is_ratelimited(
        request,
        group="pledges.objection.email",
        key=lambda _group, _request: email.casefold(),
        rate=OBJECTION_EMAIL_RATE,
        increment=True,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("pledges.objection", OBJECTION_RATE, refuse_page, applies=_posting)
def objection_form(request, pledge_id):
    listing = get_object_or_404(
        Listing.objects.exclude(status=Listing.Status.REMOVED), pk=pledge_id
    )
    form = ObjectionForm(*((request.POST, request.FILES) if _posting(request) else ()))
    if _posting(request) and form.is_valid():
        data = form.cleaned_data
        if _email_limited(request, data["email"]):
            form.add_error(
                "email",
                _("Too many objections were sent for this address today. Try again tomorrow."),
            )
        else:
            try:
                objection_submit(
                    listing=listing,
                    name=data["name"].strip(),
                    email=data["email"],
                    phone=data["phone"],
                    relationship=data["relationship"],
                    grounds=data["grounds"],
                    statement=data["statement"],
                    language=get_language(),
                    client_ip=client_ip(request),
                    evidence=form.evidence(),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect("public:objection_sent", pledge_id=listing.pk)
    return noindex(
        render(
            request,
            "public/objection_form.html",
            {"listing": listing, "form": form},
            status=400 if form.errors else 200,
        )
    )


@never_cache
def objection_sent(request, pledge_id):
    listing = get_object_or_404(
        Listing.objects.exclude(status=Listing.Status.REMOVED), pk=pledge_id
    )
    return noindex(render(request, "public/objection_sent.html", {"listing": listing}))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def objection_confirm_view(request, token):
    """GET shows what is confirmed and a button; only the POST confirms (a mail scanner that
    follows links confirms nothing)."""
    objection = objection_for_token(token)
    if objection is None:
        raise Http404
    context = {"objection": objection, "listing": objection.listing, "error": ""}
    if _posting(request):
        try:
            objection_confirm(objection=objection)
        except DomainError as error:
            context["error"] = error.message
        else:
            return redirect("public:objection_confirm", token=token)
    return noindex(render(request, "public/objection_confirm.html", context))
