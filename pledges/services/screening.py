"""Writes of the banned terms (administrators keep the list in the console)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

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
