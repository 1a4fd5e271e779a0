"""Screening at the door: the banned terms (kept by administrators in the console) and the
soft signals that flag an item in the review queue. The review gate stays the guarantee;
this only stops the obvious before a reviewer has to read it."""

import re
import unicodedata
from datetime import timedelta
from difflib import SequenceMatcher

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import BannedTerm

TERMS_KEY = "banned-terms"
TERMS_TTL = 300
# Spaces, punctuation and symbols that spam puts between characters ("赌 博", "赌.博").
_SEPARATORS = re.compile(r"[\W_]+")
NEW_ACCOUNT = timedelta(days=7)
UNLIKE_NAME = 0.5
# How registered enterprises' names end (the organisational form in the name, as the
# registration rules require): a name without one rarely belongs to a registered enterprise.
ENTERPRISE_FORMS = (
    "公司",
    "集团",
    "厂",
    "合作社",
    "合伙）",
    "合伙)",
    "事务所",
    "研究院",
    "研究所",
    "中心",
    "医院",
    "商行",
    "经营部",
    "门市部",
)


def _folded(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())


def banned_terms() -> list[str]:
    terms = cache.get(TERMS_KEY)
    if terms is None:
        terms = [_folded(t) for t in BannedTerm.objects.values_list("term", flat=True)]
        cache.set(TERMS_KEY, terms, TERMS_TTL)
    return terms


def forget_banned_terms() -> None:
    cache.delete(TERMS_KEY)


def banned_term_in(text: str) -> str | None:
    """The first banned term found in ``text`` (full/half width, case and separators
    ignored), or None."""
    folded = _folded(text or "")
    if not folded:
        return None
    return next((term for term in banned_terms() if term and term in folded), None)


def soft_flags(*, account_created=None, name_before: str = "", name_after: str = "") -> list:
    """Reasons a reviewer should look twice: a new account, a name that does not read like a
    registered enterprise's, a rename to a name unlike the current one."""
    flags = []
    if account_created and timezone.now() - account_created < NEW_ACCOUNT:
        flags.append(_("New account (less than a week old)"))
    if name_after and not name_after.strip().endswith(ENTERPRISE_FORMS):
        flags.append(_("The name does not read like a registered enterprise's"))
    unlike = name_before and name_after
    if unlike and SequenceMatcher(None, name_before, name_after).ratio() < UNLIKE_NAME:
        flags.append(_("The new name is unlike the registered one"))
    return flags
