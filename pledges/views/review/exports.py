"""Report downloads for reviewers and administrators (CSV that opens safely in Excel)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import exports
from ...models import Campaign
from .access import exporter_required


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year} · {obj.title}"


class ExportForm(forms.Form):
    campaign = CampaignChoiceField(
        queryset=Campaign.objects.only("year", "title"),
        to_field_name="year",
        required=False,
        empty_label=gettext_lazy("All campaigns"),
        label=gettext_lazy("Campaign"),
    )


@exporter_required
def export_list(request):
    form = ExportForm(request.GET or None)
    form.is_valid()  # Only to show the chosen campaign again; the downloads check it too.
    return render(request, "review/exports.html", {"form": form})


def _download(request, report):
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a campaign from the list."))
        return redirect("review:exports")
    return report(campaign=form.cleaned_data["campaign"])


@exporter_required
def export_pledges(request):
    return _download(request, exports.pledges_csv)


@exporter_required
def export_decisions(request):
    return _download(request, exports.decisions_csv)
