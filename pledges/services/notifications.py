"""What each owed message says: composed here, in the recipient's language, when a worker
sends it (pledges.services.outbox), from what the message is about."""

import math
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Invitation, Membership, User

from ..models import AuditEvent, Campaign, Certificate, Enterprise, Objection, OutboxMessage, Pledge

Kind = OutboxMessage.Kind


def _render(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of ``mail/<template>_subject.txt`` and ``_body.txt``."""
    # One line: a name or title holding a line break would be refused as a header.
    subject = " ".join(render_to_string(f"mail/{template}_subject.txt", context).split())
    return subject, render_to_string(f"mail/{template}_body.txt", context)


def members(enterprise_id: int) -> list[User]:
    """Who is told about the enterprise's pledges: every member, each in their language."""
    return [
        membership.user
        for membership in Membership.objects.filter(enterprise_id=enterprise_id).select_related(
            "user"
        )
    ]


def _portal_link(pledge: Pledge) -> str:
    return settings.SITE_URL + reverse("portal:pledge", args=[pledge.pk])


def compose(message: OutboxMessage) -> tuple | None:
    """(subject, body) of an owed message, or (subject, body, headers), or None when what it
    is about is gone."""
    pk = int(message.about.split(":")[1])  # "event:12", "certificate:3:CQ-2026-000001" …
    with translation.override(message.language):
        return COMPOSERS[message.kind](pk, message)


def _decision(event_id: int, message: OutboxMessage):
    event = (
        AuditEvent.objects.select_related("pledge__campaign", "pledge__enterprise")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.pledge is None:
        return None
    pledge = event.pledge
    return _render(
        "decision",
        {"event": event, "pledge": pledge, "link": _portal_link(pledge), "user": message.recipient},
    )


def _certificate(certificate_id: int, message: OutboxMessage):
    certificate = (
        Certificate.objects.select_related("pledge__listing", "pledge__campaign")
        .filter(pk=certificate_id, state=Certificate.State.READY)
        .first()
    )
    number = message.about.rsplit(":", 1)[-1]
    if certificate is None or certificate.number != number:
        return None  # superseded since: its successor has a message of its own
    pledge = certificate.pledge
    return _render(
        "certificate",
        {
            "certificate": certificate,
            "pledge": pledge,
            "name": pledge.listing.name,
            "link": _portal_link(pledge),
        },
    )


def _invitation(invitation_id: int, message: OutboxMessage):
    invitation = (
        Invitation.objects.select_related("enterprise", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return None
    return _render(
        "invitation",
        {
            "invitation": invitation,
            "enterprise": invitation.enterprise,
            "inviter": invitation.invited_by,
            "signup_url": settings.SITE_URL + reverse("account_signup"),
            "portal_url": settings.SITE_URL + reverse("portal:dashboard"),
        },
    )


def _password(user_id: int, message: OutboxMessage):
    """A new staff account chooses its password from allauth's reset link (it expires like
    any reset link); nothing once the account has a usable password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return None
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return _render("password", {"user": user, "link": settings.SITE_URL + path})


def _objection(objection_id: int) -> Objection | None:
    return Objection.objects.select_related("listing").filter(pk=objection_id).first()


def _objection_confirm(objection_id: int, message: OutboxMessage):
    from .objections import confirmation_token

    objection = _objection(objection_id)
    if objection is None or objection.state != Objection.State.UNCONFIRMED:
        return None
    path = reverse("public:objection_confirm", args=[confirmation_token(objection.pk)])
    return _render(
        "objection_confirm",
        {"objection": objection, "listing": objection.listing, "link": settings.SITE_URL + path},
    )


def _objection_filed(objection_id: int, message: OutboxMessage):
    objection = _objection(objection_id)
    if objection is None:
        return None
    return _render(
        "objection_filed",
        {
            "objection": objection,
            "listing": objection.listing,
            "link": settings.SITE_URL + reverse("portal:objection", args=[objection.pk]),
        },
    )


def _objection_answer(objection_id: int, message: OutboxMessage):
    objection = _objection(objection_id)
    if objection is None or objection.state != Objection.State.ANSWERED:
        return None
    return _render("objection_answer", {"objection": objection, "listing": objection.listing})


def _renewal(campaign_id: int, message: OutboxMessage):
    """An invitation or a reminder to sign again, with its one-click unsubscribe; nothing
    once the member unsubscribed or left, the enterprise signed, or signing closed."""
    from .campaign_mail import SIGNED_STATES, unsubscribe_url

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    user = message.recipient
    if campaign is None or user is None or not campaign.is_open():
        return None
    if user.campaign_mail_opt_out is not None or not user.is_active:
        return None
    enterprise = Enterprise.objects.filter(pk=message.enterprise_id, memberships__user=user).first()
    if enterprise is None:
        return None
    if campaign.pledges.filter(enterprise=enterprise, state__in=SIGNED_STATES).exists():
        return None
    closes = timezone.localtime(campaign.closes_at)
    days_left = max(1, math.ceil((campaign.closes_at - timezone.now()) / timedelta(days=1)))
    unsubscribe = unsubscribe_url(user)
    subject, body = _render(
        "renewal_reminder" if message.kind == Kind.RENEWAL_REMINDER else "renewal_invitation",
        {
            "campaign": campaign,
            "enterprise": enterprise,
            "closes_on": f"{closes:%Y-%m-%d %H:%M}",
            "days_left": days_left,
            "sign_url": settings.SITE_URL + reverse("portal:sign", args=[campaign.year]),
            "unsubscribe_url": unsubscribe,
        },
    )
    # RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and post to it in one click.
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return subject, body, headers


COMPOSERS = {
    Kind.DECISION: _decision,
    Kind.CERTIFICATE: _certificate,
    Kind.INVITATION: _invitation,
    Kind.PASSWORD: _password,
    Kind.OBJECTION_CONFIRM: _objection_confirm,
    Kind.OBJECTION_FILED: _objection_filed,
    Kind.OBJECTION_ANSWER: _objection_answer,
    Kind.RENEWAL_INVITATION: _renewal,
    Kind.RENEWAL_REMINDER: _renewal,
}
