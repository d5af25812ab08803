"""First-party visit counts: how many patients' browsers saw each patient page, per day.

No cookie, no address, no user agent, no identifier is stored or sent anywhere: each
worker adds 1 to a number in its own memory, and a background thread adds those numbers
to one row per (day, location, kind) in the database every VISIT_FLUSH_SECONDS, and once
more when the worker exits. A worker that is killed loses at most that many seconds of
counts; several workers and machines add up in the database (UPDATE ... count + n), so
totals are right however many serve the site.

Each browser counts once per page and day, as privacy-first analytics (Plausible) do it:
a view is known by a keyed hash of the client address, the user agent and the page, keyed
with a random salt of the day. The salt lives only in the shared cache (so every worker
uses the same one) and in workers' memory, and expires with the day: after that, no hash
can be linked to an address again, not even by us. The request only computes the hash
and checks this worker's own memory; the flush thread asks the shared cache whether any
worker saw the hash today (`cache.add`, off the request path, no database query with
Redis). If the cache does not answer, the view is counted: a count too many rather than
a failed page. Nothing new is stored in the database.

A view says what it shows with CountedPageMixin (it marks its response with
(location id, kind)). Kept pages are served by pages.cache.PageCacheMiddleware without the
view, so VisitCounterMiddleware, just above it, remembers per worker which path showed
what on the uncached render: a kept page is only ever served by the worker that rendered
it. A warm page hit thus costs a dictionary lookup and an addition, no round trip.

Not counted:
- anything but GET with a 200 answer (HEAD, redirects, errors, sent forms);
- robots: see is_robot() and ROBOT_WORDS;
- staff who are signed in: a browser that sends a valid signed staff marker, which the
  admin's answers give them (pages/staff_marker.py). A made-up marker or session cookie
  is counted like any browser.
"""

import atexit
import datetime
import functools
import hashlib
import logging
import os
import re
import secrets
import threading
import time
from collections import Counter
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from modsite.security import client_ip

from . import staff_marker
from .models import DailyPageViews, Location

logger = logging.getLogger(__name__)

# Set on the admin's answers to signed-in staff; see the module docstring.
STAFF_COOKIE = staff_marker.STAFF_COOKIE
# Paths whose kind this worker remembers: many times the pages a worker keeps (1,000 by
# default), so an entry is only dropped long after its page was.
MAX_TAGS = 20_000
# Shared cache keys: the day's salt, and "this browser saw this page today" (hash only).
SALT_KEY_PREFIX = "visits:salt:"
SEEN_KEY_PREFIX = "visits:seen:"
# Views a worker remembers having seen today before asking the shared cache; past it the
# memory is emptied and the shared cache alone tells (a repeat costs a cache call then).
MAX_SEEN = 100_000
# While the cache does not answer, a worker uses a salt of its own and asks again this
# often (seconds).
SALT_RETRY_SECONDS = 60


# --- What is counted ---------------------------------------------------------------------

# Every browser a patient uses starts its user agent with "Mozilla/" (or "Opera/"); tools
# such as curl, wget, Python, Go, Java and load testers do not. Among those that do, these
# words mark robots: search engines, AI crawlers and link previews (…bot, crawler, spider,
# Slurp, preview, facebookexternalhit, Mediapartners, GoogleOther, Google-InspectionTool),
# archives, uptime and speed checkers (Pingdom, Lighthouse, PageSpeed, GTmetrix,
# WebPageTest's PTST), and scripted browsers (HeadlessChrome, PhantomJS). A link in the
# user agent ("+http://…/bot.html") is a robot telling who runs it. "cubot" is a phone
# maker, not a robot.
BROWSER_PREFIXES = ("mozilla/", "opera/")
ROBOT_WORDS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "archiv",
    "scrap",
    "fetch",
    "preview",
    "facebookexternalhit",
    "mediapartners",
    "googleother",
    "inspectiontool",
    "monitor",
    "uptime",
    "pingdom",
    "lighthouse",
    "pagespeed",
    "page speed",
    "gtmetrix",
    "ptst",
    "headless",
    "phantomjs",
    "validator",
    "://",
)
# Literal words on the lowercased user agent: a case-insensitive pattern with look-behinds
# costs twenty times as much, on every view.
_ROBOT = re.compile("|".join(map(re.escape, ROBOT_WORDS)))


def is_robot(user_agent):
    """True unless the user agent looks like a person's browser (missing: a robot)."""
    agent = user_agent.lower()
    if not agent.startswith(BROWSER_PREFIXES):
        return True
    return _ROBOT.search(agent.replace("cubot", "")) is not None


def is_patient_view(request, response):
    """Whether this answer counts as a patient's view (its page's kind aside)."""
    return (
        request.method == "GET"
        and response.status_code == 200
        and not is_robot(request.META.get("HTTP_USER_AGENT", ""))
        and not staff_marker.is_signed_in_staff(request)
    )


