"""Writes of the pledge's life: each state change is one conditional UPDATE plus one event.

A decision also calls, in its own transaction, what it sets off: an approval owes a
certificate, every decision owes the enterprise's members a mail, and approvals and
revocations change what the public sees. Mails are rows of the outbox, owed in the same
transaction.
"""

from collections.abc import Collection

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events
from ..errors import (
    ChecklistIncomplete,
    ConcurrentChange,
    DomainError,
    IllegalTransition,
    IncompletePledge,
    SigningClosed,
)
from ..models import (
    EDITABLE_STATES,
    AuditEvent,
    Campaign,
    ChecklistItem,
    Enterprise,
    OutboxMessage,
    Pledge,
    text_sha256,
)
from ..storage import discard_private_file, store_private_upload
from .certificates import certificate_owe
from .notice import notice_until_for
from .notifications import members
from .outbox import messages_owe
from .publication import listing_publish, listing_revoke, listing_take_down

State = Pledge.State
STAMPED_PAGE = Pledge._meta.get_field("stamped_page")
Action = AuditEvent.Action


def _require_signing_open(campaign: Campaign) -> None:
    if not campaign.is_open():
        raise SigningClosed()


def pledge_create(
    *,
    enterprise: Enterprise,
    campaign: Campaign,
    actor,
    signer_name: str = "",
    signer_title: str = "",
    signer_authorised: bool = False,
    stamped_page: UploadedFile | None = None,
    stamped_page_type: str = "",
) -> Pledge:
    """Start the enterprise's pledge for a campaign, as a draft with a snapshot of the text."""
    _require_signing_open(campaign)
    stored_name = store_private_upload(STAMPED_PAGE, stamped_page, stamped_page_type)
    try:
        with transaction.atomic():
            # The lock orders this first signature after any edit of the text in progress.
            text = (
                Campaign.objects.select_for_update()
                .values_list("pledge_text", flat=True)
                .get(pk=campaign.pk)
            )
            pledge = Pledge.objects.create(
                enterprise=enterprise,
                campaign=campaign,
                text_snapshot=text,
                text_sha256=text_sha256(text),
                signer_name=signer_name,
                signer_title=signer_title,
                signer_authorised=signer_authorised,
                stamped_page=stored_name,
                stamped_page_type=stamped_page_type if stored_name else "",
                created_by=actor,
            )
            events.pledge_created_event(pledge=pledge, actor=actor)
    except IntegrityError:
        discard_private_file(stored_name)
        raise DomainError(
            _("Your enterprise has already started its pledge for this campaign.")
        ) from None
    except BaseException:
        discard_private_file(stored_name)
        raise
    return pledge


def pledge_update(
    *,
    pledge: Pledge,
    actor,
    signer_name: str,
    signer_title: str,
    signer_authorised: bool,
    stamped_page: UploadedFile | None = None,
    stamped_page_type: str = "",
) -> Pledge:
    """Edit a draft (or a pledge sent back for changes). Earlier files are kept for the record."""
    if pledge.state not in EDITABLE_STATES:
        raise IllegalTransition(_("This pledge can no longer be edited."))
    _require_signing_open(pledge.campaign)
    values = {
        "signer_name": signer_name,
        "signer_title": signer_title,
        "signer_authorised": signer_authorised,
    }
    changed = [name for name, value in values.items() if getattr(pledge, name) != value]
    stored_name = store_private_upload(STAMPED_PAGE, stamped_page, stamped_page_type)
    if stored_name:
        values.update(stamped_page=stored_name, stamped_page_type=stamped_page_type)
        changed.append("stamped_page")
    if not changed:
        return pledge
    try:
        with transaction.atomic():
            updated = Pledge.objects.filter(pk=pledge.pk, state=pledge.state).update(
                updated_at=timezone.now(), **values
            )
            if updated != 1:
                raise ConcurrentChange()
            for name, value in values.items():
                setattr(pledge, name, value)
            events.pledge_edited_event(pledge=pledge, actor=actor, changed=changed)
    except BaseException:
        discard_private_file(stored_name)
        raise
    return pledge


def _transition(
    pledge: Pledge,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    actor,
    reason: str = "",
    guard=None,
    details: dict | None = None,
    **fields,
) -> Pledge:
    """Move ``pledge`` to ``to`` if it is still in the state it was loaded in, and record it.

    Call inside a transaction (the decisions below add what follows to it). The UPDATE's
    WHERE clause names the loaded state, so of two concurrent requests exactly one changes
    the row; the other finds nothing to update and gets ConcurrentChange.
    """
    from_state = pledge.state
    if from_state not in allowed_from:
        raise IllegalTransition()
    rows = Pledge.objects.filter(pk=pledge.pk, state=from_state)
    if guard is not None:
        rows = rows.filter(guard)
    now = timezone.now()
    if rows.update(state=to, updated_at=now, **fields) != 1:
        raise ConcurrentChange()
    pledge.state = to
    pledge.updated_at = now
    for name, value in fields.items():
        setattr(pledge, name, value)
    return events.pledge_transition_event(
        action=action,
        pledge=pledge,
        actor=actor,
        from_state=from_state,
        to_state=to,
        reason=reason,
        **(details or {}),
    )


def _members_told(event: AuditEvent) -> None:
    """Every decision is owed to the enterprise's members as a mail, in its transaction."""
    messages_owe(
        kind=OutboxMessage.Kind.DECISION,
        about=f"event:{event.pk}",
        recipients=members(event.enterprise_id),
        enterprise=event.enterprise,
    )


