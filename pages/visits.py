"""First-party visit counts: how many times patients saw each patient page, per day.

No cookie, no address, no user agent, no identifier is stored or sent anywhere: each
worker adds 1 to a number in its own memory, and a background thread adds those numbers
to one row per (day, location, kind) in the database every VISIT_FLUSH_SECONDS, and once
more when the worker exits. A worker that is killed loses at most that many seconds of
counts; several workers and machines add up in the database (UPDATE ... count + n), so
totals are right however many serve the site.

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
import logging
import os
import re
import threading
import time
from collections import Counter

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from . import staff_marker
from .models import DailyPageViews, Location

logger = logging.getLogger(__name__)

# Set on the admin's answers to signed-in staff; see the module docstring.
STAFF_COOKIE = staff_marker.STAFF_COOKIE
# Paths whose kind this worker remembers: many times the pages a worker keeps (1,000 by
# default), so an entry is only dropped long after its page was.
MAX_TAGS = 20_000


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
        self.pending = Counter()
        self.thread = None
        self.stop = threading.Event()
        self._day = (None, 0.0)  # today's local date, and until when (time.time())

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

    def add(self, location_id, kind):
        key = (self.today(), location_id, kind)
        with self.lock:
            self.pending[key] += 1
        if self.thread is None and settings.VISIT_FLUSH_AUTOMATICALLY:
            self.start()

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
        with self.lock:
            batch, self.pending = self.pending, Counter()
        return batch

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
        self.thread = None
        self.stop = threading.Event()


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
            counts.add(*tag)
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