class CountedPageMixin:
    """For views of patient pages: marks the response with what it shows, for
    VisitCounterMiddleware. Set visit_kind; override visit_location() for a location's
    pages."""

    visit_kind = None

    def visit_location(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        location = self.visit_location()
        response.visit_tag = (location.pk if location else None, self.visit_kind)
        return response


# --- Counting in memory ------------------------------------------------------------------


class Counts:
    """This worker's counts since its last flush, and the background thread that flushes
    them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = Counter()  # (day, location_id, kind) -> views counted
        self.unchecked = []  # ((day, location_id, kind), visitor): for the shared check
        self.seen = (None, set())  # the day, and the visitors this worker saw that day
        self.thread = None
        self.stop = threading.Event()
        self._day = (None, 0.0)  # today's local date, and until when (time.time())
        self._salt = (None, b"", 0.0)  # the day, its salt, and until when (0: for good)

    def today(self):
        day, until = self._day
        now = time.time()
        if now >= until:
            # Once a day: the local date, and the instant the next one starts.
            zone = timezone.get_default_timezone()
            day = timezone.localdate(timezone=zone)
            tomorrow = datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
            )
            self._day = (day, tomorrow.timestamp())
        return day

    def seconds_left_today(self):
        self.today()
        return max(1, int(self._day[1] - time.time()))

    def salt(self):
        """Today's salt: shared by every worker through the cache, gone with the day."""
        day = self.today()
        salt_day, salt, until = self._salt
        if salt_day == day and (not until or time.monotonic() < until):
            return salt
        try:
            key = SALT_KEY_PREFIX + day.isoformat()
            cache.add(key, secrets.token_hex(32), timeout=self.seconds_left_today() + 60)
            shared = cache.get(key)
        except Exception:
            shared = None
        if shared:
            self._salt = (day, shared.encode(), 0.0)
        else:
            logger.warning("Visit counts: the cache is not answering; a salt of our own.")
            own = salt if salt_day == day else secrets.token_bytes(32)
            self._salt = (day, own, time.monotonic() + SALT_RETRY_SECONDS)
        return self._salt[1]

    def visitor(self, request, location_id, kind):
        """The keyed hash that tells this browser's view of this page today from others."""
        meta = request.META
        address = _client_ip(
            meta.get("REMOTE_ADDR", ""),
            meta.get("HTTP_X_FORWARDED_FOR", ""),
            tuple(settings.TRUSTED_PROXIES),
        )
        text = "\n".join([address, meta.get("HTTP_USER_AGENT", ""), f"{location_id}", kind])
        return hashlib.blake2b(text.encode(), key=self.salt(), digest_size=16).hexdigest()

    def add(self, location_id, kind, visitor=None):
        """Count a view; with `visitor` (see visitor()), only its first view today."""
        key = (self.today(), location_id, kind)
        with self.lock:
            if visitor is None:
                self.pending[key] += 1
            elif self._first_here(key[0], visitor):
                self.unchecked.append((key, visitor))
        if self.thread is None and settings.VISIT_FLUSH_AUTOMATICALLY:
            self.start()

    def forget_visitors(self):
        """Drop the salt and the views seen (tests: the cache was cleared, a new day)."""
        with self.lock:
            self.seen = (None, set())
            self._salt = (None, b"", 0.0)

    def _first_here(self, day, visitor):
        seen_day, seen = self.seen
        if seen_day != day or len(seen) >= MAX_SEEN:
            seen = set()
            self.seen = (day, seen)
        if visitor in seen:
            return False
        seen.add(visitor)
        return True

    def start(self):
        with self.lock:
            if self.thread is not None:
                return
            self.thread = threading.Thread(target=self._run, name="visit-counts", daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.wait(settings.VISIT_FLUSH_SECONDS):
            try:
                self.flush()
                # This thread's own connection: closed when old or broken, like a request's.
                close_old_connections()
            except Exception:  # the thread must outlive any one failure
                logger.exception("Visit counts: flushing failed.")

    def take(self):
        """The views counted since the last flush (first views only, after the shared
        check)."""
        with self.lock:
            batch, self.pending = self.pending, Counter()
            unchecked, self.unchecked = self.unchecked, []
        batch.update(self._first_anywhere(unchecked))
        return batch

    def _first_anywhere(self, unchecked):
        """Those views no worker saw before today, by the shared cache; all of them if it
        does not answer."""
        first = Counter()
        timeout = self.seconds_left_today() + 60
        failed = False
        for key, visitor in unchecked:
            try:
                new = failed or cache.add(SEEN_KEY_PREFIX + visitor, 1, timeout=timeout)
            except Exception:
                failed = new = True  # one warning, no more waiting on a dead cache
                logger.warning("Visit counts: the cache is not answering; views counted.")
            if new:
                first[key] += 1
        return first

    def flush(self):
        """Add this worker's counts to the database. Kept for the next try if the database
        does not answer (so an outage delays counts, within this worker's life)."""
        batch = self.take()
        if not batch:
            return 0
        try:
            saved = store(batch)
        except Exception:
            logger.warning("Visit counts not saved yet: the database is not answering.")
            with self.lock:
                self.pending.update(batch)
            return 0
        return saved

    def after_fork(self):
        # A forked worker starts with nothing to flush and no thread (threads do not
        # survive fork); the parent's counts are its own to flush.
        self.lock = threading.Lock()
        self.pending = Counter()
        self.unchecked = []
        self.thread = None
        self.stop = threading.Event()


@functools.lru_cache(maxsize=4096)
def _client_ip(remote_addr, forwarded_for, _trusted_proxies):
    """modsite.security.client_ip for these headers, remembered: parsing the addresses
    cost more than the rest of counting a view (the proxies are part of the key so that
    a changed TRUSTED_PROXIES is never answered from memory)."""
    meta = {"REMOTE_ADDR": remote_addr, "HTTP_X_FORWARDED_FOR": forwarded_for}
    return client_ip(SimpleNamespace(META=meta))


counts = Counts()
os.register_at_fork(after_in_child=counts.after_fork)


def flush():
    """Save this worker's counts now; returns how many views were saved."""
    return counts.flush()


# How long a stopping worker waits for a flush already under way (the database's own
# timeouts end a hung one sooner).
EXIT_FLUSH_WAIT_SECONDS = 10


def _flush_at_exit():
    if settings.configured and getattr(settings, "VISIT_FLUSH_AUTOMATICALLY", False):
        counts.stop.set()
        # The flush thread may hold a batch it took but has not stored yet: let it finish,
        # or that batch dies with the thread when the interpreter exits.
        thread = counts.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(EXIT_FLUSH_WAIT_SECONDS)
        counts.flush()


atexit.register(_flush_at_exit)


def store(batch):
    """Add {(day, location_id, kind): n} to the database in one transaction. Rows are
    updated in a fixed order, so two workers flushing at once never deadlock."""
    ids = {location_id for _day, location_id, _kind in batch} - {None}
    with transaction.atomic():
        # Counts for a location deleted since are dropped: they could never be saved (the
        # foreign key is checked at commit) and would hold up every other count.
        existing = set(Location.objects.filter(pk__in=ids).values_list("pk", flat=True))
        saved = 0
        for (day, location_id, kind), n in sorted(batch.items(), key=_order):
            if location_id is not None and location_id not in existing:
                continue
            saved += n
            rows = DailyPageViews.objects.filter(day=day, location_id=location_id, kind=kind)
            if rows.update(count=F("count") + n):
                continue
            try:
                with transaction.atomic():
                    DailyPageViews.objects.create(
                        day=day, location_id=location_id, kind=kind, count=n
                    )
            except IntegrityError:
                rows.update(count=F("count") + n)  # another worker created it first
    return saved


def _order(item):
    (day, location_id, kind), _n = item
    return (day, location_id is not None, location_id or 0, kind)


class VisitCounterMiddleware:
    """Counts patients' views of patient pages, kept pages included. Sits just above
    pages.cache.PageCacheMiddleware (see the module docstring). VISIT_COUNTS=off removes
    it from the stack."""

    def __init__(self, get_response):
        if not settings.VISIT_COUNTS:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.tags = {}
        self.lock = threading.Lock()
        self.admin_path = "/" + settings.ADMIN_URL

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path
        tag = getattr(response, "visit_tag", None)
        if tag is not None:
            self._remember(path, tag)
        elif path.startswith(self.admin_path):
            self._mark_staff(request, response)
            return response
        else:
            tag = self.tags.get(path)  # a kept page, served without its view
        if tag is not None and is_patient_view(request, response):
            counts.add(*tag, visitor=counts.visitor(request, *tag))
        return response

    def _remember(self, path, tag):
        if self.tags.get(path) == tag:
            return
        with self.lock:
            self.tags.pop(path, None)
            if len(self.tags) >= MAX_TAGS:
                del self.tags[next(iter(self.tags))]  # the one learned longest ago
            self.tags[path] = tag

    @staticmethod
    def _mark_staff(request, response):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            staff_marker.mark(response)
        elif STAFF_COOKIE in request.COOKIES:
            staff_marker.unmark(response)


# --- Reading the counts ------------------------------------------------------------------


def totals(location_ids, start_day, end_day):
    """Views per (location_id, kind) from start_day to end_day, both included (local
    dates): {(location_id, kind): views}, in one query; a missing key means 0.

    location_ids: ids (or a QuerySet of locations); include None for the pages of no
    clinic (the general form and the thank-you page). Counts reach the database within
    VISIT_FLUSH_SECONDS of the view.
    """
    if isinstance(location_ids, QuerySet):
        where = Q(location__in=location_ids)
    else:
        ids = set(location_ids)
        where = Q(location_id__in=ids - {None})
        if None in ids:
            where |= Q(location__isnull=True)
    rows = (
        DailyPageViews.objects.filter(where, day__gte=start_day, day__lte=end_day)
        .values_list("location_id", "kind")
        .annotate(views=Sum("count"))
        .order_by()
    )
    return {(location_id, kind): views for location_id, kind, views in rows}
