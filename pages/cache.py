"""Whole-page caching for patient pages.

Every cached page key carries a generation number; editing any location bumps it, so
no page (the footer lists all locations) is ever served stale after an edit, on every
worker, without deleting keys one by one.
"""

from django.conf import settings
from django.core.cache import cache
from django.views.decorators.cache import cache_page

GENERATION_KEY = "pages:generation"


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # key missing or evicted
        cache.set(GENERATION_KEY, 2, timeout=None)


class CachedPageMixin:
    """Serve the whole rendered response from the cache; for pages with no form or user data."""

    def dispatch(self, request, *args, **kwargs):
        view = cache_page(settings.PAGE_CACHE_SECONDS, key_prefix=f"pages.{generation()}")(
            super().dispatch
        )
        return view(request, *args, **kwargs)
