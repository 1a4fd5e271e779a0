"""Public pages for visitors without a session, filled into a frame rendered once.

Such a visitor sees the same header, navigation and footer as any other (see .cache), so a
page template whose per-request parts are plain ``{{ part }}`` outputs is rendered once per
language and data version with a mark in place of each part, and every response fills the
marks in: the same bytes as rendering it, without the template engine's cost for the page
around the content (as much as the content itself on a list or enterprise page).
"""

import re

from django.core.cache import caches
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from .cache import cache_key, is_anonymous_visit

FRAME_TTL = 300
# The path the language switcher returns to (base.html's next_path): a part of every page.
NEXT_PATH = "next_path"
# A part's name between two private-use characters: escaping leaves it as it is.
_MARK = re.compile("\ue000([a-z_]+)\ue000")


def framed_response(request, template_name: str, parts: dict) -> HttpResponse:
    """``template_name`` rendered with ``parts`` as its context: text is escaped, markup must
    be a SafeString. From the frame when the visitor has no session."""
    if not is_anonymous_visit(request):
        return render(request, template_name, parts)
    names = sorted([*parts, NEXT_PATH])
    frame = caches["fragments"].get_or_set(  # this process's memory: no round trip
        cache_key("public-frame", template_name, get_language(), names),
        lambda: render_to_string(
            template_name, {name: f"\ue000{name}\ue000" for name in names}, request
        ),
        FRAME_TTL,
    )
    filled = {name: conditional_escape(value) for name, value in parts.items()}
    filled[NEXT_PATH] = conditional_escape(request.get_full_path())
    # One pass over the frame: a value that happens to hold a mark is never read as one.
    return HttpResponse(_MARK.sub(lambda match: filled[match.group(1)], frame))
