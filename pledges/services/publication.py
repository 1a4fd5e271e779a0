"""The only writer of the published record: listings, their tallies, superseded certificates
and the public data version.

Every function here is called by a reviewed decision, inside the decision's transaction, so
the public sees a decision exactly when it commits, and never anything a reviewer has not
seen. Each publication takes the next public data version under a row lock: publications
commit in version order, which is what the feed's cursor relies on.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import events
from ..history.runs import listing_runs_refresh
from ..models import (
    SHOWN_STATUSES,
    AuditEvent,
    Certificate,
    Enterprise,
    Listing,
    ListingTally,
    Pledge,
    PublicDataVersion,
)
from ..reference import china_date
from ..search import name_ngrams

Status = Listing.Status
Action = AuditEvent.Action

# What a take-down clears: nothing that names the enterprise stays. (Province and industry
# codes stay, never shown, so the feed filtered by them can still report the removal.)
_CLEARED = {
    "name": "",
    "name_en": "",
    "credit_code": "",
    "city": "",
    "website": "",
    "search_ngrams": "",
    "corrections": [],
    "revocation_reason": "",
    "objection_open": False,
    "objection_outcomes": [],
}
# The fields a rebuild reproduces; the version bookkeeping (sequence, changed_at) is not a fact.
RECORD_FIELDS = (
    "enterprise_id",
    "campaign_id",
    "year",
    "status",
    "name",
    "name_en",
    "credit_code",
    "province_id",
    "city",
    "industry_id",
    "section_id",
    "website",
    "text_sha256",
    "signed_on",
    "approved_at",
    "revoked_at",
    "revocation_reason",
    "certificate_number",
    "certificate_sha256",
    "certificate_issued_on",
    "corrections",
    "search_ngrams",
    "notice_until",
    "final_at",
    "objection_open",
    "objection_outcomes",
)


def _next_version(count: int = 1) -> tuple[int, datetime]:
    """Lock the version row until the caller's transaction ends and take ``count`` new
    versions (one per listing changed, so each keeps a sequence of its own): the first."""
    row = PublicDataVersion.objects.select_for_update().filter(pk=1).first()
    if row is None:
        PublicDataVersion.objects.get_or_create(pk=1)
        row = PublicDataVersion.objects.select_for_update().get(pk=1)
    now = timezone.now()
    PublicDataVersion.objects.filter(pk=1).update(version=row.version + count, changed_at=now)
    transaction.on_commit(PublicDataVersion.forget)
    return row.version + 1, now


def public_record_changed() -> None:
    """Something public that no listing holds changed (an earlier year imported, say): move
    the version, so no page cached before it is served again."""
    _next_version()


def enterprise_values(enterprise: Enterprise) -> dict:
    """The enterprise's public details as a listing holds them (the enterprise row holds
    the approved ones: once published, changes wait in a ProfileChange)."""
    return {
        "name": enterprise.name,
        "name_en": enterprise.name_en,
        "credit_code": enterprise.credit_code,
        "province_id": enterprise.province_id,
        "city": enterprise.city,
        "industry_id": enterprise.industry_id,
        "section_id": enterprise.industry.section_id,
        "website": enterprise.website,
        "search_ngrams": name_ngrams(enterprise.name),
    }


def _tally(listing_values: dict, status: str, delta: int) -> None:
    if status not in SHOWN_STATUSES or not listing_values.get("province_id"):
        return
    key = {
        "year": listing_values["year"],
        "province": listing_values["province_id"],
        "section": listing_values["section_id"],
        "status": status,
    }
    # The version lock serialises publications, so the insert below never races another.
    if not ListingTally.objects.filter(**key).update(count=F("count") + delta):
        ListingTally.objects.create(**key, count=delta)


def _current(listing: Listing) -> dict:
    return {
        "year": listing.year,
        "province_id": listing.province_id,
        "section_id": listing.section_id,
    }


def listing_publish(*, pledge: Pledge, notice_until: date | None) -> Listing:
    """An approval: the pledge is listed with the enterprise's details as approved, in public
    notice until the end of ``notice_until`` (None: final at once)."""
    version, now = _next_version()
    enterprise = pledge.enterprise
    values = {
        "enterprise_id": enterprise.pk,
        "campaign_id": pledge.campaign_id,
        "year": pledge.campaign.year,
        "status": Status.LISTED,
        **enterprise_values(enterprise),
        "text_sha256": pledge.text_sha256,
        "signed_on": china_date(pledge.submitted_at),
        "approved_at": pledge.decided_at,
        "notice_until": notice_until,
        "final_at": None if notice_until else pledge.decided_at,
        "sequence": version,
        "changed_at": now,
    }
    listing, _created = Listing.objects.update_or_create(pledge=pledge, defaults=values)
    _tally(values, Status.LISTED, 1)
    listing_runs_refresh(codes=[listing.credit_code])
    if notice_until:
        events.notice_started_events(listings=[listing], until=notice_until, at=now)
    return listing


def listing_revoke(*, pledge: Pledge, reason: str, at: datetime) -> None:
    """A revocation: the listing stays public, marked revoked, with the public reason."""
    version, now = _next_version()
    listing = Listing.objects.select_for_update().get(pk=pledge.pk)
    if listing.status != Status.LISTED:
        return
    Listing.objects.filter(pk=listing.pk).update(
        status=Status.REVOKED,
        revoked_at=at,
        revocation_reason=reason,
        sequence=version,
        changed_at=now,
    )
    _tally(_current(listing), Status.LISTED, -1)
    _tally(_current(listing), Status.REVOKED, 1)
    listing_runs_refresh(codes=[listing.credit_code])


def listing_take_down(*, pledge: Pledge, at: datetime) -> None:
    """A take-down: nothing of the enterprise stays on any public surface. The page answers
    410 and the feed reports the removal; a certificate number verifies as revoked, unnamed."""
    version, now = _next_version()
    listing = Listing.objects.select_for_update().get(pk=pledge.pk)
    if listing.status == Status.REMOVED:
        return
    Listing.objects.filter(pk=listing.pk).update(
        status=Status.REMOVED,
        revoked_at=listing.revoked_at or at,
        sequence=version,
        changed_at=now,
        **_CLEARED,
    )
    _tally(_current(listing), listing.status, -1)
    listing_runs_refresh(codes=[listing.credit_code])


def listing_certificate_issued(*, certificate: Certificate) -> None:
    """A certificate was issued (or issued again after a rename): the listing shows its number."""
    version, now = _next_version()
    Listing.objects.filter(pk=certificate.pledge_id).exclude(status=Status.REMOVED).update(
        certificate_number=certificate.number,
        certificate_sha256=certificate.sha256,
        certificate_issued_on=china_date(certificate.issued_at),
        sequence=version,
        changed_at=now,
    )


def listing_certificate_superseded(*, pledge_id: int) -> None:
    """A rename superseded the certificate: until the new one is issued, none is shown."""
    version, now = _next_version()
    Listing.objects.filter(pk=pledge_id).update(
        certificate_number="",
        certificate_sha256="",
        certificate_issued_on=None,
        sequence=version,
        changed_at=now,
    )


def corrections_of(changes: dict, at: datetime) -> list[dict]:
    """The public history entries of one approved change ({field: [before, after]})."""
    on = china_date(at).isoformat()
    return [
        {"on": on, "field": field, "before": before, "after": after}
        for field, (before, after) in changes.items()
    ]


def listings_correct(
    *, enterprise: Enterprise, changes: dict, at: datetime, notice_until: date | None
) -> list[int]:
    """An approved change of public details: every shown listing of the enterprise takes the
    new values and records the correction; the listed ones are in public notice again until
    the end of ``notice_until`` (None: no notice). Returns the listings' pledge ids."""
    listings = list(
        Listing.objects.select_for_update().filter(enterprise=enterprise, status__in=SHOWN_STATUSES)
    )
    if not listings:
        return []
    version, now = _next_version(len(listings))
    new_values = enterprise_values(enterprise)
    entries = corrections_of(changes, at)
    for offset, listing in enumerate(listings):
        _tally(_current(listing), listing.status, -1)
        for name, value in new_values.items():
            setattr(listing, name, value)
        listing.corrections = [*listing.corrections, *entries]
        listing.sequence = version + offset
        listing.changed_at = now
        _tally(_current(listing), listing.status, 1)
    noticed = [listing for listing in listings if notice_until and listing.status == Status.LISTED]
    for listing in noticed:
        listing.notice_until, listing.final_at = notice_until, None
    Listing.objects.bulk_update(
        listings,
        [*new_values, "corrections", "notice_until", "final_at", "sequence", "changed_at"],
        batch_size=500,
    )
    if noticed:
        events.notice_started_events(listings=noticed, until=notice_until, at=now)
    return [listing.pk for listing in listings]


