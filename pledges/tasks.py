"""Thin Celery tasks: load by id, do one thing, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership

from .models import AuditEvent, DecisionNotice


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_decision_email(event_id: int) -> None:
    """Tell each member of the enterprise about a decision, in their own language, once."""
    event = (
        AuditEvent.objects.select_related("pledge__campaign", "pledge__enterprise")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.pledge is None:
        return
    pledge = event.pledge
    link = settings.SITE_URL + reverse("portal:pledge", args=[pledge.pk])
    members = Membership.objects.filter(enterprise=pledge.enterprise).select_related("user")
    for membership in members:
        user = membership.user
        try:
            # The notice row and the mail go together: a failed send rolls the row back.
            with transaction.atomic():
                DecisionNotice.objects.create(event=event, recipient=user)
                with translation.override(user.language):
                    context = {"event": event, "pledge": pledge, "link": link, "user": user}
                    subject = render_to_string("mail/decision_subject.txt", context).strip()
                    body = render_to_string("mail/decision_body.txt", context)
                send_mail(subject, body, None, [user.email])
        except IntegrityError:
            continue  # already told, by an earlier run of this task
