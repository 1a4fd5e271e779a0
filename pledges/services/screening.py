"""Writes of the banned terms and of the block list (administrators keep both in the
console)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import BlockedSource

from .. import events
from ..errors import DomainError
from ..models import AuditEvent, BannedTerm
from ..screening import forget_banned_terms

Action = AuditEvent.Action


def banned_term_add(*, term: str, actor) -> BannedTerm:
    try:
        with transaction.atomic():
            banned = BannedTerm.objects.create(term=term, created_by=actor)
            events.banned_term_event(Action.BANNED_TERM_ADDED, actor=actor, term=term)
            transaction.on_commit(forget_banned_terms)
    except IntegrityError:
        raise DomainError(_("This term is already on the list.")) from None
    return banned


def banned_term_remove(*, banned: BannedTerm, actor) -> None:
    with transaction.atomic():
        BannedTerm.objects.filter(pk=banned.pk).delete()
        events.banned_term_event(Action.BANNED_TERM_REMOVED, actor=actor, term=banned.term)
        transaction.on_commit(forget_banned_terms)


def source_block(*, kind: str, value: str, reason: str, actor) -> BlockedSource:
    """Refuse sign-ups and objections from a client address or an e-mail domain."""
    try:
        with transaction.atomic():
            blocked = BlockedSource.objects.create(kind=kind, value=value, reason=reason)
            events.block_list_event(Action.SOURCE_BLOCKED, actor=actor, kind=kind, value=value)
    except IntegrityError:
        raise DomainError(_("This is already on the block list.")) from None
    return blocked


def source_unblock(*, blocked: BlockedSource, actor) -> None:
    with transaction.atomic():
        BlockedSource.objects.filter(pk=blocked.pk).delete()
        events.block_list_event(
            Action.SOURCE_UNBLOCKED, actor=actor, kind=blocked.kind, value=blocked.value
        )
