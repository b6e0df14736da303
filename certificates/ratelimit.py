"""A fixed-window request counter per client, kept in Django's cache.

The public verification page needs no login, so a scraper could walk codes or hammer the page;
counting lookups per client IP in the default cache caps both. The cache must be shared by all
server processes for the limit to hold: the database cache of settings.CACHES is.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def parse_rate(rate):
    """`"30/600"` → `(30, 600)`: at most 30 hits in 600 seconds."""
    count, seconds = rate.split("/")
    return int(count), int(seconds)


def client_ip(request):
    """The client's address: the X-Real-IP header when the request comes from one of
    settings.TRUSTED_PROXIES (our reverse proxy sets it), otherwise REMOTE_ADDR. From anyone else
    the header is ignored: a client could forge it to escape the limit."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
    if forwarded and is_trusted_proxy(remote):
        return forwarded
    return remote


def is_trusted_proxy(address):
    """Whether `address` is in one of settings.TRUSTED_PROXIES (addresses or networks)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES
    )


def hit(scope, client, rate):
    """Count one hit of `client` on `scope`; return None if within `rate`, else seconds to wait.

    One cache add and one incr (about a dozen small queries on the database cache). The window
    is aligned to the clock, so a burst straddling two windows may pass up to twice the limit, and
    the database cache's incr reads then writes, so hits landing at the same instant in two
    workers may count once: enough to stop a scraper, cheap to keep.
    """
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{scope}:{client}:{window}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:
        # Evicted between add and incr: count this hit as the first of the window.
        cache.set(key, 1, timeout=period)
        count = 1
    if count <= limit:
        return None
    return max(1, int(period - (now % period)))
