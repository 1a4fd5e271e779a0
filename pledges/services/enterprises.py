"""Writes of an enterprise's profile."""

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership

from .. import events
from ..errors import DomainError, EnterpriseExists
from ..models import PUBLIC_STATES, Enterprise
from ..roles import STAFF_CANNOT_JOIN, is_reviewer
from ..search import name_ngrams
from ..storage import discard_private_file, store_private_upload
from .public_data import public_data_changed

LICENCE = Enterprise._meta.get_field("licence_scan")


def enterprise_register(
    *,
    actor,
    credit_code: str,
    profile: dict,
    licence: UploadedFile | None = None,
    licence_type: str = "",
) -> Enterprise:
    """Create the enterprise and make ``actor`` its owner."""
    if is_reviewer(actor):
        raise DomainError(STAFF_CANNOT_JOIN)
    if Membership.objects.filter(user=actor).exists():
        raise DomainError(_("Your account already belongs to an enterprise."))
    stored = store_private_upload(LICENCE, licence, licence_type)
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                credit_code=credit_code,
                search_ngrams=name_ngrams(profile["name"]),
                licence_scan=stored,
                **{name: profile[name] for name in Enterprise.PROFILE_FIELDS},
            )
            Membership.objects.create(user=actor, enterprise=enterprise, role=Membership.Role.OWNER)
            events.enterprise_created_event(enterprise=enterprise, actor=actor)
    except IntegrityError:
        discard_private_file(stored)
        raise EnterpriseExists() from None
    except BaseException:
        discard_private_file(stored)
        raise
    return enterprise


def enterprise_update(
    *,
    enterprise: Enterprise,
    actor,
    profile: dict,
    licence: UploadedFile | None = None,
    licence_type: str = "",
) -> Enterprise:
    """Change the profile; the credit code identifies the enterprise and stays as registered."""
    values = {name: profile[name] for name in Enterprise.PROFILE_FIELDS if name in profile}
    if "name" in values:
        values["search_ngrams"] = name_ngrams(values["name"])
    changed = [name for name, value in values.items() if getattr(enterprise, name) != value]
    stored = store_private_upload(LICENCE, licence, licence_type)
    if stored:
        values["licence_scan"] = stored
        changed.append("licence_scan")
    if not changed:
        return enterprise
    try:
        with transaction.atomic():
            for name, value in values.items():
                setattr(enterprise, name, value)
            enterprise.save(update_fields=[*values, "updated_at"])
            # Public pages and the open-data feed show the name and place of published pledges.
            enterprise.pledges.filter(state__in=PUBLIC_STATES).update(updated_at=timezone.now())
            public_data_changed()
            events.enterprise_updated_event(enterprise=enterprise, actor=actor, changed=changed)
    except BaseException:
        discard_private_file(stored)
        raise
    return enterprise
