"""URLs for pages that print many of them: reversed once instead of once a link.

Django's reverse() resolves the namespace and rebuilds the path on every call (some 50 µs on
the shared server), which the navigation bar's dozen links and a list's link a row added to
every page. The patterns only change with the URLconf, so each is reversed once for the
resolver in use (a new one after `clear_url_caches`, as in tests that override ROOT_URLCONF)
and the script prefix it is served under.
"""

from weakref import WeakKeyDictionary

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# Large and odd enough never to be part of a path otherwise: replaced by each object's pk.
_PK_PLACEHOLDER = 918273645546372819

_cache = WeakKeyDictionary()


def _reversed(name, args=()):
    per_resolver = _cache.setdefault(get_resolver(get_urlconf()), {})
    key = (get_script_prefix(), name, args)
    url = per_resolver.get(key)
    if url is None:
        url = per_resolver[key] = reverse(name, args=args)
    return url


def url_of(name):
    """reverse(name) of a URL without arguments, remembered."""
    return _reversed(name)


def url_by_pk(name):
    """A function pk -> reverse(name, args=[pk]), reversing `name` once."""
    placeholder = str(_PK_PLACEHOLDER)
    pattern = _reversed(name, (_PK_PLACEHOLDER,))
    return lambda pk: pattern.replace(placeholder, str(pk))


def with_urls(objects, name):
    """Set `url` on each of `objects` to reverse(name, args=[its pk]), reversing once."""
    url = url_by_pk(name)
    for obj in objects:
        obj.url = url(obj.pk)
    return objects
