"""Whole-page caching for patient pages, dropped page by page when staff edit what they show.

Patient pages are the same for every visitor, so each worker keeps the pages it rendered
in its own memory and serves them before sessions, CSRF, URL routing or the database are
touched: a warm page costs about what a static file does (see `make bench`).

Declaring what a page shows (the API other views use)
------------------------------------------------------
A view opts in with `CachedPageMixin` and says which data its page shows, as *tags*:

    class ClinicFinderView(CachedPageMixin, TemplateView):
        cache_tags = [LISTS_LOCATIONS]          # lists clinics: redrawn when any changes
        cache_query_params = ["q", "state"]     # a search (?q=68005) is never kept

    class LocationPageMixin(CachedPageMixin):
        def get_cache_tags(self):
            return [location_tag(self.object)]  # shows one clinic: redrawn when it changes

- `location_tag(location_or_pk)`: the page shows this location (its name, address, hours,
  photo...). Its own overview and treatment pages carry only this tag, so editing
  Bellevue leaves Gretna's pages warm.
- `LISTS_LOCATIONS`: the page lists locations (the home page, the footer's clinic list,
  the finder). Saving, adding or removing any location redraws it.
- A view that declares nothing gets `EVERY_PAGE`: redrawn after any edit (the safe
  default for a page that forgot to say).
- `cache_query_params`: the GET parameters that change the page. By default the query
  string is ignored (`/bellevue/?utm_source=x` is `/bellevue/`). A request carrying one
  of the listed parameters is rendered fresh and not kept, unless the view vouches for
  its exact query string by setting `response.cache_query` to it (a link the site
  itself prints, such as `?state=NE&page=2`): pages are never keyed on what a caller
  typed, or each spelling would be one more kept page.
- A view that is not a class (the sitemap) calls `keep_for_everyone(response, tags)`.

Whoever changes data calls `invalidate_on_commit(*tags)` (pages/signals.py does it for
Location: `location_tag(pk)` and `LISTS_LOCATIONS`). Another model whose rows appear on a
location's pages (opening hours, closures) calls it with that location's tag from its
own post_save/post_delete signal. `invalidate()` with no tags drops every page.

How a worker learns about edits, at no cost per request
--------------------------------------------------------
The shared cache (Redis in production) holds a token per tag, a *stamp* that changes on
every edit, and a site *generation* (cleared or restarted cache: a new one, every page
dropped). Each kept page remembers the tokens of its tags. A worker reads the stamp and
generation at most once per PAGE_CACHE_RECHECK_SECONDS (one round trip, as before tags);
only when the stamp moved does it fetch the tokens of the tags it holds. A warm hit then
compares a page's few tokens with the worker's reading in memory.

Edits are dropped twice: at once (the worker that saved shows the edit on its next
request) and again after the transaction commits (`transaction.on_commit`), because a
page rendered in between read the old row and would be kept as fresh. An edit writes the
stamp, then the tag tokens, then the stamp again, and a rendered page is kept only if
the stamp it read before rendering is still the one after (see `_tokens_for`): a page
that raced with an edit is served once, uncached, and kept on the next request.

What callers cannot do
----------------------
Kept pages are keyed on SITE_URL (production refuses to start without it), else on the
request's scheme and host name without any port, and the path: neither the Host header's
port nor a query string makes a new entry. A worker keeps at most PAGE_CACHE_MAX_PAGES
pages and PAGE_CACHE_MAX_BYTES bytes; past either, the least recently used page goes.
HEAD is answered from a kept page (its headers, no body). Only a signed-in staff member
(a valid signed marker: pages/staff_marker.py) skips the kept pages; any other cookie,
such as a made-up session id, does not.
"""

import contextlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.http.request import split_domain_port

from .staff_marker import is_signed_in_staff

logger = logging.getLogger(__name__)

GENERATION_KEY = "pages:generation"
STAMP_KEY = "pages:stamp"
TAG_KEY_PREFIX = "pages:tag:"

LISTS_LOCATIONS = "lists-locations"
EVERY_PAGE = "every-page"
# Seconds between tracebacks in the log while the cache is down (one per request before).
LOG_EVERY_SECONDS = 60


def location_tag(location):
    """The tag of pages that show this location (a Location or its primary key)."""
    return f"location:{getattr(location, 'pk', location)}"


def _new_token():
    return uuid.uuid4().hex


@dataclass(frozen=True)
class _Reading:
    """This process's last reading of the shared tokens, trusted until `until`."""

    generation: str | None = None
    stamp: str | None = None
    tokens: dict = field(default_factory=dict)  # tag -> token; replaced, never changed
    until: float = 0.0


_reading = _Reading()
_reading_lock = threading.Lock()
_last_warning = [-LOG_EVERY_SECONDS]


def _started(key):
    """The shared token under `key`, set if the cache has none (new or cleared)."""
    cache.add(key, _new_token(), timeout=None)
    return cache.get(key) or _new_token()


