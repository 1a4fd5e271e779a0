"""The public list's results (heading, items, pager) as HTML, written here, not in a template.

A list page prints twenty items, and the template engine spent more on resolving their dozen
variables each, and on the heading and pager around them, than on the rest of the page. Every
value is escaped as a template would (html.escape, quotes included); translated text is
escaped too, so a translation cannot inject markup.
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_ITEM = (
    '<li class="card pledge-item{revoked}">\n'
    '  <a href="{url}" class="pledge-name">{name}</a>{mark}\n'
    '  <div class="pledge-meta"><span>{code}</span> · <span>{province}</span> ·'
    " <span>{industry}</span> · <span>{year}</span></div>{reason}\n"
    "</li>"
)


def results_html(page, *, count: int, more: bool, base_query: str) -> SafeString:
    """The results section of /pledges/: how many match (``more``: at least ``count``), the
    page's items, and links to the first, previous, next and last pages.

    ``base_query`` is the query string without the cursor, as the links carry it on."""
    if more:
        heading = _("More than %(count)s signatories") % {"count": count}
    else:
        heading = ngettext("%(count)s signatory", "%(count)s signatories", count) % {"count": count}
    if page.items:
        body = f'<ul class="pledge-list">\n{list_items_html(page.items)}\n  </ul>'
    else:
        body = f"<p>{escape(_('No published pledge matches these filters.'))}</p>"
    links = "".join(f"\n    {link}" for link in _pager(page, base_query))
    return mark_safe(  # noqa: S308 (every value above and below is escaped)
        '<section aria-labelledby="results-heading">\n'
        f'  <h2 id="results-heading">{escape(heading)}</h2>\n'
        f"  {body}\n"
        f'  <nav class="pager" aria-label="{escape(_("Pages"))}">'
        f"{links}\n  </nav>\n</section>"
    )


def _pager(page, base_query: str) -> list[str]:
    query = escape(base_query)
    joined = f"?{query}&amp;" if query else "?"
    links = []
    if not page.is_first:
        links.append(f'<a rel="first" href="?{query}">{escape(_("First"))}</a>')
        before = f"{joined}before={escape(page.previous_cursor)}"
        links.append(f'<a rel="prev" href="{before}">{escape(_("Previous"))}</a>')
    if not page.is_last:
        after = f"{joined}after={escape(page.next_cursor)}"
        links.append(f'<a rel="next" href="{after}">{escape(_("Next"))}</a>')
        links.append(f'<a rel="last" href="{joined}page=last">{escape(_("Last"))}</a>')
    return links


def list_items_html(listings) -> str:
    """One <li> per PublicListing; a revoked one is marked, with the public reason, and one
    still in public notice is marked so."""
    revoked_mark = f' <span class="state state-revoked">{escape(_("Revoked"))}</span>'
    notice_mark = f' <span class="state state-notice">{escape(_("In public notice"))}</span>'
    return "\n".join(
        _ITEM.format(
            revoked=" revoked" if listing.is_revoked else "",
            url=escape(listing.url),
            name=escape(listing.name),
            mark=revoked_mark if listing.is_revoked else notice_mark if listing.in_notice else "",
            code=escape(listing.credit_code),
            province=escape(listing.province_name),
            industry=escape(listing.industry_name),
            year=escape(str(listing.year)),
            reason=_revocation(listing) if listing.is_revoked else "",
        )
        for listing in listings
    )


def _revocation(listing) -> str:
    reason = _("Revoked by the association: %(reason)s") % {"reason": listing.revocation_reason}
    return f'\n  <p class="revocation">{escape(reason)}</p>'
