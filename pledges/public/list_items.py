"""The public list's items as HTML, written here rather than in a template.

A list page prints twenty of them, and the template engine spent more on resolving their
dozen variables each than on the rest of the page; each value is escaped by format_html as
the template would. The surrounding heading and pager stay in public/_pledge_rows.html.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

_ITEM = (
    '<li class="card pledge-item{}">\n'
    '  <a href="{}" class="pledge-name">{}</a>{}\n'
    '  <div class="pledge-meta"><span>{}</span> · <span>{}</span> · <span>{}</span> ·'
    " <span>{}</span></div>{}\n"
    "</li>"
)


def list_items_html(listings) -> SafeString:
    """One <li> per PublicListing; a revoked one is marked, with the public reason."""
    revoked_mark = format_html(' <span class="state state-revoked">{}</span>', _("Revoked"))
    return format_html_join(
        "\n",
        _ITEM,
        (
            (
                " revoked" if listing.is_revoked else "",
                listing.url,
                listing.name,
                revoked_mark if listing.is_revoked else "",
                listing.credit_code,
                listing.province_name,
                listing.industry_name,
                listing.year,
                _revocation(listing) if listing.is_revoked else "",
            )
            for listing in listings
        ),
    )


def _revocation(listing) -> SafeString:
    reason = _("Revoked by the association: %(reason)s") % {"reason": listing.revocation_reason}
    return format_html('\n  <p class="revocation">{}</p>', reason)
