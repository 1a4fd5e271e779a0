"""Decisions: each one confirmed on its own page, then carried out by a service."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ...errors import DomainError
from ...services import pledges as services
from ...services.review import pledges_approve_in_bulk
from .. import selectors
from ..forms import BulkApprovalForm, DecisionForm
from .access import reviewer_required

DECISIONS = {
    # URL word: (service, needs a reason, button label, done message)
    "approve": (
        services.pledge_approve,
        False,
        gettext_lazy("Approve"),
        gettext_lazy("The pledge is approved."),
    ),
    "request_changes": (
        services.pledge_request_changes,
        True,
        gettext_lazy("Request changes"),
        gettext_lazy("The enterprise is asked to make changes."),
    ),
    "reject": (
        services.pledge_reject,
        True,
        gettext_lazy("Reject"),
        gettext_lazy("The pledge is rejected."),
    ),
    "revoke": (
        services.pledge_revoke,
        True,
        gettext_lazy("Revoke"),
        gettext_lazy("The pledge is revoked."),
    ),
    "take_down": (
        services.pledge_take_down,
        True,
        gettext_lazy("Take down"),
        gettext_lazy("The listing is taken down from every public page."),
    ),
}


@reviewer_required
def decide(request, pledge_id, decision):
    if decision not in DECISIONS:
        raise Http404
    service, needs_reason, label, done = DECISIONS[decision]
    pledge = selectors.pledge_for_review(pledge_id=pledge_id)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        decision=decision,
        checklist=selectors.checklist(pledge.campaign_id) if decision == "approve" else (),
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {"reason": form.cleaned_data["composed_reason"]} if needs_reason else {}
        if decision == "approve":
            kwargs["checked"] = form.cleaned_data.get("checked", [])
        try:
            service(pledge=pledge, actor=request.user, **kwargs)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("review:pledge", pledge_id=pledge.pk)
    return render(
        request,
        "review/decide.html",
        {
            "pledge": pledge,
            "form": form,
            "decision": decision,
            "label": label,
        },
    )


@require_POST
@reviewer_required
def bulk_approve(request):
    """First POST: confirm the selection. Second POST (confirmed): approve each on its own."""
    ids = [int(value) for value in request.POST.getlist("pledge") if value.isdigit()]
    pledges = selectors.pledges_for_bulk_approval(ids=ids)
    if not pledges:
        messages.error(request, _("Select at least one pledge."))
        return redirect("review:queue")
    items = selectors.checklist_of_campaigns({pledge.campaign_id for pledge in pledges})
    confirmed = request.POST.get("confirmed") == "yes"
    form = BulkApprovalForm(request.POST if confirmed else None, checklist=items)
    if not form.is_valid():
        context = {"pledges": pledges, "form": form}
        return render(
            request, "review/bulk_confirm.html", context, status=400 if confirmed else 200
        )
    outcome = pledges_approve_in_bulk(
        pledges=pledges, actor=request.user, checked=form.cleaned_data.get("checked", [])
    )
    approved = len(outcome.approved)
    skipped = [
        _("%(name)s (now %(state)s)")
        % {"name": pledge.enterprise.name, "state": pledge.get_state_display()}
        for pledge in outcome.skipped
    ]
    if approved:
        messages.success(
            request,
            ngettext("%(count)d pledge approved.", "%(count)d pledges approved.", approved)
            % {"count": approved},
        )
    if skipped:
        messages.warning(
            request,
            _("Not approved, because their state had changed: %(names)s")
            % {"names": _("; ").join(skipped)},
        )
    return redirect("review:queue")
