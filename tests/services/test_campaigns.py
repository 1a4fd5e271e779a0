"""Campaigns: the pledge text freezes at the first signature."""

import pytest
from django.contrib.admin.sites import site

from pledges.errors import CampaignTextFrozen
from pledges.models import AuditEvent, Campaign
from pledges.services.campaigns import campaign_update
from pledges.services.pledges import pledge_create
from tests import factories

pytestmark = pytest.mark.django_db


def test_text_can_change_before_anyone_signs(campaign, owner):
    campaign_update(campaign=campaign, actor=owner, pledge_text="新的倡议文本")
    assert Campaign.objects.get(pk=campaign.pk).pledge_text == "新的倡议文本"
    assert AuditEvent.objects.filter(action="campaign_updated", campaign=campaign).exists()


def test_text_is_frozen_once_signed(campaign, enterprise, owner):
    pledge_create(enterprise=enterprise, campaign=campaign, actor=owner)
    with pytest.raises(CampaignTextFrozen):
        campaign_update(campaign=campaign, actor=owner, pledge_text="改过的文本")
    assert Campaign.objects.get(pk=campaign.pk).pledge_text == factories.PLEDGE_TEXT
    # Other fields, such as the closing date, may still change.
    later = campaign.closes_at.replace(year=campaign.closes_at.year + 1)
    campaign_update(campaign=campaign, actor=owner, closes_at=later)
    assert Campaign.objects.get(pk=campaign.pk).closes_at == later


def test_admin_shows_the_text_read_only_once_signed(rf, campaign, enterprise, owner):
    model_admin = site._registry[Campaign]
    request = rf.get("/admin/")
    request.user = owner
    assert "pledge_text" not in model_admin.get_readonly_fields(request, campaign)
    pledge_create(enterprise=enterprise, campaign=campaign, actor=owner)
    assert "pledge_text" in model_admin.get_readonly_fields(request, campaign)
    assert not model_admin.has_delete_permission(request, campaign)


def test_admin_cannot_edit_the_audit_log(rf, owner):
    model_admin = site._registry[AuditEvent]
    request = rf.get("/admin/")
    request.user = factories.user("root@example.com", is_staff=True, is_superuser=True)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)
