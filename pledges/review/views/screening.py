"""The banned terms: administrators add and remove them."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...errors import DomainError
from ...models import BannedTerm
from ...services.screening import banned_term_add, banned_term_remove
from .. import selectors
from ..forms import BannedTermForm
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
