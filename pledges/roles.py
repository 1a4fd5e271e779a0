"""Staff roles: groups with explicit permissions, kept in step with the code after migrate."""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

REVIEWERS = "Reviewers"
ADMINISTRATORS = "Administrators"

# The roles as the console names them, and their groups.
REVIEWER = "reviewer"
ADMINISTRATOR = "administrator"
ROLE_GROUPS = {REVIEWER: REVIEWERS, ADMINISTRATOR: ADMINISTRATORS}
ROLE_LABELS = {REVIEWER: _("Reviewer"), ADMINISTRATOR: _("Administrator")}

ROLE_PERMISSIONS = {
    REVIEWERS: ["review_pledge", "export_reports"],
    ADMINISTRATORS: ["review_pledge", "export_reports", "manage_campaigns"],
}

REVIEW_PERMISSION = "pledges.review_pledge"
MANAGE_PERMISSION = "pledges.manage_campaigns"
EXPORT_PERMISSION = "pledges.export_reports"

# Reviewers decide on enterprises' pledges, so they never act for an enterprise themselves.
STAFF_CANNOT_JOIN = _("Reviewer and administrator accounts cannot act for an enterprise.")


def ensure_roles(**kwargs) -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="pledges", codename__in=codenames
        )
        group.permissions.set(permissions)


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.has_perm(REVIEW_PERMISSION)
