"""Writes of an enterprise's team: invitations from its owner, accepted by the invited person."""

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, Membership, User

from .. import events
from ..errors import DomainError, NotAllowed
from ..models import OutboxMessage
from ..roles import STAFF_CANNOT_JOIN, is_reviewer
from .outbox import messages_owe


def _require_owner(actor: User, enterprise) -> None:
    if not Membership.objects.filter(
        user=actor, enterprise=enterprise, role=Membership.Role.OWNER
    ).exists():
        raise NotAllowed(_("Only the enterprise's owner can manage its team."))


def invitation_create(*, enterprise, actor: User, email: str) -> Invitation:
    _require_owner(actor, enterprise)
    email = email.strip().lower()
    if Membership.objects.filter(enterprise=enterprise, user__email__iexact=email).exists():
        raise DomainError(_("This person is already a member of your enterprise."))
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise DomainError(_("This address already belongs to another enterprise's account."))
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                enterprise=enterprise, email=email, invited_by=actor
            )
            events.member_invited_event(enterprise=enterprise, actor=actor, email=email)
            messages_owe(
                kind=OutboxMessage.Kind.INVITATION,
                about=f"invitation:{invitation.pk}",
                recipients=[(email, actor.language)],
                enterprise=enterprise,
            )
    except IntegrityError:
        raise DomainError(_("This address has already been invited.")) from None
    return invitation


def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    _require_owner(actor, invitation.enterprise)
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if updated != 1:
            raise DomainError(_("This invitation is no longer open."))
        events.invitation_revoked_event(
            enterprise=invitation.enterprise, actor=actor, email=invitation.email
        )


def invitation_accept(*, invitation: Invitation, actor: User) -> Membership:
    """Join the enterprise; only the owner of the invited, verified e-mail address may."""
    if is_reviewer(actor):
        raise DomainError(STAFF_CANNOT_JOIN)
    verified = EmailAddress.objects.filter(
        user=actor, email__iexact=invitation.email, verified=True
    ).exists()
    if not verified:
        raise NotAllowed(_("This invitation was sent to another e-mail address."))
    try:
        with transaction.atomic():
            updated = Invitation.objects.filter(
                pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
            ).update(accepted_at=timezone.now(), accepted_by=actor)
            if updated != 1:
                raise DomainError(_("This invitation is no longer open."))
            membership = Membership.objects.create(
                user=actor, enterprise=invitation.enterprise, role=Membership.Role.MEMBER
            )
            events.member_joined_event(enterprise=invitation.enterprise, actor=actor)
    except IntegrityError:
        raise DomainError(_("Your account already belongs to an enterprise.")) from None
    return membership
