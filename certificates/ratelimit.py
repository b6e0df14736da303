"""A fixed-window request counter per client, kept in Django's cache.

The public verification page needs no login, so a scraper could walk codes or hammer the page;
counting lookups per client IP in the default cache caps both. The cache must be shared by all
server processes for the limit to hold (LocMemCache counts per process).
"""

import time

from django.conf import settings
from django.core.cache import cache


def parse_rate(rate):
    """`"30/600"` → `(30, 600)`: at most 30 hits in 600 seconds."""
    count, seconds = rate.split("/")
    return int(count), int(seconds)


def client_ip(request):
    """The client's address: behind our own reverse proxy (BEHIND_PROXY=1) the X-Real-IP it
    sets, otherwise REMOTE_ADDR. Without a proxy the header is ignored: a client could forge it."""
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR", "")


def hit(scope, client, rate):
    """Count one hit of `client` on `scope`; return None if within `rate`, else seconds to wait.

    One cache add and one incr. The window is aligned to the clock, so a burst straddling two
    windows may pass up to twice the limit: enough to stop a scraper, cheap to keep.
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
