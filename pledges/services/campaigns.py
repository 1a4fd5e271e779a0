"""Writes of campaigns: the pledge text is frozen once anyone has signed it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events
from ..errors import CampaignTextFrozen, DomainError
from ..models import Campaign, ChecklistItem
from .campaign_mail import campaign_invitations_owe

EDITABLE_FIELDS = ("title", "pledge_text", "opens_at", "closes_at", "number_prefix")


def campaign_create(*, actor, year: int, **values) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.create(year=year, **values)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(campaign=campaign, position=position, text=text, text_en=text_en)
            for position, (text, text_en) in enumerate(ChecklistItem.DEFAULTS)
        )
        events.campaign_created_event(campaign=campaign, actor=actor)
    return campaign


def campaign_update(*, campaign: Campaign, actor, **values) -> Campaign:
    values = {name: value for name, value in values.items() if name in EDITABLE_FIELDS}
    changed = [name for name, value in values.items() if getattr(campaign, name) != value]
    if not changed:
        return campaign
    with transaction.atomic():
        # Lock the campaign so a first signature cannot slip in while its text changes.
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if "pledge_text" in changed and locked.pledges.exists():
            raise CampaignTextFrozen()
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=changed)
        events.campaign_updated_event(campaign=locked, actor=actor, changed=changed)
    for name, value in values.items():
        setattr(campaign, name, value)
    return campaign


def campaign_open_now(*, campaign: Campaign, actor) -> Campaign:
    """Open signing of a campaign that has not opened yet, from this moment."""
    now = timezone.now()
    with transaction.atomic():
        # The WHERE clause re-checks the dates as stored, so a stale page cannot reopen a
        # closed campaign or shorten one that is already open.
        rows = Campaign.objects.filter(pk=campaign.pk, opens_at__gt=now, closes_at__gt=now)
        if rows.update(opens_at=now) != 1:
            stored = Campaign.objects.get(pk=campaign.pk)
            if stored.closes_at <= now:
                raise DomainError(
                    _(
                        "Signing cannot be opened: the closing date has passed. "
                        "Set a later closing date first."
                    )
                )
            raise DomainError(_("Signing of this campaign is already open."))
        campaign.opens_at = now
        events.campaign_opened_event(campaign=campaign, actor=actor)
        # Earlier signatories are invited as signing opens (the beat would, within a minute).
        campaign_invitations_owe(campaign=campaign)
    return campaign


def campaign_close_now(*, campaign: Campaign, actor) -> Campaign:
    """Close signing of an open campaign at this moment."""
    now = timezone.now()
    with transaction.atomic():
        # Only an open campaign can close now: closing one that has not opened would put
        # its closing date before its opening date.
        rows = Campaign.objects.filter(pk=campaign.pk, opens_at__lt=now, closes_at__gt=now)
        if rows.update(closes_at=now) != 1:
            raise DomainError(_("Signing of this campaign is not open."))
        campaign.closes_at = now
        events.campaign_closed_event(campaign=campaign, actor=actor)
    return campaign


def checklist_set(*, campaign: Campaign, actor, items: list[dict]) -> None:
    """Replace the campaign's checklist with ``items`` ({"text", "text_en", "mandatory"}, in
    order). Decisions already taken keep the items as they were ticked (in their events)."""
    before = list(campaign.checklist.values_list("text", "text_en", "mandatory"))
    after = [(item["text"], item.get("text_en", ""), item["mandatory"]) for item in items]
    if before == after:
        return
    with transaction.atomic():
        campaign.checklist.all().delete()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                campaign=campaign, position=position, text=text, text_en=text_en, mandatory=must
            )
            for position, (text, text_en, must) in enumerate(after)
        )
        events.campaign_updated_event(campaign=campaign, actor=actor, changed=["checklist"])
