from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.urls import reverse

from .models import Location


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


def sitemap(request):
    """/sitemap.xml: one file while every address fits; past a file's limit, an index of
    numbered files (each section split into pages of `limit` addresses)."""
    if sum(section().paginator.count for section in sitemaps.values()) > SiteSitemap.limit:
        return sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap-section")
    return sitemap_views.sitemap(request, sitemaps)


def sitemap_section(request, section):
    return sitemap_views.sitemap(request, sitemaps, section=section)
