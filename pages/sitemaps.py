from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Location


class SiteSitemap(Sitemap):
    """Addresses start with SITE_URL when it is set (see pages.origin). Every page is
    listed in each language, with xhtml:link alternates to the others and x-default
    (English)."""

    i18n = True
    alternates = True
    x_default = True

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


class NoticeSitemap(HomeSitemap):
    """The Section 1557 notices."""

    priority = 0.3

    def items(self):
        return ["pages:nondiscrimination", "pages:language_assistance"]


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
    "notices": NoticeSitemap,
}
