"""A fixed-window request counter per client, kept in Django's cache.

The public verification page needs no login, so a scraper could walk codes or hammer the page;
counting lookups per client IP in the default cache caps both. The cache must be shared by all
server processes for the limit to hold: the database cache of settings.CACHES is.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _


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


def verify_refusal(request):
    """The 429 answer when `request`'s client is past VERIFY_RATE_LIMIT, else None.

    The verification page and the credential downloads count together: both take a code from
    a QR code, and a scraper walking codes must not get twice the tries.
    """
    retry_after = hit("verify", client_ip(request), settings.VERIFY_RATE_LIMIT)
    if retry_after is None:
        return None
    response = HttpResponse(
        _("Too many verification requests. Please try again later."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response
