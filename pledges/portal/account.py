"""The member's own account (PIPL): download what is held about them, delete the account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..errors import DomainError
from ..services.personal_data import account_delete, personal_data_export
from .forms import AccountDeleteForm


@login_required
def account(request):
    form = AccountDeleteForm(user=request.user)
    return render(request, "portal/account.html", {"form": form})


@login_required
def account_data(request):
    data = json.dumps(personal_data_export(user=request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "my-data.json")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def account_delete_view(request):
    form = AccountDeleteForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            account_delete(user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("portal:account")
        logout(request)
        messages.success(request, _("Your account is deleted, and your personal data with it."))
        return redirect("/")
    return render(request, "portal/account.html", {"form": form})
