"""Writes of an enterprise's profile."""

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership

from .. import events
from ..errors import DomainError
from ..models import Enterprise
from ..roles import STAFF_CANNOT_JOIN, is_reviewer
from ..storage import private_storage

PROFILE_FIELDS = (
    "name",
    "name_en",
    "province",
    "city",
    "industry",
    "legal_representative",
    "address",
    "website",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class EnterpriseExists(DomainError):
    default_message = _("An enterprise with this credit code is already registered.")


def _store_licence(upload: UploadedFile, content_type: str) -> str:
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[content_type]
    field = Enterprise._meta.get_field("licence_scan")
    return private_storage().save(field.generate_filename(None, "licence" + suffix), upload)


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
    stored = _store_licence(licence, licence_type) if licence else ""
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                credit_code=credit_code,
                licence_scan=stored,
                **{name: profile[name] for name in PROFILE_FIELDS},
            )
            Membership.objects.create(user=actor, enterprise=enterprise, role=Membership.Role.OWNER)
            events.enterprise_created_event(enterprise=enterprise, actor=actor)
    except IntegrityError:
        if stored:
            private_storage().delete(stored)
        raise EnterpriseExists() from None
    except BaseException:
        if stored:
            private_storage().delete(stored)
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
    values = {name: profile[name] for name in PROFILE_FIELDS if name in profile}
    changed = [name for name, value in values.items() if getattr(enterprise, name) != value]
    stored = _store_licence(licence, licence_type) if licence else ""
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
            events.enterprise_updated_event(enterprise=enterprise, actor=actor, changed=changed)
    except BaseException:
        if stored:
            private_storage().delete(stored)
        raise
    return enterprise
