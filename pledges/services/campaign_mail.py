"""A campaign's mail to earlier signatories: invitations when it opens, reminders before it
closes, each owed once per member and message, and sent at a steady pace.

Owing writes one outbox row per member (the outbox's unique key makes owing twice a no-op)
with the moment it may go out, spaced by CAMPAIGN_MAIL_PER_MINUTE after the mail already
waiting. Every CAMPAIGN_MAIL_TICK_SECONDS the beat queues the rows whose moment has come
(queue_paced_mail); from then on they are ordinary owed messages, sent once the mail server
accepts them and queued again if a worker or the broker loses them.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User

from .. import events
from ..jobs import queue_after_commit
from ..models import Campaign, Listing, OutboxMessage, PacedMailClock, Pledge
from .outbox import SEND_TASK, message_id_for

logger = logging.getLogger(__name__)
Kind = OutboxMessage.Kind
INVITATION = "invitation"
# A pledge in one of these states has been signed (sent for review at least).
SIGNED_STATES = (
    Pledge.State.SUBMITTED,
    Pledge.State.CHANGES_REQUESTED,
    Pledge.State.APPROVED,
    Pledge.State.REVOKED,
)


def reminder_key(days: int) -> str:
    return f"reminder-{days}"


def renewal_enterprises(campaign: Campaign):
    """Enterprises with a listed pledge in the RENEWAL_YEARS years before the campaign's."""
    first = campaign.year - settings.RENEWAL_YEARS
    return (
        Listing.objects.filter(
            year__gte=first, year__lt=campaign.year, status=Listing.Status.LISTED
        )
        .values_list("enterprise_id", flat=True)
        .distinct()
    )


def signed_enterprises(campaign: Campaign):
    return Pledge.objects.filter(campaign=campaign, state__in=SIGNED_STATES).values_list(
        "enterprise_id", flat=True
    )


def _recipients(campaign: Campaign, *, unsigned_only: bool) -> list[tuple]:
    """(enterprise id, user id, e-mail, language) of each member to write to."""
    memberships = Membership.objects.filter(
        enterprise_id__in=renewal_enterprises(campaign),
        user__is_active=True,
        user__campaign_mail_opt_out__isnull=True,
    )
    if unsigned_only:
        memberships = memberships.exclude(enterprise_id__in=signed_enterprises(campaign))
    return list(
        memberships.order_by("enterprise_id", "user_id").values_list(
            "enterprise_id", "user_id", "user__email", "user__language"
        )
    )


def _first_free_moment(now):
    """When the next paced message may go: after every one already waiting."""
    last = OutboxMessage.objects.filter(
        state=OutboxMessage.State.OWED, send_after__isnull=False
    ).aggregate(last=Max("send_after"))["last"]
    return max(now, last + _spacing()) if last else now


def _spacing() -> timedelta:
    return timedelta(minutes=1) / max(1, settings.CAMPAIGN_MAIL_PER_MINUTE)


def _owe(campaign: Campaign, *, kind: str, key: str, unsigned_only: bool) -> int:
    """In the caller's transaction (with the campaign locked): one row per recipient."""
    now = timezone.now()
    about = f"campaign:{campaign.pk}:{key}"
    start, spacing = _first_free_moment(now), _spacing()
    rows = [
        OutboxMessage(
            kind=kind,
            about=about,
            email=email,
            language=language or settings.LANGUAGE_CODE,
            recipient_id=user_id,
            enterprise_id=enterprise_id,
            message_id=message_id_for(kind),
            send_after=start + index * spacing,
            # Not queued yet: the owed-work recovery looks at it once its moment has passed.
            queued_at=start + index * spacing,
        )
        for index, (enterprise_id, user_id, email, language) in enumerate(
            _recipients(campaign, unsigned_only=unsigned_only)
        )
    ]
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    Campaign.objects.filter(pk=campaign.pk).update(
        mail_owed={**campaign.mail_owed, key: now.isoformat()}
    )
    campaign.mail_owed = {**campaign.mail_owed, key: now.isoformat()}
    if rows:
        events.campaign_mail_owed_event(campaign=campaign, key=key, count=len(rows))
    return len(rows)


