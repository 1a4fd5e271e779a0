"""Who may enter the review console: reviewers and administrators, with TOTP where required."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ...roles import EXPORT_PERMISSION, MANAGE_PERMISSION, REVIEW_PERMISSION


def _staff_view(permission: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(permission):
                raise PermissionDenied
            if settings.REVIEW_REQUIRE_MFA and not is_mfa_enabled(user):
                messages.warning(
                    request,
                    _("Set up an authenticator app (TOTP) before you open the review console."),
                )
                return redirect("mfa_activate_totp")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


reviewer_required = _staff_view(REVIEW_PERMISSION)
administrator_required = _staff_view(MANAGE_PERMISSION)
exporter_required = _staff_view(EXPORT_PERMISSION)
