from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Location


class HomeSitemap(Sitemap):
    priority = 1.0

    def items(self):
        return ["pages:home"]

    def location(self, item):
        return reverse(item)


class LocationSitemap(Sitemap):
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
