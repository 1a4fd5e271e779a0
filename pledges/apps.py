from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledges")

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
        from .certificates import checks as certificate_checks  # noqa: F401
        from .roles import ensure_roles

        # Permissions exist only after migrate has run, so the roles are set up then.
        post_migrate.connect(ensure_roles, sender=self)