def _fetch_tokens(tags):
    keys = {TAG_KEY_PREFIX + tag: tag for tag in tags}
    found = cache.get_many(list(keys))
    tokens = {keys[key]: value for key, value in found.items()}
    for tag in set(tags) - set(tokens):
        tokens[tag] = _started(TAG_KEY_PREFIX + tag)
    return tokens


def current_reading():
    """The generation, stamp and tag tokens this process trusts now."""
    global _reading
    reading = _reading
    now = time.monotonic()
    if reading.generation is not None and now < reading.until:
        return reading
    found = cache.get_many([GENERATION_KEY, STAMP_KEY])
    generation = found.get(GENERATION_KEY) or _started(GENERATION_KEY)
    stamp = found.get(STAMP_KEY) or _started(STAMP_KEY)
    if generation != reading.generation:
        tokens = {}  # every kept page is dropped
    elif stamp != reading.stamp and reading.tokens:
        tokens = _fetch_tokens(reading.tokens)
    else:
        tokens = reading.tokens
    fresh = _Reading(generation, stamp, tokens, now + settings.PAGE_CACHE_RECHECK_SECONDS)
    with _reading_lock:
        _reading = fresh
    return fresh


def _recheck_soon():
    global _reading
    with _reading_lock:
        _reading = replace(_reading, until=0.0)


def reset():
    """Forget this process's reading (tests; a worker that must start afresh)."""
    global _reading
    with _reading_lock:
        _reading = _Reading()


def invalidate(*tags):
    """Drop the kept pages that carry any of `tags` (none: every page) on every worker:
    this one at its next request, the others within PAGE_CACHE_RECHECK_SECONDS."""
    try:
        if not tags:
            cache.set(GENERATION_KEY, _new_token(), timeout=None)
        else:
            # Stamp, tags, stamp: see the module docstring and _tokens_for.
            cache.set(STAMP_KEY, _new_token(), timeout=None)
            tokens = {TAG_KEY_PREFIX + tag: _new_token() for tag in {*tags, EVERY_PAGE}}
            cache.set_many(tokens, timeout=None)
            cache.set(STAMP_KEY, _new_token(), timeout=None)
    except Exception:
        # Staff can still save. Meanwhile no worker can read the tokens either, so none
        # serves a kept page; a cache that comes back empty starts new tokens.
        logger.warning("Could not drop kept pages: the cache is not answering.", exc_info=True)
    _recheck_soon()


def invalidate_on_commit(*tags):
    """Drop pages now and again once the current transaction commits: a page rendered in
    between still read the old data. Call it from the signal handlers of models whose
    rows appear on pages. Outside a transaction both happen at once."""
    invalidate(*tags)
    transaction.on_commit(lambda: invalidate(*tags))


def keep_for_everyone(response, tags=None, query_params=()):
    """Let PageCacheMiddleware keep this response, tagged with what it shows (None:
    EVERY_PAGE); a request carrying any of `query_params` is not kept."""
    response.same_for_everyone = True
    response.cache_tags = frozenset(tags if tags is not None else [EVERY_PAGE])
    response.cache_query_params = tuple(query_params)
    return response


class CachedPageMixin:
    """For views whose pages hold no form and nothing about the visitor: lets
    PageCacheMiddleware keep their successful responses, tagged with what they show
    (see the module docstring)."""

    cache_tags = None  # e.g. [LISTS_LOCATIONS]; None: EVERY_PAGE
    cache_query_params = ()  # GET parameters that change the page: never kept, e.g. ["q"]

    def get_cache_tags(self):
        return self.cache_tags

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        return keep_for_everyone(response, self.get_cache_tags(), self.cache_query_params)


# What a kept page costs besides its body and headers (its key, objects, the dict slot).
PAGE_OVERHEAD_BYTES = 1024


@dataclass(frozen=True)
class _Page:
    key: tuple
    generation: str
    tokens: tuple  # (tag, token) pairs read before the page was rendered
    expires: float
    status: int
    headers: tuple
    body: bytes
    query_params: tuple  # a request carrying one of these is not served this page
    size: int = 0  # bytes counted against PAGE_CACHE_MAX_BYTES

    def is_fresh(self, reading, now):
        if self.generation != reading.generation or self.expires <= now:
            return False
        tokens = reading.tokens
        return all(tokens.get(tag) == token for tag, token in self.tokens)

    def response(self, method):
        # HEAD: the same headers, Content-Length included, and no body.
        response = HttpResponse(b"" if method == "HEAD" else self.body, status=self.status)
        for name, value in self.headers:
            response.headers[name] = value
        return response


def _asks_for_query_params(request, params):
    return bool(params) and any(name in request.GET for name in params)


def _cache_key(request):
    """SITE_URL (or the request's scheme and host name, never its port) and the path.
    get_host() always: it refuses hosts outside ALLOWED_HOSTS, hit or miss."""
    host = request.get_host()
    origin = settings.SITE_URL or f"{request.scheme}://{split_domain_port(host)[0] or host}"
    return (origin, request.path)


