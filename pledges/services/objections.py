"""Objections to public listings (异议): filed under a real name, confirmed from a mailed
link, answered in writing by the association within OBJECTION_WORKING_DAYS working days.

The objector is never public and never named to the enterprise; the enterprise is told that
an objection was filed and may respond; the outcome is published on the listing.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import is_blocked

from .. import events
from ..errors import (
    ConcurrentChange,
    ListingNotOpenToObjections,
    ObjectionClosed,
    SourceBlocked,
)
from ..models import AuditEvent, Listing, Objection, ObjectionEvidence, OutboxMessage, Pledge
from ..reference import china_date
from ..storage import discard_private_file, store_private_upload
from ..workdays import working_days_after
from .notifications import members
from .outbox import messages_owe
from .pledges import pledge_revoke
from .publication import listing_objection_answered, listing_objection_opened

Action = AuditEvent.Action
State = Objection.State
Outcome = Objection.Outcome
Kind = OutboxMessage.Kind
EVIDENCE_FILE = ObjectionEvidence._meta.get_field("file")
# A confirmation link works this long.
CONFIRM_MAX_AGE = 3 * 24 * 3600
_SALT = "pledges.objection.confirm"


def _store(objection: Objection, party: str, files: list) -> list[str]:
    """Store checked uploads (pledges.fields.UploadField sets ``checked_type``)."""
    stored = []
    try:
        for upload in files:
            name = store_private_upload(EVIDENCE_FILE, upload, upload.checked_type)
            stored.append(name)
            ObjectionEvidence.objects.create(
                objection=objection, party=party, file=name, content_type=upload.checked_type
            )
    except BaseException:
        for name in stored:
            discard_private_file(name)
        raise
    return stored


def objection_submit(
    *,
    listing: Listing,
    name: str,
    email: str,
    phone: str,
    relationship: str,
    grounds: list[str],
    statement: str,
    language: str,
    client_ip: str | None,
    evidence: list,
) -> Objection:
    """Record an objection, unconfirmed, and owe its author the confirmation mail."""
    if not listing.is_public:
        raise ListingNotOpenToObjections()
    if is_blocked(address=client_ip, email=email):
        raise SourceBlocked()
    stored: list[str] = []
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                listing=listing,
                name=name,
                email=email,
                phone=phone,
                relationship=relationship,
                grounds=grounds,
                statement=statement,
                language=language,
                client_ip=client_ip,
            )
            stored = _store(objection, ObjectionEvidence.Party.OBJECTOR, evidence)
            messages_owe(
                kind=Kind.OBJECTION_CONFIRM,
                about=f"objection:{objection.pk}",
                recipients=[(email, language)],
            )
    except BaseException:
        for name in stored:
            discard_private_file(name)
        raise
    return objection


def confirmation_token(objection_id: int) -> str:
    return signing.dumps(objection_id, salt=_SALT)


def objection_for_token(token: str) -> Objection | None:
    """The objection a (still valid) confirmation link names, or None."""
    try:
        objection_id = signing.loads(token, salt=_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # also expired
        return None
    return Objection.objects.select_related("listing").filter(pk=objection_id).first()


def objection_confirm(*, objection: Objection) -> bool:
    """The objector confirmed: the objection is open, with its answer due date; the listing
    shows it is under review; the enterprise is told. False when it was confirmed before."""
    if objection.state != State.UNCONFIRMED:
        return False
    now = timezone.now()
    due = working_days_after(china_date(now), settings.OBJECTION_WORKING_DAYS)
    with transaction.atomic():
        confirmed = Objection.objects.filter(pk=objection.pk, state=State.UNCONFIRMED).update(
            state=State.OPEN, confirmed_at=now, answer_due=due
        )
        if not confirmed:
            return False
        objection.state, objection.confirmed_at, objection.answer_due = State.OPEN, now, due
        listing_objection_opened(pledge_id=objection.listing_id)
        events.objection_event(Action.OBJECTION_CONFIRMED, objection=objection)
        messages_owe(
            kind=Kind.OBJECTION_FILED,
            about=f"objection:{objection.pk}",
            recipients=members(objection.listing.enterprise_id),
            enterprise_id=objection.listing.enterprise_id,
        )
    return True


def objection_respond(*, objection: Objection, actor, response: str, evidence: list) -> Objection:
    """The enterprise's response (it may send it again, with more files, until the answer)."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            updated = Objection.objects.filter(pk=objection.pk, state=State.OPEN).update(
                response=response, responded_at=now
            )
            if not updated:
                raise ObjectionClosed()
            objection.response, objection.responded_at = response, now
            stored = _store(objection, ObjectionEvidence.Party.ENTERPRISE, evidence)
            events.objection_event(Action.OBJECTION_RESPONDED, objection=objection, actor=actor)
    except BaseException:
        for name in stored:
            discard_private_file(name)
        raise
    return objection


def objection_answer(
    *,
    objection: Objection,
    actor,
    outcome: str,
    findings: str,
    public_reason: str,
    answer: str,
) -> Objection:
    """The association's answer: recorded, published on the listing (outcome and public
    reason), mailed to the objector; an objection upheld with revocation revokes the pledge."""
    with transaction.atomic():
        now = timezone.now()
        updated = Objection.objects.filter(pk=objection.pk, state=State.OPEN).update(
            state=State.ANSWERED,
            outcome=outcome,
            findings=findings,
            public_reason=public_reason,
            answer=answer,
            answered_at=now,
            answered_by=actor,
        )
        if not updated:
            raise ObjectionClosed() if objection.state == State.ANSWERED else ConcurrentChange()
        objection.state, objection.outcome, objection.answered_at = State.ANSWERED, outcome, now
        listing = objection.listing
        if outcome == Outcome.REVOKED and listing.pledge.state == Pledge.State.APPROVED:
            pledge_revoke(pledge=listing.pledge, actor=actor, reason=public_reason)
        event = events.objection_event(
            Action.OBJECTION_ANSWERED,
            objection=objection,
            actor=actor,
            reason=public_reason,
            outcome=outcome,
        )
        still_open = Objection.objects.filter(listing=listing, state=State.OPEN).exists()
        listing_objection_answered(
            pledge_id=listing.pk,
            outcome=outcome,
            reason=public_reason,
            at=event.created_at,
            still_open=still_open,
        )
        messages_owe(
            kind=Kind.OBJECTION_ANSWER,
            about=f"objection:{objection.pk}",
            recipients=[(objection.email, objection.language)],
        )
        messages_owe(
            kind=Kind.DECISION,
            about=f"event:{event.pk}",
            recipients=members(listing.enterprise_id),
            enterprise_id=listing.enterprise_id,
        )
    return objection
