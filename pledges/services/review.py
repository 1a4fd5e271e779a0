"""Writes of the review console besides single decisions: claims, internal notes and
approval in bulk."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events
from ..errors import DomainError
from ..models import Pledge, ReviewNote, claim_cutoff
from .pledges import pledge_approve


def pledge_claim(*, pledge: Pledge, actor) -> Pledge:
    """Take the pledge for review, unless another reviewer holds a claim that has not lapsed."""
    now = timezone.now()
    free = Q(claimed_by__isnull=True) | Q(claimed_at__lt=claim_cutoff()) | Q(claimed_by=actor)
    with transaction.atomic():
        rows = Pledge.objects.filter(free, pk=pledge.pk, state=Pledge.State.SUBMITTED)
        if rows.update(claimed_by=actor, claimed_at=now) != 1:
            raise DomainError(
                _("Another reviewer has claimed this pledge, or it is no longer waiting.")
            )
        pledge.claimed_by, pledge.claimed_at = actor, now
        events.pledge_claimed_event(pledge=pledge, actor=actor)
    return pledge


def pledge_release(*, pledge: Pledge, actor) -> Pledge:
    """Give up one's own claim."""
    with transaction.atomic():
        if (
            Pledge.objects.filter(pk=pledge.pk, claimed_by=actor).update(
                claimed_by=None, claimed_at=None
            )
            != 1
        ):
            raise DomainError(_("You do not hold a claim on this pledge."))
        pledge.claimed_by = pledge.claimed_at = None
        events.pledge_released_event(pledge=pledge, actor=actor)
    return pledge


def note_add(*, pledge: Pledge, actor, text: str) -> ReviewNote:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("The note is empty."))
    with transaction.atomic():
        note = ReviewNote.objects.create(pledge=pledge, author=actor, text=text)
        events.note_added_event(pledge=pledge, actor=actor, note_id=note.pk)
    return note


@dataclass
class BulkApproval:
    approved: list[Pledge] = field(default_factory=list)
    # Pledges whose state had changed since the reviewer chose them (shown as they are now).
    skipped: list[Pledge] = field(default_factory=list)


def pledges_approve_in_bulk(*, pledges: list[Pledge], actor, checked=()) -> BulkApproval:
    """Approve each pledge on its own (one transaction each, as if clicked one by one), so
    one that another reviewer decided meanwhile is skipped and the rest still go through.
    ``checked``: the checklist items ticked for all of them."""
    outcome = BulkApproval()
    for pledge in pledges:
        try:
            pledge_approve(pledge=pledge, actor=actor, checked=checked)
        except DomainError:
            pledge.refresh_from_db(fields=["state"])
            outcome.skipped.append(pledge)
        else:
            outcome.approved.append(pledge)
    return outcome
