"""The sitemaps (/sitemap.xml and, past the protocol's limit, /sitemap-<section>.xml).

Built once and kept in the shared cache, not on every request (about 0.7 s of CPU and
1.6 MB at 1,000 clinics): a kept sitemap is filed under a version token that `drop()`
replaces whenever a location or its hours change (pages/signals.py), so the next request
builds it again. Answers carry an ETag and Last-Modified (when it was built), and a
crawler that already has it gets 304 Not Modified.
"""

import logging
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.urls import reverse

from . import kept
from .models import Location
from .origin import site_origin

logger = logging.getLogger(__name__)

VERSION_KEY = "sitemaps:version"
# A kept sitemap is built again after this even if nothing changed (a queryset update
# or a new release sends no signal); an old version's, never read again, leaves then.
KEEP_SECONDS = 60 * 60


class SiteSitemap(Sitemap):
    """Addresses start with SITE_URL when it is set (see pages.origin). Every page is
    listed in each language, with xhtml:link alternates to the others and x-default
    (English)."""

    i18n = True
    alternates = True
    x_default = True

    # The sitemap protocol's limit of addresses per file.
    limit = 50_000

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc or super().get_domain(site)


class HomeSitemap(SiteSitemap):
    priority = 1.0

    def lastmod(self, item):
        # The home page lists clinics: it changes when one does.
        latest = Location.objects.active().order_by("-updated_at").first()
        return latest.updated_at if latest else None

    def items(self):
        return ["pages:home"]

    def location(self, item):
        return reverse(item)


class NoticeSitemap(HomeSitemap):
    """The Section 1557 notices."""

    priority = 0.3

    def items(self):
        return ["pages:nondiscrimination", "pages:language_assistance"]


class LocationSitemap(SiteSitemap):
    """Each active location's overview page."""

    def items(self):
        return Location.objects.active().only("slug", "updated_at").order_by("pk")

    def lastmod(self, location):
        return location.updated_at


class IsotretinoinSitemap(LocationSitemap):
    priority = 0.8

    def location(self, location):
        return location.get_isotretinoin_url()


class FinderSitemap(HomeSitemap):
    priority = 0.9

    def items(self):
        return ["pages:finder"]


sitemaps = {
    "home": HomeSitemap,
    "finder": FinderSitemap,
    "locations": LocationSitemap,
    "isotretinoin": IsotretinoinSitemap,
    "notices": NoticeSitemap,
}


def drop():
    """Forget every kept sitemap, now and again after the current transaction commits (a
    sitemap built in between read the old rows). Called when a location changes."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        # Staff can still save; a cache that is down keeps nothing to drop.
        logger.warning("Could not drop the kept sitemaps: the cache is not answering.")


def _version():
    version = cache.get(VERSION_KEY)
    if version is None:  # a new or cleared cache
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _build_sitemap(request):
    """/sitemap.xml: one file while every address fits; past a file's limit, an index of
    numbered files (each section split into pages of `limit` addresses)."""
    if sum(section().paginator.count for section in sitemaps.values()) > SiteSitemap.limit:
        return sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap-section")
    return sitemap_views.sitemap(request, sitemaps)


def _build_section(request, section):
    return sitemap_views.sitemap(request, sitemaps, section=section)


def _to_keep(response):
    """A built sitemap as plain values (kept in the shared cache): its bytes and what the
    answer's headers say about them."""
    response.render()
    return kept.to_keep(
        response.content,
        response.headers["Content-Type"],
        robots=response.headers.get("X-Robots-Tag", ""),
    )


def _answer(request, file):
    # A crawler that has this very sitemap gets 304 and no body.
    answer = kept.answer(request, file)
    if file["robots"]:
        answer.headers["X-Robots-Tag"] = file["robots"]
    return answer


def _kept(request, name, build):
    """The kept sitemap `name` for this site's address, built by `build()` if there is
    none. Only a successful one is kept; while the cache is down each request builds."""
    page = request.GET.get("p", "1")
    if not (page.isascii() and page.isdigit() and not page.startswith("0")) or len(page) > 6:
        # Django answers 404 for a page that is not a plain number; a million pages of
        # 50,000 addresses is past any site, so a longer one is not looked up either.
        return build()
    # Without SITE_URL the addresses are the request's own (an allowed host only).
    origin = site_origin(request)
    try:
        key = f"sitemaps:{_version()}:{origin}:{name}:{page}"
        kept = cache.get(key)
    except Exception:
        logger.warning("Sitemap built uncached: the cache is not answering.")
        return build()
    if kept is None:
        response = build()
        if response.status_code != 200:
            return response
        kept = _to_keep(response)
        try:
            cache.set(key, kept, timeout=KEEP_SECONDS)
        except Exception:
            logger.warning("Sitemap not kept: the cache is not answering.")
    return _answer(request, kept)


def sitemap(request):
    return _kept(request, "index", lambda: _build_sitemap(request))


def sitemap_section(request, section):
    if section not in sitemaps:
        raise Http404("No such sitemap.")
    return _kept(request, section, lambda: _build_section(request, section))
