"""System checks of the domain's own data (certificate rendering's are in certificates/)."""

from datetime import timedelta

from django.conf import settings
from django.core import checks
from django.utils import timezone

from .reference import china_date
from .workdays import calendar_last_day

# Approvals count their notice period on the calendar; warn this long before it runs out.
CALENDAR_WARNING_DAYS = 60


@checks.register(checks.Tags.compatibility, deploy=True)
def working_day_calendar(app_configs=None, **kwargs):
    if settings.NOTICE_WORKING_DAYS <= 0:
        return []
    last = calendar_last_day()
    if last >= china_date(timezone.now()) + timedelta(days=CALENDAR_WARNING_DAYS):
        return []
    return [
        checks.Warning(
            f"The working-day calendar ends on {last.isoformat()}: from then on approvals "
            "are refused, as their public notice period cannot be counted.",
            hint="Upgrade the chinesecalendar package once the State Council has published "
            "the next year's holidays (usually in November).",
            id="pledges.W010",
        )
    ]
