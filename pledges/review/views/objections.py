"""Objections to public listings: the queue with deadlines, one objection with both sides'
statements and evidence, and the answer."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...errors import DomainError
from ...responses import private_file_response
from ...services.objections import objection_answer
from .. import selectors
from ..forms import ObjectionAnswerForm
from .access import reviewer_required


@reviewer_required
def objection_list(request):
    open_ones, answered = selectors.objections_queue()
    return render(request, "review/objections.html", {"open_ones": open_ones, "answered": answered})


@reviewer_required
def objection_detail(request, objection_id, form=None):
    objection = selectors.objection_for_review(objection_id=objection_id)
    return render(
        request,
        "review/objection_detail.html",
        {
            "objection": objection,
            "listing": objection.listing,
            "evidence": list(objection.evidence.all()),
            "form": form or ObjectionAnswerForm(),
        },
    )


@require_POST
@reviewer_required
def objection_answer_view(request, objection_id):
    objection = selectors.objection_for_review(objection_id=objection_id)
    form = ObjectionAnswerForm(request.POST)
    if not form.is_valid():
        return objection_detail(request, objection_id, form=form)
    try:
        objection_answer(objection=objection, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("review:objection", objection_id=objection.pk)
    messages.success(
        request, _("The objection is answered: the outcome is public and the objector is told.")
    )
    return redirect("review:objections")


@reviewer_required
def objection_evidence(request, evidence_id):
    evidence = selectors.objection_evidence_for_review(evidence_id=evidence_id)
    return private_file_response(
        evidence.file, f"objection-{evidence.objection_id}-{evidence.party}-{evidence.pk}"
    )
