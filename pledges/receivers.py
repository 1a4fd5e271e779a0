"""Work queued after a pledge's state changes, without touching the decision code."""

from django.db import transaction
from django.dispatch import receiver

from .models import Pledge
from .public_selectors import bump_public_data_version
from .services.certificates import certificate_owe
from .signals import pledge_transitioned
from .tasks import send_decision_email

# The enterprise's members hear about every decision the association takes.
NOTIFIED_STATES = {
    Pledge.State.APPROVED,
    Pledge.State.CHANGES_REQUESTED,
    Pledge.State.REJECTED,
    Pledge.State.REVOKED,
}


@receiver(pledge_transitioned, dispatch_uid="decision_email")
def queue_decision_email(sender, *, to_state, event, **kwargs):
    if to_state in NOTIFIED_STATES:
        event_id = event.pk
        transaction.on_commit(lambda: send_decision_email.delay(event_id))


@receiver(pledge_transitioned, dispatch_uid="certificate_owed")
def owe_certificate(sender, *, pledge, to_state, **kwargs):
    # Inside the approval's transaction: the pending row commits (or not) with the decision.
    if to_state == Pledge.State.APPROVED:
        certificate_owe(pledge=pledge)


@receiver(pledge_transitioned, dispatch_uid="public_data_changed")
def public_data_changed(sender, *, from_state, to_state, **kwargs):
    # The public pages' caches are keyed by a version: a new one makes the change visible.
    if Pledge.State.APPROVED in (from_state, to_state):
        transaction.on_commit(bump_public_data_version)
