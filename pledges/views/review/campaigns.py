"""Campaign administration in the review console: list, create, edit, open and close now."""

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import IntegrityError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from ...errors import CampaignTextFrozen, DomainError
from ...forms import validate_plain_text
from ...models import Campaign, Pledge
from ...services.campaigns import (
    campaign_close_now,
    campaign_create,
    campaign_has_signatures,
    campaign_open_now,
    campaign_update,
)
from .access import administrator_required

# The browser's own date-and-time picker; the value is read in the site's time zone.
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.ModelForm):
    """A campaign's editable fields; the pledge text is read-only once anyone has signed."""

    number_prefix = forms.CharField(
        label=gettext_lazy("Certificate number prefix"),
        max_length=10,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]*$",
                gettext_lazy("Use capital letters and digits, starting with a letter."),
            )
        ],
        help_text=Campaign._meta.get_field("number_prefix").help_text,
    )

    class Meta:
        model = Campaign
        fields = ["title", "pledge_text", "opens_at", "closes_at", "number_prefix"]
        widgets = {
            "pledge_text": forms.Textarea(attrs={"rows": 10}),
            "opens_at": DATETIME_WIDGET,
            "closes_at": DATETIME_WIDGET,
        }

    def __init__(self, *args, text_frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "pledge_text"):
            self.fields[name].validators.append(validate_plain_text)
        if text_frozen:
            # A disabled field ignores what is posted and keeps the stored text.
            field = self.fields["pledge_text"]
            field.disabled = True
            field.help_text = gettext_lazy(
                "Enterprises have already signed this text, so it can no longer change. "
                "Publish a new text in a new campaign instead."
            )

    def clean_closes_at(self):
        opens_at = self.cleaned_data.get("opens_at")
        closes_at = self.cleaned_data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            raise ValidationError(
                _("Signing must close after it opens."), code="closes_before_opening"
            )
        return closes_at


class CampaignCreateForm(CampaignForm):
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )

    class Meta(CampaignForm.Meta):
        fields = ["year", *CampaignForm.Meta.fields]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if Campaign.objects.filter(year=year).exists():
            raise ValidationError(_("There is already a campaign for %(year)s.") % {"year": year})
        return year


def _status(campaign: Campaign, now) -> tuple[str, str]:
    if campaign.opens_at > now:
        return "upcoming", _("Upcoming")
    if campaign.closes_at <= now:
        return "closed", _("Closed")
    return "open", pgettext_lazy("campaign status", "Open")


@administrator_required
def campaign_list(request):
    # One query: each state's count is a filtered COUNT over the campaign's pledges.
    counts = {
        state: Count("pledges", filter=Q(pledges__state=state)) for state in Pledge.State.values
    }
    campaigns = list(
        Campaign.objects.defer("pledge_text").annotate(**counts, total=Count("pledges"))
    )
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
    campaign = get_object_or_404(Campaign, year=year)
    # The form works on a copy: validation writes onto its instance, the service compares.
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        instance=copy.copy(campaign),
        text_frozen=campaign_has_signatures(campaign),
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
    campaign = get_object_or_404(Campaign, year=year)
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
    campaign = get_object_or_404(Campaign, year=year)
    try:
        campaign_close_now(campaign=campaign, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Signing of %(title)s is closed.") % {"title": campaign.title})
    return redirect("review:campaigns")
