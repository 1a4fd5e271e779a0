"""The client's address, the one every rate limit counts against.

allauth's limits (through accounts.adapter.AccountAdapter.get_client_ip) and django-ratelimit's
(RATELIMIT_IP_META_KEY) both call ``client_ip``, so they agree on who the client is.

Behind reverse proxies REMOTE_ADDR is the nearest proxy, and each proxy appends the address it
saw to X-Forwarded-For. Only what our own proxies appended can be trusted: with
``TRUSTED_PROXY_COUNT = N`` the client is the N-th entry from the right, and anything a client
wrote further left is ignored, so rotating a forged prefix gives no fresh budget. With 0 (no
proxy) the header is ignored altogether. A header too short or whose entry is not an address
falls back to REMOTE_ADDR: the proxy's own address, a shared budget rather than an escape.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def client_ip(request) -> str:
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(entries) >= count:
            address = _address(entries[-count])
            if address is not None:
                return address
    address = _address(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        # A server setting, not a client's doing (a Unix socket, say): every limit would
        # otherwise share one budget or none.
        raise ImproperlyConfigured(
            "REMOTE_ADDR holds no IP address; behind a reverse proxy set TRUSTED_PROXY_COUNT."
        )
    return address


def _address(value: str) -> str | None:
    """The address in one X-Forwarded-For entry or REMOTE_ADDR, normalised; None if none."""
    value = value.strip()
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # "198.51.100.7:443"
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; as IPv6 they would all fall
    # in one /64 and share a budget.
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address).partition("%")[0]  # no zone index: the limits mask by network
