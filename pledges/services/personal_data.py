"""Personal data (PIPL): what is held about a member, their account's deletion, and the
contacts of enterprises that stopped signing long ago.

A member's personal data are their account (e-mail addresses, name, language, sign-up
address, second factors), their membership, the invitations and messages addressed to them,
the objections filed under their address, their enterprise's contact details while they are
its contact, and what the audit trail says about them. Deleting the account removes or
anonymises each of these; what the enterprise published (its listings, its pledges, their
certificates) and what happened (the audit trail's events, by an account now anonymous) stay.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import Invitation, Membership, User

from .. import events
from ..erasure import ERASED, erased
from ..errors import DomainError
from ..models import AuditEvent, Enterprise, Objection, OutboxMessage, Pledge
from .campaign_mail import SIGNED_STATES

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@erased.invalid"


def _iso(value):
    return value.isoformat() if value else None


def personal_data_export(*, user: User) -> dict:
    """Everything held about ``user``, as JSON-ready data."""
    membership = Membership.objects.select_related("enterprise").filter(user=user).first()
    enterprise = membership.enterprise if membership else None
    return {
        "account": _account(user),
        "membership": _membership(membership) if membership else None,
        # The enterprise's contact details, when they are this member's.
        "enterprise_contact": {field: getattr(enterprise, field) for field in CONTACT_FIELDS}
        if enterprise and _is_contact(enterprise, user)
        else None,
        "pledges_created": [
            {"id": p.pk, "year": p.campaign.year, "state": p.state, "at": _iso(p.created_at)}
            for p in Pledge.objects.filter(created_by=user).select_related("campaign")
        ],
        "invitations_received": [
            {"enterprise": i.enterprise.name, "email": i.email, "sent": _iso(i.created_at)}
            for i in Invitation.objects.filter(email__iexact=user.email).select_related(
                "enterprise"
            )
        ],
        "invitations_sent": [
            {"email": i.email, "sent": _iso(i.created_at)}
            for i in Invitation.objects.filter(invited_by=user)
        ],
        "messages": [
            {"kind": m.kind, "email": m.email, "state": m.state, "sent_at": _iso(m.sent_at)}
            for m in _messages_to(user)
        ],
        "objections": [_objection(o) for o in Objection.objects.filter(email__iexact=user.email)],
        "activity": [
            {"action": e.action, "at": _iso(e.created_at), "details": e.details}
            for e in AuditEvent.objects.filter(actor=user).order_by("created_at", "pk")
        ],
    }


def _account(user: User) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "signup_address": user.signup_address,
        "campaign_mail_opt_out": _iso(user.campaign_mail_opt_out),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "second_factors": [
            {"type": a.type, "created_at": _iso(a.created_at), "last_used": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user)
        ],
    }


def _membership(membership) -> dict:
    return {
        "enterprise": membership.enterprise.name,
        "credit_code": membership.enterprise.credit_code,
        "role": membership.role,
        "since": _iso(membership.created_at),
    }


def _objection(objection: Objection) -> dict:
    return {
        "listing": objection.listing_id,
        "name": objection.name,
        "email": objection.email,
        "phone": objection.phone,
        "statement": objection.statement,
        "client_ip": objection.client_ip,
        "submitted": _iso(objection.created_at),
    }


def _is_contact(enterprise: Enterprise, user: User) -> bool:
    return enterprise.contact_email.lower() == user.email.lower()


def _messages_to(user: User):
    return OutboxMessage.objects.filter(Q(recipient=user) | Q(email__iexact=user.email))


def _personal_values(user: User) -> set[str]:
    values = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    if user.full_name:
        values.add(user.full_name)
    if user.signup_address:
        values.add(user.signup_address)
    return {value for value in values if value}


def account_delete(*, user: User) -> None:
    """Delete a member's account: personal data removed or anonymised (see the module's
    docstring). Staff accounts are removed by an administrator instead."""
    if user.is_staff or user.groups.exists():
        raise DomainError("Reviewer and administrator accounts are removed by an administrator.")
    values = sorted(_personal_values(user))
    with transaction.atomic():
        membership = Membership.objects.select_related("enterprise").filter(user=user).first()
        if membership and _is_contact(membership.enterprise, user):
            # The other members are asked for a new contact (the profile shows it missing).
            Enterprise.objects.filter(pk=membership.enterprise_id).update(
                **dict.fromkeys(CONTACT_FIELDS, "")
            )
        Membership.objects.filter(user=user).delete()
        Invitation.objects.filter(email__iexact=user.email).update(email=erased_email(user.pk))
        _messages_to(user).update(email=erased_email(user.pk), recipient=None)
        for objection in Objection.objects.filter(email__iexact=user.email):
            Objection.objects.filter(pk=objection.pk).update(
                name=ERASED,
                email=erased_email(user.pk),
                phone="",
                client_ip=None,
                statement=erased(objection.statement, values),
                answer=erased(objection.answer, values),
            )
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        AuditEvent.objects.erase_values(values)
        User.objects.filter(pk=user.pk).update(
            email=erased_email(user.pk),
            full_name="",
            # Unusable: no sign-in, and every session ends (its hash no longer matches).
            password=make_password(None),
            is_active=False,
            signup_address=None,
            last_login=None,
            campaign_mail_opt_out=timezone.now(),
        )
        events.account_deleted_event(user=user)


def lapsed_contacts_anonymise() -> int:
    """Beat: the contact details of enterprises that have not signed for
    CONTACT_RETENTION_YEARS years (or never did, registered that long ago) are removed."""
    cutoff_year = timezone.localdate().year - settings.CONTACT_RETENTION_YEARS
    cutoff = timezone.now().replace(year=timezone.now().year - settings.CONTACT_RETENTION_YEARS)
    last_signed = (
        Pledge.objects.filter(state__in=SIGNED_STATES)
        .values("enterprise_id")
        .annotate(last=Max("campaign__year"))
        .filter(last__gt=cutoff_year)
        .values("enterprise_id")
    )
    stale = (
        Enterprise.objects.exclude(pk__in=last_signed)
        .exclude(contact_name="", contact_phone="", contact_email="")
        .filter(created_at__lt=cutoff)
    )
    count = 0
    for enterprise in stale.only("pk"):
        with transaction.atomic():
            changed = Enterprise.objects.filter(pk=enterprise.pk).update(
                **dict.fromkeys(CONTACT_FIELDS, "")
            )
            if changed:
                events.contacts_anonymised_event(enterprise=enterprise)
                count += changed
    return count
