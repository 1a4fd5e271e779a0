"""Writes of an enterprise's profile, and the review of changes to its public details.

Before anything of the enterprise is published, its members edit the profile freely. Once a
pledge is published, the public details (Enterprise.PUBLIC_FIELDS) are what a reviewer
approved: a change to one becomes a ProfileChange in the review queue, and is published
(on every listing, with a public correction entry) only when a reviewer approves it. The
private details (contacts, address, the licence scan) still change at once.
"""

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership

from .. import events
from ..errors import ConcurrentChange, DomainError, EnterpriseExists
from ..models import AuditEvent, Enterprise, ProfileChange
from ..roles import STAFF_CANNOT_JOIN, is_reviewer
from ..search import name_ngrams
from ..storage import discard_private_file, store_private_upload
from .certificates import certificates_supersede
from .notice import notice_until_for
from .publication import listings_correct

Action = AuditEvent.Action

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


@dataclass(frozen=True)
class ProfileUpdate:
    enterprise: Enterprise
    saved: list[str]  # fields changed at once
    change: ProfileChange | None  # the change of public details this update asked for


def _stored(enterprise: Enterprise, name: str):
    """A field's value as a change records it: province and industry by code."""
    field = Enterprise._meta.get_field(name)
    return getattr(enterprise, field.attname)


def _value(value):
    return getattr(value, "pk", value)


def enterprise_update(
    *,
    enterprise: Enterprise,
    actor,
    profile: dict,
    licence: UploadedFile | None = None,
    licence_type: str = "",
) -> ProfileUpdate:
    """Change the profile; the credit code identifies the enterprise and stays as registered.

    Once the enterprise is published, changed public details are asked for review instead
    (replacing a change already waiting); the rest is saved at once.
    """
    values = {name: profile[name] for name in Enterprise.PROFILE_FIELDS if name in profile}
    changed = [name for name, value in values.items() if getattr(enterprise, name) != value]
    stored = store_private_upload(LICENCE, licence, licence_type)
    change = None
    try:
        with transaction.atomic():
            if enterprise.is_published():
                public = [name for name in changed if name in Enterprise.PUBLIC_FIELDS]
                changed = [name for name in changed if name not in public]
                change = _request_change(enterprise, actor, {n: values[n] for n in public})
                values = {name: values[name] for name in changed}
            if "name" in values:
                values["search_ngrams"] = name_ngrams(values["name"])
            if stored:
                values["licence_scan"] = stored
                changed.append("licence_scan")
            if changed:
                for name, value in values.items():
                    setattr(enterprise, name, value)
                enterprise.save(update_fields=[*values, "updated_at"])
                events.enterprise_updated_event(enterprise=enterprise, actor=actor, changed=changed)
    except BaseException:
        discard_private_file(stored)
        raise
    return ProfileUpdate(enterprise=enterprise, saved=changed, change=change)


def _request_change(enterprise: Enterprise, actor, public: dict) -> ProfileChange | None:
    """The change these public details ask for (None when they ask for none)."""
    if not public:
        return None
    pending = (
        ProfileChange.objects.select_for_update()
        .filter(enterprise=enterprise, state=ProfileChange.State.PENDING)
        .first()
    )
    diff = {name: [_stored(enterprise, name), _value(value)] for name, value in public.items()}
    if pending is not None:
        # Asking again replaces what was waiting: the reviewer decides on the latest wish.
        pending.changes = diff
        pending.requested_by = actor
        pending.requested_at = timezone.now()
        pending.save(update_fields=["changes", "requested_by", "requested_at"])
        change = pending
    else:
        change = ProfileChange.objects.create(
            enterprise=enterprise, changes=diff, requested_by=actor
        )
    events.profile_change_event(Action.PROFILE_CHANGE_REQUESTED, change=change, actor=actor)
    return change


def _decide(change: ProfileChange, to: str, actor, reason: str = "") -> None:
    now = timezone.now()
    decided = ProfileChange.objects.filter(pk=change.pk, state=ProfileChange.State.PENDING).update(
        state=to, decided_by=actor, decided_at=now, reason=reason
    )
    if decided != 1:
        raise ConcurrentChange()
    change.state, change.decided_by, change.decided_at, change.reason = to, actor, now, reason


def profile_change_approve(*, change: ProfileChange, actor) -> ProfileChange:
    """Publish the change: the enterprise's public details, every listing of it (with the
    correction in its public history), and, after a rename, new certificates."""
    notice_until = notice_until_for(timezone.now())
    with transaction.atomic():
        _decide(change, ProfileChange.State.APPROVED, actor)
        enterprise = Enterprise.objects.select_for_update().get(pk=change.enterprise_id)
        values = {}
        for name, (_before, after) in change.changes.items():
            values[Enterprise._meta.get_field(name).attname] = after
        if "name" in change.changes:
            values["search_ngrams"] = name_ngrams(change.changes["name"][1])
        for attname, value in values.items():
            setattr(enterprise, attname, value)
        enterprise.save(update_fields=[*values, "updated_at"])
        enterprise.refresh_from_db()
        event = events.profile_change_event(
            Action.PROFILE_CHANGE_APPROVED, change=change, actor=actor
        )
        listings_correct(
            enterprise=enterprise,
            changes=change.changes,
            at=event.created_at,
            notice_until=notice_until,
        )
        if "name" in change.changes:
            certificates_supersede(enterprise=enterprise, issued_for=change.changes["name"][0])
    change.enterprise = enterprise
    return change


def profile_change_reject(*, change: ProfileChange, actor, reason: str) -> ProfileChange:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("A reason is required."))
    with transaction.atomic():
        _decide(change, ProfileChange.State.REJECTED, actor, reason)
        events.profile_change_event(
            Action.PROFILE_CHANGE_REJECTED, change=change, actor=actor, reason=reason
        )
    return change


def profile_change_withdraw(*, change: ProfileChange, actor) -> ProfileChange:
    with transaction.atomic():
        _decide(change, ProfileChange.State.WITHDRAWN, actor)
        events.profile_change_event(Action.PROFILE_CHANGE_WITHDRAWN, change=change, actor=actor)
    return change