class PageCacheMiddleware:
    """Serve kept patient pages to visitors other than signed-in staff (GET and HEAD).

    Sits just below WhiteNoise, so a hit skips the rest of the stack. Signed-in staff
    (a valid signed marker, checked without the database) always get a fresh page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.pages = OrderedDict()  # least recently used first
        self.bytes = 0  # the kept pages' sizes, added up
        self.lock = threading.Lock()

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or request.method not in ("GET", "HEAD") or is_signed_in_staff(request):
            return self.get_response(request)
        try:
            reading = current_reading()
        except Exception:
            # Patients still get their page, uncached, while the cache is down.
            _warn("Page cache skipped: the cache is not answering.")
            return self.get_response(request)
        base = _cache_key(request)
        query = request.META.get("QUERY_STRING", "")
        page = self._fresh_page(request, base, query, reading)
        if page is not None:
            return page.response(request.method)
        response = self.get_response(request)
        if self._keepable(response):
            key = self._key_to_keep(request, response, base, query)
            if key is not None:
                self._keep_if_still_fresh(key, response, reading, seconds)
        return response

    def _fresh_page(self, request, base, query, reading):
        """The kept page for exactly this query string (a listed variant, such as
        ?state=NE), else the path's page unless the request asks for one of its query
        parameters (e.g. a search: never kept)."""
        now = time.monotonic()
        candidates = [(*base, query)] if query else []
        candidates.append((*base, ""))
        for key in candidates:
            page = self.pages.get(key)
            if page is None or not page.is_fresh(reading, now):
                continue
            if key[-1] == "" and _asks_for_query_params(request, page.query_params):
                return None
            self._touch(key)
            return page
        return None

    @staticmethod
    def _key_to_keep(request, response, base, query):
        """The path's key when the request names none of the page's query parameters;
        the query string's own key only when the view vouched for exactly that string
        (a link the site prints: `response.cache_query`). Anything else is not kept, so
        callers cannot add keys by typing."""
        if not _asks_for_query_params(request, response.cache_query_params):
            return (*base, "")
        if query and getattr(response, "cache_query", None) == query:
            return (*base, query)
        return None

    def _touch(self, key):
        # No lock: move_to_end is one C call; the page may have just been evicted.
        with contextlib.suppress(KeyError):
            self.pages.move_to_end(key)

    @staticmethod
    def _keepable(response):
        return (
            getattr(response, "same_for_everyone", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        )

    def _keep_if_still_fresh(self, key, response, reading, seconds):
        tags = response.cache_tags
        try:
            tokens = _tokens_for(tags, reading)
        except Exception:
            _warn("Page not kept: the cache is not answering.")
            return
        if tokens is None:
            return
        headers = tuple(response.headers.items())
        body = response.content
        size = (
            PAGE_OVERHEAD_BYTES
            + len(body)
            + sum(len(name) + len(value) for name, value in headers)
            + len(key[1])
            + len(key[2])
        )
        if size > settings.PAGE_CACHE_MAX_BYTES:
            return  # would push out every other page
        page = _Page(
            key=key,
            generation=reading.generation,
            tokens=tuple(sorted(tokens.items())),
            expires=time.monotonic() + seconds,
            status=response.status_code,
            headers=headers,
            body=body,
            query_params=response.cache_query_params,
            size=size,
        )
        with self.lock:
            self._put(page)

    def _put(self, page):
        old = self.pages.pop(page.key, None)
        if old is not None:
            self.bytes -= old.size
        self.pages[page.key] = page
        self.bytes += page.size
        while (
            len(self.pages) > settings.PAGE_CACHE_MAX_PAGES
            or self.bytes > settings.PAGE_CACHE_MAX_BYTES
        ):
            _key, evicted = self.pages.popitem(last=False)
            self.bytes -= evicted.size


def _tokens_for(tags, reading):
    """The tokens to keep a just-rendered page under, or None when it may be stale.

    The stamp must be the one read before rendering: an edit that committed while the
    page was rendering changed it first, so the page read old data. (Reading only the
    tag tokens after rendering could see an edit's new token and keep old data under it.)
    """
    global _reading
    keys = [GENERATION_KEY, STAMP_KEY, *(TAG_KEY_PREFIX + tag for tag in tags)]
    found = cache.get_many(keys)
    if found.get(GENERATION_KEY) != reading.generation or found.get(STAMP_KEY) != reading.stamp:
        _recheck_soon()
        return None
    tokens = {tag: found[TAG_KEY_PREFIX + tag] for tag in tags if TAG_KEY_PREFIX + tag in found}
    missing = set(tags) - set(tokens)
    if missing:
        # First page with these tags since the cache started: start their tokens, then
        # check again that no edit came in meanwhile.
        tokens.update(_fetch_tokens(missing))
        if cache.get(STAMP_KEY) != reading.stamp:
            _recheck_soon()
            return None
    with _reading_lock:
        current = _reading
        if current.generation == reading.generation and current.stamp == reading.stamp:
            _reading = replace(current, tokens={**current.tokens, **tokens})
    return tokens


def _warn(message):
    """Log that the cache is down with a traceback at most once a minute per process."""
    now = time.monotonic()
    if now - _last_warning[0] >= LOG_EVERY_SECONDS:
        _last_warning[0] = now
        logger.warning(message, exc_info=True)
