"""The queue: what waits for a decision, oldest first."""

from django.shortcuts import render

from ...models import Pledge, claim_cutoff
from .. import selectors
from .access import reviewer_required


@reviewer_required
def queue(request):
    queue_filter, page, counts = selectors.review_queue(
        data=request.GET, user=request.user, page_number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/queue.html",
        {
            "filter": queue_filter,
            "page": page,
            "state_counts": [
                (value, label, counts.get(value, 0)) for value, label in Pledge.State.choices
            ],
            "query": query.urlencode(),
            "overdue_before": selectors.overdue_before(),
            "claim_cutoff": claim_cutoff(),
        },
    )
