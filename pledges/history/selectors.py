"""Reads of the years across: an enterprise's signed years, here and imported."""

from django.db.models import IntegerField, Value
from django.utils import timezone

from ..models import SHOWN_STATUSES, Campaign, ImportedSignature, Listing
from .standing import SignedYear, Standing, standing

IMPORTED = "imported"


def this_year(schedule, now=None) -> tuple[int, bool]:
    """(this year, whether its signing is open) from ``schedule``: (year, opens_at,
    closes_at) of every campaign. This year is the latest campaign that has opened; before
    any has, the calendar year."""
    now = now or timezone.now()
    opened = [(year, closes_at) for year, opens_at, closes_at in schedule if opens_at <= now]
    if not opened:
        return timezone.localdate(now).year, False
    year, closes_at = max(opened)
    return year, now < closes_at


def campaign_schedule() -> list[tuple]:
    return list(Campaign.objects.values_list("year", "opens_at", "closes_at"))


def imported_years(credit_code: str) -> list[SignedYear]:
    return [
        SignedYear(year=year, imported=True, name=name)
        for year, name in ImportedSignature.objects.filter(credit_code=credit_code)
        .values_list("year", "name")
        .order_by("-year")
    ]


def recorded_years(credit_code: str, url_pattern: str) -> list[SignedYear]:
    """Every year on record for ``credit_code``, in one query: signed here (shown listings)
    and imported."""
    # Model orderings are dropped: SQLite refuses ORDER BY inside a UNION's parts.
    listed = (
        Listing.objects.filter(credit_code=credit_code, status__in=SHOWN_STATUSES)
        .order_by()
        .values_list("year", "status", "name", "pledge_id")
    )
    imported = (
        ImportedSignature.objects.filter(credit_code=credit_code)
        .order_by()
        .annotate(origin=Value(IMPORTED), listing=Value(None, output_field=IntegerField()))
        .values_list("year", "origin", "name", "listing")
    )
    return [
        SignedYear(
            year=year,
            imported=status == IMPORTED,
            revoked=status == Listing.Status.REVOKED,
            name=name,
            url=url_pattern.format(pledge_id) if pledge_id is not None else "",
        )
        for year, status, name, pledge_id in listed.union(imported, all=True)
    ]


def credit_code_standing(credit_code: str, *, url_pattern: str, schedule=None) -> Standing:
    """Every year on record for ``credit_code``: signed here and imported."""
    year, signing_open = this_year(campaign_schedule() if schedule is None else schedule)
    years = recorded_years(credit_code, url_pattern)
    return standing(years, this_year=year, signing_open=signing_open)


def confirmed_standing(credit_code: str, *, url_pattern: str) -> Standing | None:
    """The standing an enterprise's members see: once a reviewer has approved one of its
    pledges (which confirms the code is theirs), with the imported years under its code;
    None before."""
    history = credit_code_standing(credit_code, url_pattern=url_pattern)
    if not any(not signed.imported for signed in history.years):
        return None
    return history
