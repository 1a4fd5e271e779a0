"""Public notice (公示): an approval, or an approved change of public details, is published
first as "in public notice" for NOTICE_WORKING_DAYS Chinese working days; when the period
ends the listing becomes final by itself (the beat task ``end_notices``)."""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..reference import china_date
from ..workdays import working_days_after
from .publication import listings_end_notice


def notice_until_for(decided_at: datetime) -> date | None:
    """The last day of the notice period of a decision taken at ``decided_at`` (the day
    itself not counted); None when notice is off. Raises CalendarNotCovered."""
    days = settings.NOTICE_WORKING_DAYS
    if days <= 0:
        return None
    return working_days_after(china_date(decided_at), days)


def notices_end(*, today: date | None = None) -> int:
    """Make final every listing whose notice period is over (safe to run twice)."""
    with transaction.atomic():
        return listings_end_notice(today=today or china_date(timezone.now()))
