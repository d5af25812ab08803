from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from appointments import slotfeed
from appointments.staff_feed import StaffCalendarFeedView
from modsite.health import HealthView
from pages.sitemaps import sitemap, sitemap_section
from pages.views import RobotsView

handler500 = "pages.outage.server_error"

admin.site.site_header = "MOD Dermatology staff"
admin.site.site_title = "MOD Dermatology staff"
admin.site.index_title = "Consultation requests and clinic locations"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    # A clinic's private calendar feed for staff (no language: calendar apps fetch it).
    path(
        "staff-calendar/<str:token>.ics",
        StaffCalendarFeedView.as_view(),
        name="staff-calendar-feed",
    ),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap-section"),
    # The public free-slot feed (SMART Scheduling Links): appointments/slotfeed.py.
    path("$bulk-publish", slotfeed.manifest, name="slotfeed-manifest"),
    path("slot-feed/locations.ndjson", slotfeed.locations, name="slotfeed-locations"),
    path("slot-feed/schedules.ndjson", slotfeed.schedules, name="slotfeed-schedules"),
    path("slot-feed/slots-<slug:slug>.ndjson", slotfeed.clinic_slots, name="slotfeed-slots"),
]
# Patient pages in English at today's addresses and in Spanish under /es/ (path words
# translated in locale/). The language comes from the URL only: see UrlLanguageMiddleware.
urlpatterns += i18n_patterns(
    # Consultations first: its fixed paths must win over the location slug routes.
    path("", include("consultations.urls")),
    path("", include("appointments.urls")),
    path("", include("pages.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
