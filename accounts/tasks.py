from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation


@shared_task(acks_late=True)
def send_invitation_email(invitation_id: int) -> None:
    """Mail the invitation link; safe to run twice (a second mail only repeats the link)."""
    invitation = (
        Invitation.objects.select_related("enterprise", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    with translation.override(invitation.invited_by.language):
        context = {
            "invitation": invitation,
            "enterprise": invitation.enterprise,
            "inviter": invitation.invited_by,
            "signup_url": settings.SITE_URL + reverse("account_signup"),
            "portal_url": settings.SITE_URL + reverse("portal:dashboard"),
        }
        # One line: a name or title holding a line break would be refused as a header.
        subject = " ".join(render_to_string("mail/invitation_subject.txt", context).split())
        body = render_to_string("mail/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