def _complete_rows() -> Q:
    return (
        Q(signer_authorised=True) & ~Q(signer_name="") & ~Q(signer_title="") & ~Q(stamped_page="")
    )


def pledge_submit(*, pledge: Pledge, actor) -> Pledge:
    """Send a draft, or a pledge fixed after a change request, to the reviewers."""
    _require_signing_open(pledge.campaign)
    if pledge.state in EDITABLE_STATES and not pledge.is_complete:
        raise IncompletePledge()
    resubmission = pledge.state == State.CHANGES_REQUESTED
    with transaction.atomic():
        _transition(
            pledge,
            allowed_from=EDITABLE_STATES,
            to=State.SUBMITTED,
            action=Action.PLEDGE_RESUBMITTED if resubmission else Action.PLEDGE_SUBMITTED,
            actor=actor,
            guard=_complete_rows(),
            submitted_at=timezone.now(),
        )
    return pledge


def pledge_withdraw(*, pledge: Pledge, actor, reason: str = "") -> Pledge:
    with transaction.atomic():
        _transition(
            pledge,
            allowed_from=(State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED),
            to=State.WITHDRAWN,
            action=Action.PLEDGE_WITHDRAWN,
            actor=actor,
            reason=reason,
        )
    return pledge


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("A reason is required."))
    return reason


# A decision ends the reviewer's claim.
_DECIDED = {"claimed_by": None, "claimed_at": None}


def checklist_ticks(*, campaign_id: int, checked: Collection[int]) -> list[dict]:
    """The campaign's checklist as ticked (``checked``: item ids), to record with the
    decision; ChecklistIncomplete names the mandatory items left unticked."""
    items = list(ChecklistItem.objects.filter(campaign_id=campaign_id))
    missing = [item.display_text for item in items if item.mandatory and item.pk not in checked]
    if missing:
        raise ChecklistIncomplete(
            _("Tick every mandatory item of the checklist before approving: %(items)s")
            % {"items": _("; ").join(missing)}
        )
    return [
        {
            "text": item.text,
            "text_en": item.text_en,
            "mandatory": item.mandatory,
            "checked": item.pk in checked,
        }
        for item in items
    ]


def pledge_approve(*, pledge: Pledge, actor, checked: Collection[int] = ()) -> Pledge:
    """Publish the pledge, in public notice: the certificate it is owed commits (or not) with
    the decision. Refused while a mandatory item of the campaign's checklist is not among
    ``checked``, and when the working-day calendar cannot count the notice."""
    ticks = checklist_ticks(campaign_id=pledge.campaign_id, checked=set(checked))
    decided_at = timezone.now()
    notice_until = notice_until_for(decided_at)
    with transaction.atomic():
        event = _transition(
            pledge,
            allowed_from=(State.SUBMITTED,),
            to=State.APPROVED,
            action=Action.PLEDGE_APPROVED,
            actor=actor,
            details={"checklist": ticks} if ticks else {},
            decided_at=decided_at,
            **_DECIDED,
        )
        listing_publish(pledge=pledge, notice_until=notice_until)
        certificate_owe(pledge=pledge)
        _members_told(event)
    return pledge


def pledge_request_changes(*, pledge: Pledge, actor, reason: str) -> Pledge:
    reason = _require_reason(reason)
    with transaction.atomic():
        event = _transition(
            pledge,
            allowed_from=(State.SUBMITTED,),
            to=State.CHANGES_REQUESTED,
            action=Action.PLEDGE_CHANGES_REQUESTED,
            actor=actor,
            reason=reason,
            decided_at=timezone.now(),
            **_DECIDED,
        )
        _members_told(event)
    return pledge


def pledge_reject(*, pledge: Pledge, actor, reason: str) -> Pledge:
    reason = _require_reason(reason)
    with transaction.atomic():
        event = _transition(
            pledge,
            allowed_from=(State.SUBMITTED,),
            to=State.REJECTED,
            action=Action.PLEDGE_REJECTED,
            actor=actor,
            reason=reason,
            decided_at=timezone.now(),
            **_DECIDED,
        )
        _members_told(event)
    return pledge


def pledge_revoke(*, pledge: Pledge, actor, reason: str) -> Pledge:
    """Withdraw the association's endorsement; the listing stays public, marked revoked."""
    reason = _require_reason(reason)
    with transaction.atomic():
        event = _transition(
            pledge,
            allowed_from=(State.APPROVED,),
            to=State.REVOKED,
            action=Action.PLEDGE_REVOKED,
            actor=actor,
            reason=reason,
        )
        listing_revoke(pledge=pledge, reason=reason, at=event.created_at)
        _members_told(event)
    return pledge


def pledge_take_down(*, pledge: Pledge, actor, reason: str) -> Pledge:
    """Remove a published pledge from every public surface (abusive or unlawful content):
    an approved pledge is revoked by it; the reason is internal and for the members."""
    reason = _require_reason(reason)
    if pledge.state not in (State.APPROVED, State.REVOKED):
        raise IllegalTransition()
    with transaction.atomic():
        if pledge.state == State.APPROVED:
            event = _transition(
                pledge,
                allowed_from=(State.APPROVED,),
                to=State.REVOKED,
                action=Action.PLEDGE_TAKEN_DOWN,
                actor=actor,
                reason=reason,
            )
        else:
            event = events.pledge_transition_event(
                action=Action.PLEDGE_TAKEN_DOWN,
                pledge=pledge,
                actor=actor,
                from_state=pledge.state,
                to_state=pledge.state,
                reason=reason,
            )
        listing_take_down(pledge=pledge, at=event.created_at)
        _members_told(event)
    return pledge
