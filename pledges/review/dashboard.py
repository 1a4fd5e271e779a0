"""The campaign dashboard's numbers: the funnel from invitation to approval, how long review
takes, who decides how much, and where the signatories are. Reads only; every figure is
computed from the record in a few grouped queries."""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from ..models import AuditEvent, Campaign, Listing, OutboxMessage, Pledge
from ..reference import CHINA_TZ
from ..services.campaign_mail import INVITATION, SIGNED_STATES

Action = AuditEvent.Action
SUBMISSIONS = (Action.PLEDGE_SUBMITTED, Action.PLEDGE_RESUBMITTED)
DECISIONS = (Action.PLEDGE_APPROVED, Action.PLEDGE_CHANGES_REQUESTED, Action.PLEDGE_REJECTED)
APPROVED_STATES = (Pledge.State.APPROVED, Pledge.State.REVOKED)


@dataclass(frozen=True)
class Stage:
    key: str
    count: int


@dataclass(frozen=True)
class ReviewTimes:
    decisions: int
    median_hours: float | None
    p90_hours: float | None
    overdue: int  # submitted, waiting longer than REVIEW_OVERDUE_DAYS


@dataclass(frozen=True)
class ReviewerDay:
    reviewer: str
    day: str  # China date
    decisions: int


@dataclass(frozen=True)
class PlaceRow:
    code: str
    started: int
    submitted: int
    approved: int


@dataclass
class Dashboard:
    campaign: Campaign
    funnel: list[Stage]
    lapsed: int  # listed last year, not signed this year
    times: ReviewTimes
    reviewer_days: list[ReviewerDay]
    provinces: list[PlaceRow]
    sections: list[PlaceRow]


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (the value at or below which ``share`` of them lie)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def campaign_dashboard(campaign: Campaign) -> Dashboard:
    pledges = Pledge.objects.filter(campaign=campaign).exclude(state=Pledge.State.WITHDRAWN)
    invited = (
        OutboxMessage.objects.filter(
            kind=OutboxMessage.Kind.RENEWAL_INVITATION,
            about=f"campaign:{campaign.pk}:{INVITATION}",
        )
        # Not those that were not written to after all (the enterprise signed first, say).
        .exclude(state=OutboxMessage.State.VOID)
        .values("enterprise_id")
        .distinct()
        .count()
    )
    counts = pledges.aggregate(
        started=Count("enterprise", distinct=True),
        submitted=Count("enterprise", distinct=True, filter=Q(submitted_at__isnull=False)),
        approved=Count("enterprise", distinct=True, filter=Q(state__in=APPROVED_STATES)),
    )
    funnel = [
        Stage("invited", invited),
        Stage("started", counts["started"]),
        Stage("submitted", counts["submitted"]),
        Stage("approved", counts["approved"]),
    ]
    signed = pledges.filter(state__in=SIGNED_STATES).values("enterprise_id")
    lapsed = (
        Listing.objects.filter(year=campaign.year - 1, status=Listing.Status.LISTED)
        .exclude(enterprise_id__in=signed)
        .values("enterprise_id")
        .distinct()
        .count()
    )
    return Dashboard(
        campaign=campaign,
        funnel=funnel,
        lapsed=lapsed,
        times=_review_times(campaign, pledges),
        reviewer_days=_reviewer_days(campaign),
        provinces=_places(pledges, "enterprise__province"),
        sections=_places(pledges, "enterprise__industry__section"),
    )


def _decision_events(campaign: Campaign):
    return (
        AuditEvent.objects.filter(campaign=campaign, action__in=SUBMISSIONS + DECISIONS)
        .order_by("pledge_id", "created_at", "pk")
        .values_list("pledge_id", "action", "created_at", "actor__email")
    )


def _review_times(campaign: Campaign, pledges) -> ReviewTimes:
    """From each submission to the decision on it."""
    waited, submitted_at = [], {}
    for pledge_id, action, created_at, _actor in _decision_events(campaign):
        if action in SUBMISSIONS:
            submitted_at[pledge_id] = created_at
        elif pledge_id in submitted_at:
            waited.append(hours(created_at - submitted_at.pop(pledge_id)))
    cutoff = timezone.now() - timedelta(days=settings.REVIEW_OVERDUE_DAYS)
    overdue = pledges.filter(state=Pledge.State.SUBMITTED, submitted_at__lt=cutoff).count()
    return ReviewTimes(
        decisions=len(waited),
        median_hours=round(statistics.median(waited), 1) if waited else None,
        p90_hours=round(percentile(waited, 0.9), 1) if waited else None,
        overdue=overdue,
    )


def _reviewer_days(campaign: Campaign) -> list[ReviewerDay]:
    counts = Counter(
        (actor or "", created_at.astimezone(CHINA_TZ).date().isoformat())
        for _pledge, action, created_at, actor in _decision_events(campaign)
        if action in DECISIONS
    )
    return [
        ReviewerDay(reviewer=reviewer, day=day, decisions=count)
        for (reviewer, day), count in sorted(
            counts.items(), key=lambda item: (item[0][1], item[0][0])
        )
    ]


def _places(pledges, path: str) -> list[PlaceRow]:
    rows = defaultdict(lambda: [0, 0, 0])
    for code, started, submitted, approved in (
        pledges.values_list(path)
        .annotate(
            started=Count("pk"),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            approved=Count("pk", filter=Q(state__in=APPROVED_STATES)),
        )
        .order_by()
    ):
        rows[code or ""] = [started, submitted, approved]
    return [PlaceRow(code, *values) for code, values in sorted(rows.items())]
