"""Writes of what the public sees: the version of the public data that the public pages' cache
keys carry (pledges.public.cache). A new version makes every public page render afresh."""

from django.core.cache import cache
from django.db import transaction

from ..public.cache import VERSION_KEY


def public_data_changed() -> None:
    """Call inside the decision's transaction: the version moves once it has committed."""
    transaction.on_commit(_bump_version)


def _bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
