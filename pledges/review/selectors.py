"""Reads of the review console: the queue and everything needed to decide on one pledge."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import BlockedSource, User, email_domain

from ..models import (
    BannedTerm,
    Campaign,
    Certificate,
    ChecklistItem,
    Enterprise,
    Listing,
    Objection,
    ObjectionEvidence,
    OutboxMessage,
    Pledge,
    ProfileChange,
    SignatoryImport,
    claim_cutoff,
    text_sha256,
)
from ..reference import china_date
from ..roles import ADMINISTRATORS, REVIEWERS
from ..screening import soft_flags
from ..validators import credit_code_province, normalise_credit_code
from .filters import ReviewQueueFilter

QUEUE_PAGE_SIZE = 50

# Words every company name carries; left out when looking for look-alike names.
_LEGAL_FORMS = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|公司|厂|省|市|自治区|特别行政区)$"
)


def review_queue(*, data, user, page_number):
    """The filtered queue (oldest first), one page of it, and the counts per state."""
    pledges = Pledge.objects.select_related(
        "enterprise__province", "enterprise__industry", "campaign", "claimed_by", "created_by"
    ).order_by(F("submitted_at").asc(nulls_last=True), "id")
    queue_filter = ReviewQueueFilter(data, queryset=pledges, request=_Request(user))
    # django-filter skips a filter whose value is invalid; the queue then shows nothing
    # (with the message at the field) rather than every pledge as if it were not there.
    valid = queue_filter.is_valid()
    page = Paginator(queue_filter.qs if valid else pledges.none(), QUEUE_PAGE_SIZE).get_page(
        page_number
    )
    # Counts per state under the same filters, whatever state is being looked at.
    unfiltered_state = {key: value for key, value in queue_filter.data.items() if key != "state"}
    unfiltered_state["state"] = ReviewQueueFilter.ALL
    by_state = ReviewQueueFilter(
        unfiltered_state, queryset=Pledge.objects.all(), request=_Request(user)
    ).qs
    counts = dict(by_state.order_by().values_list("state").annotate(n=Count("id"))) if valid else {}
    for pledge in page:
        pledge.flags = soft_flags(
            account_created=pledge.created_by.date_joined, name_after=pledge.enterprise.name
        )
    return queue_filter, page, counts


@dataclass
class _Request:
    # django-filter only needs request.user for "claimed by me".
    user: object


def overdue_before():
    return timezone.now() - timedelta(days=settings.REVIEW_OVERDUE_DAYS)


def pledge_for_review(*, pledge_id: int) -> Pledge:
    return get_object_or_404(
        Pledge.objects.select_related(
            "enterprise__province", "enterprise__industry__section", "campaign", "claimed_by"
        ),
        pk=pledge_id,
    )


@dataclass
class CreditCodeCheck:
    valid: bool
    matches_province: bool
    region: str


def credit_code_check(enterprise: Enterprise) -> CreditCodeCheck:
    try:
        code = normalise_credit_code(enterprise.credit_code)
    except ValidationError:
        return CreditCodeCheck(valid=False, matches_province=False, region="")
    region = credit_code_province(code)
    return CreditCodeCheck(
        valid=True, matches_province=region == enterprise.province_id, region=region
    )


def name_core(name: str) -> str:
    core = name.strip()
    for _ in range(3):
        core = _LEGAL_FORMS.sub("", core)
    return core


def look_alike_enterprises(enterprise: Enterprise, *, limit: int = 10):
    """Other enterprises with the same code or a name that contains this one's core."""
    core = name_core(enterprise.name)
    match = Q(credit_code=enterprise.credit_code)
    if len(core) >= 2:
        match |= Q(name__icontains=core)
    return (
        Enterprise.objects.filter(match)
        .exclude(pk=enterprise.pk)
        .select_related("province")
        .order_by("name")[:limit]
    )


def earlier_pledges(pledge: Pledge):
    return (
        Pledge.objects.filter(enterprise_id=pledge.enterprise_id)
        .exclude(pk=pledge.pk)
        .select_related("campaign")
        .order_by("-campaign__year", "-created_at")
    )


