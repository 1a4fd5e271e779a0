"""Changes of public details asked for by published enterprises: the diff, then a decision."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...errors import DomainError
from ...services.enterprises import profile_change_approve, profile_change_reject
from .. import selectors
from ..forms import ChangeRejectForm
from .access import reviewer_required


@reviewer_required
def change_list(request):
    return render(request, "review/changes.html", {"changes": selectors.pending_changes()})


@reviewer_required
def change_detail(request, change_id, reject_form=None):
    change = selectors.change_for_review(change_id=change_id)
    return render(
        request,
        "review/change_detail.html",
        {
            "change": change,
            "diff": change.diff(),
            "flags": selectors.change_flags(change),
            "history": selectors.change_history(change.enterprise),
            "reject_form": reject_form or ChangeRejectForm(),
        },
    )


@require_POST
@reviewer_required
def change_approve(request, change_id):
    change = selectors.change_for_review(change_id=change_id)
    try:
        profile_change_approve(change=change, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("review:change", change_id=change.pk)
    messages.success(request, _("The change is approved and published."))
    return redirect("review:changes")


@require_POST
@reviewer_required
def change_reject(request, change_id):
    change = selectors.change_for_review(change_id=change_id)
    form = ChangeRejectForm(request.POST)
    if not form.is_valid():
        return change_detail(request, change_id, reject_form=form)
    try:
        profile_change_reject(change=change, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("review:change", change_id=change.pk)
    messages.success(request, _("The change is rejected."))
    return redirect("review:changes")
