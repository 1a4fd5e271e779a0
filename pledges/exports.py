"""CSV downloads that open safely in Excel: streamed, UTF-8 with a BOM, no formula injection.

Reusable: give ``csv_response`` a header and an iterable of rows; every cell is neutralised
unless it was built with ``text_cell`` (kept as text, for codes Excel would turn into numbers).
"""

import csv
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .models import AuditEvent, Campaign, Pledge

# The reports are defined in China time, whatever time zone the reader's browser is in.
REPORT_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
CHUNK_SIZE = 2000
# Excel (and LibreOffice, Google Sheets) read a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_CODE = re.compile(r"[0-9A-Za-z]+")


class TextCell(str):
    """A cell written as it is: already made safe by ``text_cell``."""


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can stream."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str:
    """The cell as text, with a leading quote if a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, TextCell):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def text_cell(code: str) -> str:
    """A code of digits and letters that Excel must keep as text.

    An 18-digit credit code would otherwise become a number (9.1E+17) and lose its last
    digits. A leading tab makes Excel take the cell as text and is not shown; it is only
    used for plain codes, since a tab in front of a formula is itself a trigger.
    """
    if code and PLAIN_CODE.fullmatch(code):
        return TextCell("\t" + code)
    return safe_cell(code)


def local_time(value: datetime | None) -> str:
    return value.astimezone(REPORT_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """Stream ``rows`` as an attachment; queries in ``rows`` run while the file is sent."""
    language = translation.get_language()

    def lines() -> Iterator[str]:
        # The body is produced after the view has returned: keep the request's language.
        with translation.override(language):
            writer = csv.writer(_Echo())
            # The BOM tells Excel the file is UTF-8; without it Chinese text is garbled.
            yield "\ufeff"
            yield writer.writerow([safe_cell(cell) for cell in header])
            for row in rows:
                yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


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
        for pledge in pledges.iterator(chunk_size=CHUNK_SIZE):
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
        events.annotate(day=TruncDate("created_at", tzinfo=REPORT_TZ))
        .values("day", "actor__email")
        .annotate(
            total=Count("pk"),
            **{name: Count("pk", filter=Q(action=action)) for name, action in DECISIONS.items()},
        )
        .order_by("day", "actor__email")
    )

    def rows():
        for row in counts.iterator(chunk_size=CHUNK_SIZE):
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