def text_integrity(pledge: Pledge) -> dict:
    computed = text_sha256(pledge.text_snapshot)
    return {
        "hash_matches": computed == pledge.text_sha256,
        "same_as_campaign": pledge.text_snapshot == pledge.campaign.pledge_text,
    }


def claim_is_active(pledge: Pledge) -> bool:
    return bool(pledge.claimed_by_id and pledge.claimed_at and pledge.claimed_at >= claim_cutoff())


def review_timeline(pledge: Pledge):
    return pledge.events.select_related("actor").order_by("created_at", "id")


def review_notes(pledge: Pledge):
    return pledge.notes.select_related("author").order_by("created_at", "id")


def pledges_for_bulk_approval(*, ids: list[int]) -> list[Pledge]:
    return list(
        Pledge.objects.filter(pk__in=ids).select_related("enterprise", "campaign").order_by("id")
    )


def certificate_to_rerender(*, pledge_id: int) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related("pledge__enterprise", "pledge__campaign"),
        pledge_id=pledge_id,
    )


def certificate_file_for_review(*, pledge_id: int) -> Certificate:
    """A rendered certificate, whatever became of its pledge since (reviewers keep the record)."""
    return get_object_or_404(
        Certificate.objects.exclude(file=""), pledge_id=pledge_id, rendered_at__isnull=False
    )


# --- Campaigns and staff (administrators) -------------------------------------------------


def campaigns_with_state_counts() -> list[Campaign]:
    """Every campaign with a count per pledge state: one query, a filtered COUNT per state."""
    counts = {
        state: Count("pledges", filter=Q(pledges__state=state)) for state in Pledge.State.values
    }
    return list(Campaign.objects.defer("pledge_text").annotate(**counts, total=Count("pledges")))


def campaign_of_year(*, year: int) -> Campaign:
    return get_object_or_404(Campaign, year=year)


def campaign_has_signatures(campaign: Campaign) -> bool:
    return campaign.pledges.exists()


def _in_group(name: str) -> Exists:
    return Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=name))


def staff_members():
    return (
        User.objects.annotate(
            is_reviewer=_in_group(REVIEWERS), is_administrator=_in_group(ADMINISTRATORS)
        )
        .filter(Q(is_reviewer=True) | Q(is_administrator=True))
        .order_by("email")
    )


def staff_member(*, user_id: int) -> User:
    return get_object_or_404(User, pk=user_id)


def listing_for_review(pledge: Pledge) -> Listing | None:
    return Listing.objects.filter(pk=pledge.pk).first()


# --- Changes of public details ------------------------------------------------------------


def pending_changes():
    """Changes waiting for review, oldest first, with what flags them."""
    changes = list(
        ProfileChange.objects.filter(state=ProfileChange.State.PENDING)
        .select_related("enterprise", "requested_by")
        .order_by("requested_at", "pk")
    )
    for change in changes:
        change.flags = change_flags(change)
    return changes


def change_for_review(*, change_id: int) -> ProfileChange:
    return get_object_or_404(
        ProfileChange.objects.select_related("enterprise", "requested_by", "decided_by"),
        pk=change_id,
    )


def change_flags(change: ProfileChange) -> list:
    name = change.changes.get("name")
    return soft_flags(
        account_created=change.requested_by.date_joined,
        name_before=name[0] if name else "",
        name_after=name[1] if name else "",
    )


def change_history(enterprise: Enterprise):
    return (
        ProfileChange.objects.filter(enterprise=enterprise)
        .exclude(state=ProfileChange.State.PENDING)
        .select_related("decided_by")
        .order_by("-requested_at")[:20]
    )


def banned_term_list():
    return BannedTerm.objects.select_related("created_by").order_by("term")


# --- Messages owed --------------------------------------------------------------------------


def message_counts() -> list[dict]:
    """Per kind: how many owed, sent, refused and no longer needed."""
    counts = {
        (row["kind"], row["state"]): row["n"]
        for row in OutboxMessage.objects.values("kind", "state").annotate(n=Count("pk")).order_by()
    }
    return [
        {
            "kind": label,
            **{state: counts.get((kind, state), 0) for state in OutboxMessage.State.values},
        }
        for kind, label in OutboxMessage.Kind.choices
    ]


