"""Report downloads for reviewers and administrators (CSV that opens safely in Excel)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import reports
from ..forms import ExportForm
from .access import exporter_required


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
    return _download(request, reports.pledges_csv)


@exporter_required
def export_decisions(request):
    return _download(request, reports.decisions_csv)
