"""Unsubscribing from a campaign's invitations and reminders, from the link in each mail.

The signed token in the URL is the credential (no login: the link must work from any mail
client). Opening the link changes nothing (mail scanners open links); the page's buttons post
a form (CSRF-checked, like every form); a mail client's one-click POST to the link itself
(RFC 8058: the body "List-Unsubscribe=One-Click", never a CSRF token) unsubscribes, and that
is the only POST the link takes.
"""

from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..responses import noindex
from ..services.campaign_mail import (
    campaign_mail_resubscribe,
    campaign_mail_unsubscribe,
    user_of_token,
)

ONE_CLICK = "One-Click"


def masked(email: str) -> str:
    """Enough of the address to recognise it, not enough to harvest it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _invalid(request):
    return noindex(render(request, "public/unsubscribe.html", {"invalid": True}, status=404))


def _page(request, token, user, done=""):
    context = {
        "email": masked(user.email),
        "subscribed": user.campaign_mail_opt_out is None,
        "done": done,
        "token": token,
    }
    return noindex(render(request, "public/unsubscribe.html", context))


@csrf_exempt  # only for the one-click POST: see the module's docstring
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user = user_of_token(token)
    if user is None:
        return _invalid(request)
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") != ONE_CLICK:
            return HttpResponseForbidden()
        campaign_mail_unsubscribe(user=user)
        return noindex(HttpResponse("unsubscribed", content_type="text/plain"))
    return _page(request, token, user)


@never_cache
@require_POST
def unsubscribe_confirm(request, token):
    """The page's buttons: unsubscribe, or subscribe again."""
    user = user_of_token(token)
    if user is None:
        return _invalid(request)
    if request.POST.get("action") == "resubscribe":
        campaign_mail_resubscribe(user=user)
        done = "resubscribed"
    else:
        campaign_mail_unsubscribe(user=user)
        done = "unsubscribed"
    user.refresh_from_db(fields=["campaign_mail_opt_out"])
    return _page(request, token, user, done)
