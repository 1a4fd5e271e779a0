"""Private files, served only to members of the enterprise they belong to."""

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from .. import selectors


def _serve(file_field, download_name: str) -> FileResponse:
    if not file_field:
        raise Http404
    content_type = mimetypes.guess_type(file_field.name)[0] or "application/octet-stream"
    response = FileResponse(
        file_field.open("rb"),
        content_type=content_type,
        as_attachment=False,
        filename=download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def stamped_page(request, pledge_id):
    pledge = selectors.pledge_for_member(user=request.user, pledge_id=pledge_id)
    suffix = pledge.stamped_page.name.rsplit(".", 1)[-1] if pledge.stamped_page else ""
    return _serve(pledge.stamped_page, f"pledge-{pledge.campaign.year}-stamped-page.{suffix}")


@login_required
def licence_scan(request):
    membership = selectors.membership_for(request.user)
    if membership is None:
        raise Http404
    field = membership.enterprise.licence_scan
    suffix = field.name.rsplit(".", 1)[-1] if field else ""
    return _serve(field, f"business-licence.{suffix}")
