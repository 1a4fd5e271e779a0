"""Mail the product owes people: composed here, in the recipient's language, and sent once.

Each function takes ids (it runs in a worker) and is safe to run twice: a repeat finds the
record of what was sent and sends nothing more.
"""

from urllib.parse import urlsplit

from allauth.account.forms import ResetPasswordForm
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Invitation, Membership, User

from ..models import AuditEvent, Certificate, DecisionNotice, Pledge


def _render(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of ``mail/<template>_subject.txt`` and ``_body.txt``."""
    # One line: a name or title holding a line break would be refused as a header.
    subject = " ".join(render_to_string(f"mail/{template}_subject.txt", context).split())
    return subject, render_to_string(f"mail/{template}_body.txt", context)


def _members(pledge: Pledge):
    return Membership.objects.filter(enterprise_id=pledge.enterprise_id).select_related("user")


def _portal_link(pledge: Pledge) -> str:
    return settings.SITE_URL + reverse("portal:pledge", args=[pledge.pk])


def decision_notify(*, event_id: int) -> None:
    """Tell each member of the enterprise about a decision, in their own language, once."""
    event = (
        AuditEvent.objects.select_related("pledge__campaign", "pledge__enterprise")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.pledge is None:
        return
    pledge = event.pledge
    link = _portal_link(pledge)
    for membership in _members(pledge):
        user = membership.user
        try:
            # The notice row and the mail go together: a failed send rolls the row back.
            with transaction.atomic():
                DecisionNotice.objects.create(event=event, recipient=user)
                with translation.override(user.language):
                    subject, body = _render(
                        "decision", {"event": event, "pledge": pledge, "link": link, "user": user}
                    )
                send_mail(subject, body, None, [user.email])
        except IntegrityError:
            continue  # already told, by an earlier run


def certificate_ready_notify(*, certificate_id: int) -> None:
    """Mail each member once: the first run to stamp ``emailed_at`` sends, others do not."""
    claimed = Certificate.objects.filter(
        pk=certificate_id, state=Certificate.State.READY, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return
    certificate = Certificate.objects.select_related("pledge__enterprise", "pledge__campaign").get(
        pk=certificate_id
    )
    pledge = certificate.pledge
    link = _portal_link(pledge)
    try:
        for membership in _members(pledge):
            with translation.override(membership.user.language):
                subject, body = _render(
                    "certificate", {"certificate": certificate, "pledge": pledge, "link": link}
                )
            send_mail(subject, body, None, [membership.user.email])
    except OSError:
        # Nobody was told for sure: let the retry send again.
        Certificate.objects.filter(pk=certificate_id).update(emailed_at=None)
        raise


def invitation_send(*, invitation_id: int) -> None:
    """Mail the invitation link; a repeat only repeats the link."""
    invitation = (
        Invitation.objects.select_related("enterprise", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    with translation.override(invitation.invited_by.language):
        subject, body = _render(
            "invitation",
            {
                "invitation": invitation,
                "enterprise": invitation.enterprise,
                "inviter": invitation.invited_by,
                "signup_url": settings.SITE_URL + reverse("account_signup"),
                "portal_url": settings.SITE_URL + reverse("portal:dashboard"),
            },
        )
    send_mail(subject, body, None, [invitation.email])


def site_request() -> HttpRequest:
    """A request for the public site (SITE_URL), for allauth's mails sent by a worker."""
    parts = urlsplit(settings.SITE_URL)
    request = HttpRequest()
    # allauth adds https itself when ACCOUNT_DEFAULT_HTTP_PROTOCOL says so.
    request.META.update(
        SERVER_NAME=parts.hostname or "localhost",
        SERVER_PORT=str(parts.port or (443 if parts.scheme == "https" else 80)),
        HTTP_HOST=parts.netloc,
    )
    return request


def password_setup_send(*, user_id: int) -> None:
    """allauth's own reset mail for a new staff account without a password: its link
    (/accounts/password/reset/key/…) lets them choose one, and expires like any reset link.
    Only while the account still has no usable password, so a repeat after they chose one
    sends nothing."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return
    form = ResetPasswordForm(data={"email": user.email})
    if form.is_valid():
        request = site_request()
        with allauth_context.request_context(request), translation.override(user.language):
            form.save(request)
