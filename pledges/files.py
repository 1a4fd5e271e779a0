"""Serving private files (licence scans, stamped pages) to whoever the calling view allowed."""

import mimetypes

from django.http import FileResponse, Http404

# A stored file is shown in place (an image, or a PDF in the browser's viewer) and may be
# framed by our own pages only; nothing in it may run scripts or load anything.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# The browser's PDF viewer does not run in a sandboxed document, so PDFs get no sandbox.
PDF_POLICY = "default-src 'none'; frame-ancestors 'self'"


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
