"""Campaign administration in the review console: list, create, edit, open and close now."""

import copy

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from ...errors import CampaignTextFrozen, DomainError
from ...models import Campaign, Pledge
from ...services.campaigns import (
    campaign_close_now,
    campaign_create,
    campaign_open_now,
    campaign_update,
    checklist_set,
)
from .. import selectors
from ..forms import CampaignCreateForm, CampaignForm, ChecklistFormSet, checklist_items
from .access import administrator_required


def _status(campaign: Campaign, now) -> tuple[str, str]:
    if campaign.opens_at > now:
        return "upcoming", _("Upcoming")
    if campaign.closes_at <= now:
        return "closed", _("Closed")
    return "open", pgettext_lazy("campaign status", "Open")


@administrator_required
def campaign_list(request):
    campaigns = selectors.campaigns_with_state_counts()
    now = timezone.now()
    for campaign in campaigns:
        campaign.status, campaign.status_label = _status(campaign, now)
        campaign.state_counts = [
            (value, label, getattr(campaign, value))
            for value, label in Pledge.State.choices
            if getattr(campaign, value)
        ]
    return render(request, "review/campaigns.html", {"campaigns": campaigns})


@administrator_required
def campaign_create_view(request):
    form = CampaignCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_create(actor=request.user, **data)
        except IntegrityError:
            # Another administrator created the same year a moment ago.
            form.add_error("year", _("There is already a campaign for %(year)s.") % data)
        else:
            messages.success(request, _("The campaign %(year)s is created.") % data)
            return redirect("review:campaign_edit", year=campaign.year)
    return render(request, "review/campaign_form.html", {"form": form, "creating": True})


@administrator_required
def campaign_edit(request, year):
    campaign = selectors.campaign_of_year(year=year)
    # The form works on a copy: validation writes onto its instance, the service compares.
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        instance=copy.copy(campaign),
        text_frozen=selectors.campaign_has_signatures(campaign),
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign_update(campaign=campaign, actor=request.user, **form.cleaned_data)
        except CampaignTextFrozen as error:
            # The first signature arrived while the form was being filled in.
            messages.error(request, error.message)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect("review:campaigns")
    return render(
        request,
        "review/campaign_form.html",
        {"form": form, "campaign": campaign, "creating": False},
    )


@require_POST
@administrator_required
def campaign_open(request, year):
    campaign = selectors.campaign_of_year(year=year)
    try:
        campaign_open_now(campaign=campaign, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Signing of %(title)s is open.") % {"title": campaign.title})
    return redirect("review:campaigns")


@require_POST
@administrator_required
def campaign_close(request, year):
    campaign = selectors.campaign_of_year(year=year)
    try:
        campaign_close_now(campaign=campaign, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Signing of %(title)s is closed.") % {"title": campaign.title})
    return redirect("review:campaigns")


@administrator_required
def campaign_checklist(request, year):
    """The items reviewers tick on the stamped page before approving a pledge of this year."""
    campaign = selectors.campaign_of_year(year=year)
    initial = [
        {"text": item.text, "text_en": item.text_en, "mandatory": item.mandatory}
        for item in selectors.checklist(campaign.pk)
    ]
    formset = ChecklistFormSet(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        checklist_set(campaign=campaign, actor=request.user, items=checklist_items(formset))
        messages.success(request, _("The checklist is saved."))
        return redirect("review:campaign_checklist", year=campaign.year)
    status = 400 if request.method == "POST" else 200
    context = {"campaign": campaign, "formset": formset}
    return render(request, "review/campaign_checklist.html", context, status=status)
