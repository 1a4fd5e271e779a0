"""Screening: the banned terms, and the abuse page (this week's most frequent sources of
objections and sign-ups, and the block list); administrators only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import BlockedSource

from ...errors import DomainError
from ...models import BannedTerm
from ...services.screening import (
    banned_term_add,
    banned_term_remove,
    source_block,
    source_unblock,
)
from .. import selectors
from ..forms import BannedTermForm, BlockForm
from .access import administrator_required


@administrator_required
def banned_terms(request):
    form = BannedTermForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            banned_term_add(term=form.cleaned_data["term"], actor=request.user)
        except DomainError as error:
            form.add_error("term", error.message)
        else:
            messages.success(request, _("The term is added."))
            return redirect("review:banned_terms")
    return render(
        request,
        "review/banned_terms.html",
        {"form": form, "terms": selectors.banned_term_list()},
        status=400 if form.errors else 200,
    )


@require_POST
@administrator_required
def banned_term_delete(request, term_id):
    banned = get_object_or_404(BannedTerm, pk=term_id)
    banned_term_remove(banned=banned, actor=request.user)
    messages.success(request, _("The term is removed."))
    return redirect("review:banned_terms")


@administrator_required
def abuse(request):
    form = BlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            source_block(**form.cleaned_data, actor=request.user)
        except DomainError as error:
            form.add_error("value", error.message)
        else:
            messages.success(request, _("Added to the block list."))
            return redirect("review:abuse")
    return render(
        request,
        "review/abuse.html",
        {"form": form, "report": selectors.abuse_report(), "blocked": selectors.block_list()},
        status=400 if form.errors else 200,
    )


@require_POST
@administrator_required
def unblock(request, blocked_id):
    source_unblock(blocked=get_object_or_404(BlockedSource, pk=blocked_id), actor=request.user)
    messages.success(request, _("Removed from the block list."))
    return redirect("review:abuse")