def listings_end_notice(*, today: date) -> int:
    """Listings whose notice period ended before ``today`` (China's date) become final.
    Returns how many; none the second time."""
    due = Listing.objects.filter(
        status=Status.LISTED, final_at=None, notice_until__lt=today, objection_open=False
    )
    candidates = list(due.values_list("pk", flat=True))
    if not candidates:  # the common case: no version taken, nothing locked
        return 0
    version, now = _next_version(len(candidates))
    # Read again under the version lock: a run at the same moment waited for it, and now
    # finds what the first one ended already gone.
    listings = list(due.filter(pk__in=candidates).select_for_update().order_by("pk"))
    for offset, listing in enumerate(listings):
        listing.final_at = now
        listing.sequence = version + offset
        listing.changed_at = now
    Listing.objects.bulk_update(listings, ["final_at", "sequence", "changed_at"], batch_size=500)
    events.notice_ended_events(listings=listings, at=now)
    return len(listings)


def listing_objection_opened(*, pledge_id: int) -> None:
    """A confirmed objection: the listing shows it is under review (nothing of its grounds)."""
    version, now = _next_version()
    Listing.objects.filter(pk=pledge_id).exclude(status=Status.REMOVED).update(
        objection_open=True, sequence=version, changed_at=now
    )


def objection_outcome(*, outcome: str, reason: str, at: datetime) -> dict:
    """The public entry of one answered objection."""
    return {"on": china_date(at).isoformat(), "outcome": outcome, "reason": reason}