def refused_messages(limit: int = 200):
    return (
        OutboxMessage.objects.filter(state=OutboxMessage.State.FAILED)
        .select_related("enterprise")
        .order_by("-created_at")[:limit]
    )


def owed_messages(limit: int = 50):
    """The oldest still owed: a long wait means workers or the mail server need a look."""
    return (
        OutboxMessage.objects.filter(state=OutboxMessage.State.OWED)
        .select_related("enterprise")
        .order_by("created_at")[:limit]
    )


# --- Objections ------------------------------------------------------------------------------


def objections_queue():
    """Open objections, soonest answer first, each with how many others are open about the
    same listing (duplicates are examined together) and whether it is overdue; then the
    twenty answered last."""
    today = china_date(timezone.now())
    open_ones = list(
        Objection.objects.filter(state=Objection.State.OPEN)
        .select_related("listing")
        .annotate(
            same_listing=Count(
                "listing__objections", filter=Q(listing__objections__state=Objection.State.OPEN)
            )
        )
        .order_by("answer_due", "pk")
    )
    for objection in open_ones:
        objection.overdue = objection.answer_due is not None and objection.answer_due < today
    answered = list(
        Objection.objects.filter(state=Objection.State.ANSWERED)
        .select_related("listing", "answered_by")
        .order_by("-answered_at")[:20]
    )
    return open_ones, answered


def objection_for_review(*, objection_id: int) -> Objection:
    """A confirmed objection (an unconfirmed one does not count yet), with its evidence."""
    return get_object_or_404(
        Objection.objects.exclude(state=Objection.State.UNCONFIRMED)
        .select_related("listing__pledge", "answered_by")
        .prefetch_related("evidence"),
        pk=objection_id,
    )


def objection_evidence_for_review(*, evidence_id: int) -> ObjectionEvidence:
    return get_object_or_404(
        ObjectionEvidence.objects.exclude(objection__state=Objection.State.UNCONFIRMED),
        pk=evidence_id,
    )


# --- Abuse ----------------------------------------------------------------------------------

ABUSE_TOP = 10


@dataclass(frozen=True)
class AbuseReport:
    """This week's most frequent sources of objections and sign-ups: (value, count) pairs."""

    objection_addresses: list
    objection_domains: list
    signup_addresses: list
    signup_domains: list


def _top(values) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for value in values:
        if value:
            counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:ABUSE_TOP]


def abuse_report(*, days: int = 7) -> AbuseReport:
    since = timezone.now() - timedelta(days=days)
    objections = list(
        Objection.objects.filter(created_at__gte=since).values_list("client_ip", "email")
    )
    signups = list(
        User.objects.filter(date_joined__gte=since, is_staff=False).values_list(
            "signup_address", "email"
        )
    )
    return AbuseReport(
        objection_addresses=_top(address for address, _email in objections),
        objection_domains=_top(email_domain(email) for _address, email in objections),
        signup_addresses=_top(address for address, _email in signups),
        signup_domains=_top(email_domain(email) for _address, email in signups),
    )


def block_list():
    return BlockedSource.objects.order_by("kind", "value")


def signatory_imports(limit: int = 50):
    return (
        SignatoryImport.objects.select_related("imported_by")
        .defer("report_csv")
        .order_by("-created_at", "-pk")[:limit]
    )


def signatory_import(*, import_id: int) -> SignatoryImport | None:
    return SignatoryImport.objects.filter(pk=import_id).first()


def checklist(campaign_id: int) -> list[ChecklistItem]:
    return checklist_of_campaigns([campaign_id])


def checklist_of_campaigns(campaign_ids) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(campaign_id__in=campaign_ids))


def dashboard_campaign(*, year: int | None) -> Campaign | None:
    """The campaign of ``year``, or the latest one that has opened (else the latest)."""
    if year is not None:
        return Campaign.objects.filter(year=year).first()
    opened = Campaign.objects.filter(opens_at__lte=timezone.now()).order_by("-year").first()
    return opened or Campaign.objects.order_by("-year").first()


def campaign_years() -> list[int]:
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True))
