"""Writes of staff roles: who may review pledges and who administers the console."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User

from .. import events
from ..errors import DomainError, NotAllowed
from ..models import OutboxMessage
from ..roles import ADMINISTRATOR, ROLE_GROUPS, ROLE_LABELS
from .outbox import messages_owe


def _group(role: str) -> Group:
    if role not in ROLE_GROUPS:
        raise DomainError(_("Unknown role."))
    return Group.objects.get(name=ROLE_GROUPS[role])


def _user_for_email(email: str) -> User | None:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email, verified=True).first()
        user = address.user if address else None
    return user


def _create_staff_user(email: str) -> User:
    """An account without a password; its owner sets one through the password-reset mail."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=None)
            # The association vouches for the address, so it need not be confirmed again.
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    except IntegrityError:
        raise DomainError(_("This address was registered a moment ago. Please retry.")) from None
    return user


def staff_role_grant(*, actor: User, email: str, role: str) -> User:
    """Give ``role`` to the person with ``email``, creating their account if there is none."""
    email = email.strip().lower()
    group = _group(role)
    with transaction.atomic():
        user = _user_for_email(email)
        created = user is None
        if created:
            user = _create_staff_user(email)
        # The lock orders this grant after a concurrent one for the same person.
        user = User.objects.select_for_update().get(pk=user.pk)
        if Membership.objects.filter(user=user).exists():
            # Reviewers must never decide on their own company's pledge.
            raise DomainError(
                _(
                    "%(email)s belongs to an enterprise's account and cannot be given a staff "
                    "role. Use a separate address for the association's work."
                )
                % {"email": user.email}
            )
        if user.groups.filter(pk=group.pk).exists():
            raise DomainError(
                _("%(email)s already has the role %(role)s.")
                % {"email": user.email, "role": ROLE_LABELS[role]}
            )
        user.groups.add(group)
        events.staff_role_granted_event(actor=actor, user=user, role=role)
        if created:
            # They choose a password from the mailed link.
            messages_owe(
                kind=OutboxMessage.Kind.PASSWORD, about=f"user:{user.pk}", recipients=[user]
            )
    return user


def staff_role_revoke(*, actor: User, user: User, role: str) -> None:
    group = _group(role)
    if role == ADMINISTRATOR and user.pk == actor.pk:
        # Keeps at least one administrator: nobody can lock the console out by accident.
        raise NotAllowed(_("You cannot remove your own administrator role."))
    with transaction.atomic():
        removed, _rows = User.groups.through.objects.filter(user=user, group=group).delete()
        if removed != 1:
            raise DomainError(
                _("%(email)s does not have the role %(role)s.")
                % {"email": user.email, "role": ROLE_LABELS[role]}
            )
        events.staff_role_revoked_event(actor=actor, user=user, role=role)
