"""Responses every room sends: private files to whoever the view allowed, and CSV downloads
that open safely in Excel (streamed, UTF-8 with a BOM, no formula injection).

``csv_response`` takes a header and an iterable of rows; every cell is neutralised unless it
was built with ``text_cell`` (kept as text, for codes Excel would turn into numbers).
"""

import csv
import mimetypes
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header

from .reference import CHINA_TZ

# A stored file is shown in place (an image, or a PDF in the browser's viewer) and may be
# framed by our own pages only; nothing in it may run scripts or load anything.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# The browser's PDF viewer does not run in a sandboxed document, so PDFs get no sandbox.
PDF_POLICY = "default-src 'none'; frame-ancestors 'self'"


def noindex(response):
    """Asked of search engines for pages that are nobody's to index (verification,
    objections): they are never cached either (their views say so)."""
    response["X-Robots-Tag"] = "noindex"
    return response


def private_file_response(file_field, download_name: str) -> FileResponse:
    if not file_field:
        raise Http404
    content_type = mimetypes.guess_type(file_field.name)[0] or "application/octet-stream"
    suffix = file_field.name.rsplit(".", 1)[-1] if "." in file_field.name else "bin"
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, filename=f"{download_name}.{suffix}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Content-Security-Policy"] = (
        PDF_POLICY if content_type == "application/pdf" else IMAGE_POLICY
    )
    return response


# --- CSV ---------------------------------------------------------------------------------

CSV_CHUNK_SIZE = 2000
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
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


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
