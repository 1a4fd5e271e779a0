"""Writes of campaigns: the pledge text is frozen once anyone has signed it."""

from django.db import transaction

from .. import events
from ..errors import CampaignTextFrozen
from ..models import Campaign

EDITABLE_FIELDS = ("title", "pledge_text", "opens_at", "closes_at", "number_prefix")


def campaign_create(*, actor, year: int, **values) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.create(year=year, **values)
        events.campaign_created_event(campaign=campaign, actor=actor)
    return campaign


def campaign_has_signatures(campaign: Campaign) -> bool:
    return campaign.pledges.exists()


def campaign_update(*, campaign: Campaign, actor, **values) -> Campaign:
    values = {name: value for name, value in values.items() if name in EDITABLE_FIELDS}
    changed = [name for name, value in values.items() if getattr(campaign, name) != value]
    if not changed:
        return campaign
    with transaction.atomic():
        # Lock the campaign so a first signature cannot slip in while its text changes.
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if "pledge_text" in changed and campaign_has_signatures(locked):
            raise CampaignTextFrozen()
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=changed)
        events.campaign_updated_event(campaign=locked, actor=actor, changed=changed)
    for name, value in values.items():
        setattr(campaign, name, value)
    return campaign
