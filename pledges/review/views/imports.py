"""Importing earlier years' lists of signatories, for administrators: upload, dry run, the
per-row report, and the imports made so far."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from ...errors import DomainError
from ...services.imports import REFUSED, signatories_import
from .. import selectors
from ..forms import SignatoryImportForm
from .access import administrator_required

# Rows with a reason or a note shown on the page; the CSV report has them all.
SHOWN_ROWS = 500


@administrator_required
def import_list(request):
    form = SignatoryImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = signatories_import(
                year=form.cleaned_data["year"],
                file_name=upload.name,
                data=upload.read(),
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as error:
            form.add_error("file", error.message)
    status = 400 if request.method == "POST" and result is None else 200
    context = {
        "form": form,
        "result": result,
        "rows": [row for row in result.rows if row.notes][:SHOWN_ROWS] if result else [],
        "refused": REFUSED,
        "imports": selectors.signatory_imports(),
    }
    return render(request, "review/imports.html", context, status=status)


@administrator_required
def import_report(request, import_id):
    record = selectors.signatory_import(import_id=import_id)
    if record is None:
        raise Http404
    response = HttpResponse("\ufeff" + record.report_csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"import-{record.year}-{record.pk}-report.csv"
    )
    return response
