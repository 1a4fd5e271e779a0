"""Private files, served only to members of the enterprise they belong to."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .. import selectors
from ..files import private_file_response


@login_required
def stamped_page(request, pledge_id):
    pledge = selectors.pledge_for_member(user=request.user, pledge_id=pledge_id)
    return private_file_response(pledge.stamped_page, f"pledge-{pledge.campaign.year}-stamped-page")


@login_required
def licence_scan(request):
    membership = selectors.membership_for(request.user)
    if membership is None:
        raise Http404
    return private_file_response(membership.enterprise.licence_scan, "business-licence")
