"""Reviewer and administrator accounts: who works in the review console."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...errors import DomainError
from ...roles import ROLE_GROUPS, ROLE_LABELS
from ...services.staff import staff_role_grant, staff_role_revoke
from .. import selectors
from ..forms import StaffForm
from .access import administrator_required


def _render(request, form):
    return render(
        request, "review/staff.html", {"members": selectors.staff_members(), "form": form}
    )


@administrator_required
def staff_list(request):
    return _render(request, StaffForm())


@require_POST
@administrator_required
def staff_add(request):
    form = StaffForm(request.POST)
    if form.is_valid():
        try:
            user = staff_role_grant(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            role = ROLE_LABELS[form.cleaned_data["role"]]
            messages.success(
                request,
                _("%(email)s now has the role %(role)s.") % {"email": user.email, "role": role},
            )
            return redirect("review:staff")
    return _render(request, form)


@require_POST
@administrator_required
def staff_remove(request, user_id, role):
    if role not in ROLE_GROUPS:
        raise Http404
    member = selectors.staff_member(user_id=user_id)
    try:
        staff_role_revoke(actor=request.user, user=member, role=role)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(email)s no longer has the role %(role)s.")
            % {"email": member.email, "role": ROLE_LABELS[role]},
        )
    return redirect("review:staff")
