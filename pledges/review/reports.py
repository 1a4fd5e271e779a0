"""Report downloads of the review console: every pledge, and decisions per reviewer and day."""

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from ..models import AuditEvent, Campaign, Pledge
from ..reference import CHINA_TZ
from ..responses import CSV_CHUNK_SIZE, csv_response, local_time, text_cell


def _suffix(campaign: Campaign | None) -> str:
    return f"-{campaign.year}" if campaign else ""


# --- Reports ----------------------------------------------------------------------------


def pledges_csv(*, campaign: Campaign | None = None) -> StreamingHttpResponse:
    """Every pledge, in every state, with its enterprise and dates."""
    pledges = (
        Pledge.objects.select_related("campaign", "enterprise__province", "enterprise__industry")
        .only(
            "state",
            "created_at",
            "submitted_at",
            "decided_at",
            "campaign__year",
            "enterprise__name",
            "enterprise__credit_code",
            "enterprise__province__name",
            "enterprise__province__name_en",
            "enterprise__industry__code",
            "enterprise__industry__name",
            "enterprise__industry__name_en",
        )
        .order_by("-campaign__year", "enterprise__name", "pk")
    )
    if campaign is not None:
        pledges = pledges.filter(campaign=campaign)
    states = dict(Pledge.State.choices)

    def rows():
        for pledge in pledges.iterator(chunk_size=CSV_CHUNK_SIZE):
            enterprise = pledge.enterprise
            yield [
                pledge.campaign.year,
                enterprise.name,
                text_cell(enterprise.credit_code),
                enterprise.province.display_name,
                str(enterprise.industry),
                str(states[pledge.state]),
                local_time(pledge.created_at),
                local_time(pledge.submitted_at),
                local_time(pledge.decided_at),
            ]

    header = [
        _("Campaign"),
        _("Enterprise"),
        _("Unified Social Credit Code"),
        _("Province"),
        _("Industry"),
        _("State"),
        _("Created"),
        _("Submitted on"),
        _("Decided"),
    ]
    return csv_response(
        filename=f"chengxin-pledges{_suffix(campaign)}.csv", header=header, rows=rows()
    )


DECISIONS = {
    "approved": AuditEvent.Action.PLEDGE_APPROVED,
    "changes_requested": AuditEvent.Action.PLEDGE_CHANGES_REQUESTED,
    "rejected": AuditEvent.Action.PLEDGE_REJECTED,
    "revoked": AuditEvent.Action.PLEDGE_REVOKED,
}


def decisions_csv(*, campaign: Campaign | None = None) -> StreamingHttpResponse:
    """How many decisions of each kind every reviewer made, per day (China time)."""
    events = AuditEvent.objects.filter(action__in=DECISIONS.values())
    if campaign is not None:
        events = events.filter(campaign=campaign)
    # Grouped by the database: one row per reviewer and day, however many events there are.
    counts = (
        events.annotate(day=TruncDate("created_at", tzinfo=CHINA_TZ))
        .values("day", "actor__email")
        .annotate(
            total=Count("pk"),
            **{name: Count("pk", filter=Q(action=action)) for name, action in DECISIONS.items()},
        )
        .order_by("day", "actor__email")
    )

    def rows():
        for row in counts.iterator(chunk_size=CSV_CHUNK_SIZE):
            yield [
                row["day"].isoformat(),
                row["actor__email"] or "",
                *(row[name] for name in DECISIONS),
                row["total"],
            ]

    header = [
        _("Date"),
        _("Reviewer"),
        _("Approved"),
        _("Changes requested"),
        _("Rejected"),
        _("Revoked"),
        _("Total"),
    ]
    return csv_response(
        filename=f"chengxin-decisions{_suffix(campaign)}.csv", header=header, rows=rows()
    )
