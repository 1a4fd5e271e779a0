"""The messages the product owes: owed, sent and refused, by kind; refused ones sent again."""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ...services.outbox import messages_retry
from .. import selectors
from .access import administrator_required


@administrator_required
def message_list(request):
    return render(
        request,
        "review/messages.html",
        {
            "counts": selectors.message_counts(),
            "refused": selectors.refused_messages(),
            "owed": selectors.owed_messages(),
        },
    )


@require_POST
@administrator_required
def message_retry(request, message_id=None):
    count = messages_retry(
        actor=request.user, message_ids=None if message_id is None else [message_id]
    )
    flash.success(
        request,
        ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
        % {"count": count},
    )
    return redirect("review:messages")