def listing_objection_answered(
    *, pledge_id: int, outcome: str, reason: str, at: datetime, still_open: bool
) -> None:
    """An answered objection: its outcome is published; the listing stays under review while
    ``still_open`` (another objection about it is open)."""
    version, now = _next_version()
    listing = Listing.objects.select_for_update().get(pk=pledge_id)
    if listing.status == Status.REMOVED:
        return
    Listing.objects.filter(pk=pledge_id).update(
        objection_open=still_open,
        objection_outcomes=[
            *listing.objection_outcomes,
            objection_outcome(outcome=outcome, reason=reason, at=at),
        ],
        sequence=version,
        changed_at=now,
    )


# --- Rebuilding from the decisions -----------------------------------------------------------


def expected_listings() -> dict[int, dict]:
    """The record as the decisions make it: for every pledge ever approved, the listing its
    approval, revocation, take-down, certificate and approved changes imply."""
    pledges = (
        Pledge.objects.filter(state__in=(Pledge.State.APPROVED, Pledge.State.REVOKED))
        .exclude(decided_at=None)
        .select_related("enterprise__industry", "campaign")
        .order_by("pk")
    )
    ends = {}
    for event in AuditEvent.objects.filter(
        action__in=(Action.PLEDGE_REVOKED, Action.PLEDGE_TAKEN_DOWN)
    ).order_by("created_at", "id"):
        ends.setdefault(event.pledge_id, {})[event.action] = event
    changes: dict[int, list[AuditEvent]] = {}
    for event in AuditEvent.objects.filter(action=Action.PROFILE_CHANGE_APPROVED).order_by(
        "created_at", "id"
    ):
        changes.setdefault(event.enterprise_id, []).append(event)
    certificates = {
        c.pledge_id: c for c in Certificate.objects.exclude(number="").exclude(rendered_at=None)
    }
    notices = _notices()
    objections = _objections()
    expected = {}
    for pledge in pledges:
        revoked = ends.get(pledge.pk, {}).get(Action.PLEDGE_REVOKED)
        taken_down = ends.get(pledge.pk, {}).get(Action.PLEDGE_TAKEN_DOWN)
        certificate = certificates.get(pledge.pk)
        values = {
            "enterprise_id": pledge.enterprise_id,
            "campaign_id": pledge.campaign_id,
            "year": pledge.campaign.year,
            "status": Status.REVOKED if revoked else Status.LISTED,
            **enterprise_values(pledge.enterprise),
            "text_sha256": pledge.text_sha256,
            "signed_on": china_date(pledge.submitted_at),
            "approved_at": pledge.decided_at,
            "revoked_at": revoked.created_at if revoked else None,
            "revocation_reason": revoked.reason if revoked else "",
            "certificate_number": certificate.number if certificate else "",
            "certificate_sha256": certificate.sha256 if certificate else "",
            "certificate_issued_on": china_date(certificate.issued_at) if certificate else None,
            "corrections": [
                entry
                for event in changes.get(pledge.enterprise_id, [])
                if event.created_at >= pledge.decided_at
                for entry in corrections_of(event.details.get("changes", {}), event.created_at)
            ],
            # No notice recorded: published without one, final when approved.
            "notice_until": None,
            "final_at": pledge.decided_at,
            **notices.get(pledge.pk, {}),
            **objections.get(pledge.pk, {"objection_open": False, "objection_outcomes": []}),
        }
        if taken_down:
            values.update(
                status=Status.REMOVED,
                revoked_at=(revoked or taken_down).created_at,
                **_CLEARED,
            )
        expected[pledge.pk] = values
    return expected


