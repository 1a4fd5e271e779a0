"""Reviewer and administrator accounts: who works in the review console."""

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User

from ...errors import DomainError
from ...roles import ADMINISTRATORS, REVIEWERS
from ...services.staff import ROLE_GROUPS, ROLE_LABELS, staff_role_grant, staff_role_revoke
from .access import administrator_required


class StaffForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        help_text=gettext_lazy(
            "Someone without an account receives an e-mail to choose a password."
        ),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=list(ROLE_LABELS.items()))


def _in_group(name: str) -> Exists:
    return Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=name))


def _staff_members():
    return (
        User.objects.annotate(
            is_reviewer=_in_group(REVIEWERS), is_administrator=_in_group(ADMINISTRATORS)
        )
        .filter(Q(is_reviewer=True) | Q(is_administrator=True))
        .order_by("email")
    )


def _render(request, form):
    return render(request, "review/staff.html", {"members": _staff_members(), "form": form})


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
    member = get_object_or_404(User, pk=user_id)
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
