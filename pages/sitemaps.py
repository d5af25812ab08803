from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Location


class SiteSitemap(Sitemap):
    """Addresses start with SITE_URL when it is set (see pages.origin)."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc or super().get_domain(site)


class HomeSitemap(SiteSitemap):
    priority = 1.0

    def items(self):
        return ["pages:home"]

    def location(self, item):
        return reverse(item)


class LocationSitemap(SiteSitemap):
    """Each active location's overview page."""

    def items(self):
        return Location.objects.active()

    def lastmod(self, location):
        return location.updated_at


class IsotretinoinSitemap(LocationSitemap):
    priority = 0.8

    def location(self, location):
        return location.get_isotretinoin_url()


sitemaps = {
    "home": HomeSitemap,
    "locations": LocationSitemap,
    "isotretinoin": IsotretinoinSitemap,
}
