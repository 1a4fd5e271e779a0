"""Reads of the portal: what a page needs, in as few queries as it takes."""

from allauth.account.models import EmailAddress
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Invitation, Membership

from ..models import (
    AuditEvent,
    Campaign,
    Enterprise,
    Objection,
    OutboxMessage,
    Pledge,
    ProfileChange,
)


def membership_for(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("enterprise__province", "enterprise__industry")
        .filter(user=user)
        .first()
    )


def current_campaign(*, at=None) -> Campaign | None:
    """The campaign open now; else the next to open; else the most recent one."""
    at = at or timezone.now()
    campaigns = Campaign.objects.all()
    return (
        campaigns.filter(opens_at__lte=at, closes_at__gt=at).order_by("-year").first()
        or campaigns.filter(opens_at__gt=at).order_by("opens_at").first()
        or campaigns.order_by("-year").first()
    )


def active_pledge(*, enterprise: Enterprise, campaign: Campaign) -> Pledge | None:
    """The enterprise's pledge for the campaign that is not withdrawn, if any."""
    return (
        Pledge.objects.filter(enterprise=enterprise, campaign=campaign)
        .exclude(state=Pledge.State.WITHDRAWN)
        .select_related("campaign")
        .first()
    )


def enterprise_pledges(*, enterprise: Enterprise) -> QuerySet[Pledge]:
    return (
        Pledge.objects.filter(enterprise=enterprise)
        .select_related("campaign")
        .order_by("-campaign__year", "-created_at")
    )


def pledge_for_member(*, user, pledge_id: int) -> Pledge:
    """The pledge, if ``user`` belongs to its enterprise; 404 otherwise (no existence leak)."""
    return get_object_or_404(
        Pledge.objects.select_related("campaign", "enterprise"),
        pk=pledge_id,
        enterprise__memberships__user=user,
    )


def pledge_timeline(*, pledge: Pledge) -> QuerySet[AuditEvent]:
    """The pledge's life as its enterprise sees it (no claims or internal notes)."""
    return (
        pledge.events.filter(action__in=AuditEvent.ENTERPRISE_ACTIONS)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def latest_reviewer_reason(*, pledge: Pledge) -> str:
    event = (
        pledge.events.filter(
            action__in=[
                AuditEvent.Action.PLEDGE_CHANGES_REQUESTED,
                AuditEvent.Action.PLEDGE_REJECTED,
                AuditEvent.Action.PLEDGE_REVOKED,
            ]
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return event.reason if event else ""


def enterprise_team(*, enterprise: Enterprise):
    members = enterprise.memberships.select_related("user").order_by("role", "created_at")
    invitations = enterprise.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at")
    return members, invitations


def open_invitations_for(*, user) -> QuerySet[Invitation]:
    """Invitations sent to any of the user's verified addresses."""
    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not emails:
        return Invitation.objects.none()
    match = Q()
    for email in emails:
        match |= Q(email__iexact=email)
    return Invitation.objects.filter(
        match, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("enterprise", "invited_by")


def invitation_of(*, enterprise: Enterprise, invitation_id: int) -> Invitation:
    """One of the enterprise's invitations (404 for another enterprise's)."""
    return get_object_or_404(Invitation, pk=invitation_id, enterprise=enterprise)


def campaign_for_signing(*, year: int) -> Campaign:
    return get_object_or_404(Campaign, year=year)


def pending_change(enterprise) -> ProfileChange | None:
    """The change of public details waiting for review, if any."""
    return enterprise.profile_changes.filter(state=ProfileChange.State.PENDING).first()


def bounced_mail(*, enterprise, limit: int = 5):
    """Mail to the enterprise's members that the mail server refused for good."""
    return (
        OutboxMessage.objects.filter(enterprise=enterprise, state=OutboxMessage.State.FAILED)
        .only("email", "error", "created_at", "kind")
        .order_by("-created_at")[:limit]
    )


def enterprise_objections(*, enterprise: Enterprise) -> QuerySet[Objection]:
    """Confirmed objections to the enterprise's listings, open ones first. Only what the
    enterprise may read of them is used by its pages (never the objector)."""
    return (
        Objection.objects.filter(listing__enterprise=enterprise)
        .exclude(state=Objection.State.UNCONFIRMED)
        .select_related("listing")
        .order_by("-state", "answer_due", "pk")
    )


def objection_for_member(*, enterprise: Enterprise, objection_id: int) -> Objection:
    """404 unless the objection is a confirmed one about this enterprise's listing."""
    return get_object_or_404(enterprise_objections(enterprise=enterprise), pk=objection_id)
