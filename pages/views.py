from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, TemplateView

from . import finder, outage
from .cache import CachedPageMixin
from .content import ISOTRETINOIN_LAST_REVIEWED
from .models import DailyPageViews, Location
from .visits import CountedPageMixin

# The home page shows a few clinics and the finder; the finder lists them all.
HOME_LOCATIONS = 6


class HomeView(CachedPageMixin, TemplateView):
    template_name = "pages/home.html"

    def get_context_data(self, **kwargs):
        active = Location.objects.active()
        locations = list(active[:HOME_LOCATIONS])
        outage.remember_clinic_phones(locations, shared=False)
        return super().get_context_data(
            locations=locations, location_count=active.count(), **kwargs
        )


class FinderView(TemplateView):
    """/locations/?q=68005: a GET form, so a search is a link to share. Never kept by the
    page cache (its key leaves out the query string); one query per search."""

    template_name = "pages/finder.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "")
        return super().get_context_data(search=finder.search(query), **kwargs)


class LocationPageMixin(CountedPageMixin, CachedPageMixin):
    """Looks up the active location named by the URL's slug; anything else is a 404."""

    queryset = Location.objects.active().with_hours()
    context_object_name = "location"

    def visit_location(self):
        return getattr(self, "object", None)

    def get_context_data(self, **kwargs):
        # The consultation form lives in the consultations app; linked by URL name only.
        url = reverse("consultations:create_for_location", kwargs={"slug": self.object.slug})
        return super().get_context_data(consultation_url=url, **kwargs)


class LocationDetailView(LocationPageMixin, DetailView):
    template_name = "pages/location_detail.html"
    visit_kind = DailyPageViews.Kind.OVERVIEW


class IsotretinoinView(LocationPageMixin, DetailView):
    template_name = "pages/isotretinoin.html"
    visit_kind = DailyPageViews.Kind.TREATMENT

    def get_context_data(self, **kwargs):
        return super().get_context_data(last_reviewed=ISOTRETINOIN_LAST_REVIEWED, **kwargs)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain"


class HealthView(View):
    """For load balancers and uptime checks: 200 when the database answers, 503 when not."""

    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        return JsonResponse({"status": "ok", "database": "ok"})