def campaign_invitations_owe(*, campaign: Campaign) -> int:
    """Invite each member of every recent signatory, once (call when signing opens)."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if INVITATION in locked.mail_owed:
            return 0
        return _owe(locked, kind=Kind.RENEWAL_INVITATION, key=INVITATION, unsigned_only=False)


def campaign_reminders_owe(*, campaign: Campaign, days: int) -> int:
    """Remind the members of recent signatories that have not signed yet, once per
    ``days``."""
    key = reminder_key(days)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if key in locked.mail_owed:
            return 0
        return _owe(locked, kind=Kind.RENEWAL_REMINDER, key=key, unsigned_only=True)


def reminders_due(campaign: Campaign, now) -> list[int]:
    """The reminders whose moment has come: CAMPAIGN_REMINDER_DAYS before the close, and
    not one whose moment fell before signing opened (it would follow the invitation)."""
    return [
        days
        for days in settings.CAMPAIGN_REMINDER_DAYS
        if campaign.opens_at < campaign.closes_at - timedelta(days=days) <= now
        and reminder_key(days) not in campaign.mail_owed
    ]


# --- Unsubscribing ----------------------------------------------------------------------

UNSUBSCRIBE_SALT = "chengxin.campaign-mail.unsubscribe"


def unsubscribe_token(user) -> str:
    """The unsubscribe link's credential: the user's id, signed (it never expires: a link in
    an old mail must still work)."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_url(user) -> str:
    return settings.SITE_URL + reverse("public:unsubscribe", args=[unsubscribe_token(user)])


def user_of_token(token: str):
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return (
        User.objects.filter(pk=user_id, is_active=True).first()
        if isinstance(user_id, int)
        else None
    )


def campaign_mail_unsubscribe(*, user) -> bool:
    """No more invitations or reminders for ``user`` (owed ones are not sent either)."""
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, campaign_mail_opt_out__isnull=True).update(
            campaign_mail_opt_out=timezone.now()
        )
        if changed:
            events.campaign_mail_unsubscribed_event(user=user)
    return bool(changed)


def campaign_mail_resubscribe(*, user) -> bool:
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, campaign_mail_opt_out__isnull=False).update(
            campaign_mail_opt_out=None
        )
        if changed:
            events.campaign_mail_resubscribed_event(user=user)
    return bool(changed)


def campaign_mail_due() -> dict:
    """Beat: for each campaign open now, its invitations and the reminders due."""
    now = timezone.now()
    owed = {}
    for campaign in Campaign.objects.filter(opens_at__lte=now, closes_at__gt=now):
        if INVITATION not in campaign.mail_owed:
            owed[f"{campaign.year}:{INVITATION}"] = campaign_invitations_owe(campaign=campaign)
        for days in reminders_due(campaign, now):
            owed[f"{campaign.year}:{reminder_key(days)}"] = campaign_reminders_owe(
                campaign=campaign, days=days
            )
    return owed


def paced_mail_queue() -> int:
    """Beat, every CAMPAIGN_MAIL_TICK_SECONDS: queue the paced messages whose moment comes
    before the next tick, each with the delay until it may go. The pace holds from one tick
    to the next (the clock row keeps when the next may go): after an outage the backlog goes
    out at the configured pace too, not at once."""
    now = timezone.now()
    horizon = now + timedelta(seconds=settings.CAMPAIGN_MAIL_TICK_SECONDS)
    spacing = _spacing()
    with transaction.atomic():
        # One tick at a time: the clock row is locked until this one commits.
        clock, _created = PacedMailClock.objects.select_for_update().get_or_create(pk=1)
        free = max(clock.next_free or now, now)
        if free >= horizon:
            return 0
        due = list(
            OutboxMessage.objects.filter(state=OutboxMessage.State.OWED, send_after__lt=horizon)
            .order_by("send_after", "pk")
            .values_list("pk", "send_after")[: _tick_budget(spacing)]
        )
        queued = []
        for pk, moment in due:
            at = max(moment, free)
            if at >= horizon:
                break
            queued.append(pk)
            queue_after_commit(SEND_TASK, pk, countdown=(at - now).total_seconds())
            free = at + spacing
        if not queued:
            return 0
        OutboxMessage.objects.filter(pk__in=queued).update(send_after=None, queued_at=now)
        PacedMailClock.objects.filter(pk=1).update(next_free=free)
    logger.info("paced mail queued", extra={"count": len(queued)})
    return len(queued)


def _tick_budget(spacing: timedelta) -> int:
    """The most that can go out in one tick (one more, for rounding)."""
    return int(timedelta(seconds=settings.CAMPAIGN_MAIL_TICK_SECONDS) / spacing) + 1
