"""Whole-page caching for patient pages.

Patient pages are the same for every visitor, so each worker keeps the pages it rendered
in its own memory and serves them before sessions, CSRF, URL routing or the database are
touched: a warm page costs about what a static file does (see `make bench`).

Each kept page is tagged with the site's page generation, a random token in the shared
cache (Redis in production). Saving or deleting any location sets a new token (the footer
lists every location): the worker that saved drops its copies at once, and every other
worker within PAGE_CACHE_RECHECK_SECONDS, the longest it trusts its last reading of the
token (one reading per request would cost more than serving the page). A cleared or
restarted cache starts a new token, which drops them too.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

logger = logging.getLogger(__name__)

GENERATION_KEY = "pages:generation"
# Pages kept per worker: hosts times pages. A cap, so memory stays bounded.
MAX_PAGES = 1000


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


# This process's last reading of the generation, and until when it trusts it.
_known = (None, 0.0)


def current_generation():
    global _known
    token, until = _known
    now = time.monotonic()
    if token is None or now >= until:
        token = generation()
        _known = (token, now + settings.PAGE_CACHE_RECHECK_SECONDS)
    return token


def invalidate():
    global _known
    _known = (None, 0.0)
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        # Staff can still save locations. Meanwhile no worker can read the token either,
        # so none serves a kept page; a cache that comes back empty starts a new token.
        logger.warning("Could not drop kept pages: the cache is not answering.", exc_info=True)


class CachedPageMixin:
    """For views whose pages hold no form and nothing about the visitor: lets
    PageCacheMiddleware keep their successful responses."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response.same_for_everyone = True
        return response


@dataclass(frozen=True)
class _Page:
    generation: str
    expires: float
    status: int
    headers: tuple
    body: bytes

    def response(self):
        response = HttpResponse(self.body, status=self.status)
        for name, value in self.headers:
            response.headers[name] = value
        return response


class PageCacheMiddleware:
    """Serve kept patient pages to visitors who are not signed in.

    Sits just below WhiteNoise, so a hit skips the rest of the stack. A request that
    carries a session cookie always gets a fresh page, so a session keeps its own rules
    (browsers send it only to the admin anyway: SESSION_COOKIE_PATH).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.pages = {}
        self.lock = threading.Lock()

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            not seconds
            or request.method != "GET"
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return self.get_response(request)
        try:
            current = current_generation()
        except Exception:
            # Patients still get their page, uncached, while the cache is down.
            logger.warning("Page cache skipped: the cache is not answering.", exc_info=True)
            return self.get_response(request)
        # The page names its own address (canonical link), so the host is part of the key.
        key = (request.scheme, request.get_host(), request.path)
        page = self.pages.get(key)
        if page and page.generation == current and page.expires > time.monotonic():
            return page.response()
        response = self.get_response(request)
        if self._keepable(response):
            self._keep(
                key,
                _Page(
                    generation=current,
                    expires=time.monotonic() + seconds,
                    status=response.status_code,
                    headers=tuple(response.headers.items()),
                    body=response.content,
                ),
            )
        return response

    @staticmethod
    def _keepable(response):
        return (
            getattr(response, "same_for_everyone", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        )

    def _keep(self, key, page):
        with self.lock:
            if len(self.pages) >= MAX_PAGES and key not in self.pages:
                self.pages.clear()  # rare (many hosts); refilled on the next requests
            self.pages[key] = page
