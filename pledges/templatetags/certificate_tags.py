"""The portal's certificate panel: one tag, so the portal's views stay as they are."""

from django import template

from ..certificate_selectors import member_certificate

register = template.Library()


@register.inclusion_tag("portal/certificate_panel.html")
def certificate_panel(pledge):
    """The pledge's certificate as its members see it (nothing for pledges without one)."""
    return {"certificate": member_certificate(pledge) if pledge else None}
