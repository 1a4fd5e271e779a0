"""The years across, kept on each listing for the public list's filters ("signed N years in
a row", "lapsed"): recomputed for a credit code whenever its listings or imported years
change, and for everyone when "this year" moves (a campaign opens or closes)."""

from collections import defaultdict

from django.core.cache import cache

from ..models import SHOWN_STATUSES, ImportedSignature, Listing
from .selectors import campaign_schedule, this_year
from .standing import LAPSED, SignedYear, standing

CHUNK = 500


def runs_of(listings: list[tuple], imported: set[int], *, now_year: int, signing_open: bool):
    """For one code: {pledge id: (run_years, lapsed)} from its shown listings (pledge id,
    year, status) and its imported years."""
    signed = [
        SignedYear(year=year, revoked=status == Listing.Status.REVOKED)
        for _pk, year, status in listings
    ] + [SignedYear(year=year, imported=True) for year in imported]
    kept = {s.year for s in signed if not s.revoked}
    lapsed = standing(signed, this_year=now_year, signing_open=signing_open).status == LAPSED
    result = {}
    for pk, year, status in listings:
        run = 0
        if status != Listing.Status.REVOKED:
            while year - run in kept:
                run += 1
        result[pk] = (run, lapsed)
    return result


def listing_runs_refresh(*, codes=None) -> int:
    """Recompute the listings of ``codes`` (every code when None); returns how many rows
    changed."""
    now_year, signing_open = this_year(campaign_schedule())
    shown = Listing.objects.filter(status__in=SHOWN_STATUSES)
    if codes is None:
        codes = list(shown.values_list("credit_code", flat=True).distinct())
    codes = sorted(set(codes))
    changed = 0
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        listings = defaultdict(list)
        current = {}
        for pk, code, year, status, run, lapsed in shown.filter(credit_code__in=chunk).values_list(
            "pledge_id", "credit_code", "year", "status", "run_years", "lapsed"
        ):
            listings[code].append((pk, year, status))
            current[pk] = (run, lapsed)
        if not listings:
            continue
        imported = defaultdict(set)
        for code, year in ImportedSignature.objects.filter(
            credit_code__in=list(listings)
        ).values_list("credit_code", "year"):
            imported[code].add(year)
        wanted = {}
        for code, rows in listings.items():
            wanted.update(
                runs_of(rows, imported[code], now_year=now_year, signing_open=signing_open)
            )
        stale = defaultdict(list)
        for pk, values in wanted.items():
            if current[pk] != values:
                stale[values].append(pk)
        for (run, lapsed), pks in stale.items():
            changed += Listing.objects.filter(pk__in=pks).update(run_years=run, lapsed=lapsed)
    return changed


BASIS_KEY = "listing-runs-basis"


def listing_runs_follow_this_year() -> int:
    """Beat: when "this year" moves (a campaign opened or closed; or never computed here),
    recompute every listing; else nothing."""
    basis = list(this_year(campaign_schedule()))
    if cache.get(BASIS_KEY) == basis:
        return 0
    changed = listing_runs_refresh()
    cache.set(BASIS_KEY, basis, None)
    return changed