def _notices() -> dict[int, dict]:
    """Per pledge, its latest notice period and when it ended, from the notice events."""
    notices: dict[int, dict] = {}
    for event in AuditEvent.objects.filter(
        action__in=(Action.NOTICE_STARTED, Action.NOTICE_ENDED)
    ).order_by("created_at", "id"):
        if event.action == Action.NOTICE_STARTED:
            until = date.fromisoformat(event.details["until"])
            notices[event.pledge_id] = {"notice_until": until, "final_at": None}
        else:
            notices.setdefault(event.pledge_id, {"notice_until": None})["final_at"] = (
                event.created_at
            )
    return notices


def _objections() -> dict[int, dict]:
    """Per pledge, whether an objection is open and the outcomes of those answered."""
    opened: dict[int, int] = {}
    outcomes: dict[int, list] = {}
    for event in AuditEvent.objects.filter(
        action__in=(Action.OBJECTION_CONFIRMED, Action.OBJECTION_ANSWERED)
    ).order_by("created_at", "id"):
        if event.action == Action.OBJECTION_CONFIRMED:
            opened[event.pledge_id] = opened.get(event.pledge_id, 0) + 1
        else:
            opened[event.pledge_id] = opened.get(event.pledge_id, 0) - 1
            outcomes.setdefault(event.pledge_id, []).append(
                objection_outcome(
                    outcome=event.details["outcome"], reason=event.reason, at=event.created_at
                )
            )
    return {
        pk: {"objection_open": opened.get(pk, 0) > 0, "objection_outcomes": outcomes.get(pk, [])}
        for pk in opened.keys() | outcomes.keys()
    }


def record_drift() -> list[str]:
    """How the stored record differs from the decisions (empty when it matches)."""
    expected = expected_listings()
    stored = {row["pledge_id"]: row for row in Listing.objects.values("pledge_id", *RECORD_FIELDS)}
    drift = []
    for pk in sorted(expected.keys() - stored.keys()):
        drift.append(f"listing {pk}: missing")
    for pk in sorted(stored.keys() - expected.keys()):
        drift.append(f"listing {pk}: not backed by an approval")
    for pk in sorted(expected.keys() & stored.keys()):
        for name in RECORD_FIELDS:
            if expected[pk][name] != stored[pk][name]:
                drift.append(
                    f"listing {pk}: {name} is {stored[pk][name]!r}, "
                    f"the decisions say {expected[pk][name]!r}"
                )
    drift.extend(f"tally {line}" for line in _tally_drift())
    return drift


def _expected_tallies() -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for row in Listing.objects.filter(status__in=SHOWN_STATUSES).values_list(
        "year", "province_id", "section_id", "status"
    ):
        counts[row] = counts.get(row, 0) + 1
    return counts


def _tally_drift() -> list[str]:
    expected = _expected_tallies()
    stored = {
        (t.year, t.province, t.section, t.status): t.count
        for t in ListingTally.objects.exclude(count=0)
    }
    return [
        f"{key}: {stored.get(key, 0)} stored, {expected.get(key, 0)} listed"
        for key in sorted(expected.keys() | stored.keys())
        if expected.get(key, 0) != stored.get(key, 0)
    ]


def record_rebuild() -> int:
    """Make the record what the decisions say; returns how many listings changed."""
    changed = 0
    with transaction.atomic():
        expected = expected_listings()
        version, now = _next_version(len(expected) + 1)
        stored = {listing.pk: listing for listing in Listing.objects.select_for_update()}
        for pk, values in expected.items():
            listing = stored.get(pk)
            if listing is not None and all(
                getattr(listing, name) == values[name] for name in RECORD_FIELDS
            ):
                continue
            Listing.objects.update_or_create(
                pledge_id=pk, defaults={**values, "sequence": version, "changed_at": now}
            )
            version += 1
            changed += 1
        stray = stored.keys() - expected.keys()
        Listing.objects.filter(pk__in=stray).delete()
        changed += len(stray)
        ListingTally.objects.all().delete()
        ListingTally.objects.bulk_create(
            ListingTally(year=y, province=p, section=s, status=st, count=n)
            for (y, p, s, st), n in _expected_tallies().items()
        )
        listing_runs_refresh()
    return changed
