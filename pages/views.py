from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.views import View
from django.views.generic import DetailView, TemplateView

from . import outage
from .cache import CachedPageMixin
from .models import ClinicalReview, ContentUpdate, LanguageTagline, Location, PatientPage


class HomeView(CachedPageMixin, TemplateView):
    template_name = "pages/home.html"

    def get_context_data(self, **kwargs):
        locations = list(Location.objects.active())
        outage.remember_clinic_phones(locations, shared=False)
        return super().get_context_data(locations=locations, **kwargs)


class LocationPageMixin(CachedPageMixin):
    """Looks up the active location named by the URL's slug; anything else is a 404."""

    queryset = Location.objects.active()
    context_object_name = "location"

    def get_context_data(self, **kwargs):
        # The consultation form lives in the consultations app; linked by URL name only.
        url = reverse("consultations:create_for_location", kwargs={"slug": self.object.slug})
        return super().get_context_data(consultation_url=url, **kwargs)


class LocationDetailView(LocationPageMixin, DetailView):
    template_name = "pages/location_detail.html"


class IsotretinoinView(LocationPageMixin, DetailView):
    """One template for every location; the medical text is one include per language
    (templates/pages/isotretinoin/_body_<language>.html), so clinicians review each
    language as plain prose."""

    template_name = "pages/isotretinoin.html"
    page = PatientPage.ISOTRETINOIN

    def get_context_data(self, **kwargs):
        language = get_language()
        review = ClinicalReview.objects.latest_for(self.page, language)
        # The "content updated" date names nobody; shown only while no review is recorded.
        update = None if review else ContentUpdate.objects.latest_for(self.page, language)
        return super().get_context_data(
            body_template=f"pages/isotretinoin/_body_{language}.html",
            review=review,
            content_update=update,
            **kwargs,
        )


class NondiscriminationView(CachedPageMixin, TemplateView):
    """Section 1557 notice of nondiscrimination."""

    template_name = "pages/nondiscrimination.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(clinics=Location.objects.active(), **kwargs)


class LanguageAssistanceView(CachedPageMixin, TemplateView):
    """Section 1557 notice that free language help is available, with staff-entered
    taglines in further languages."""

    template_name = "pages/language_assistance.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            clinics=Location.objects.active(),
            taglines=LanguageTagline.objects.active(),
            **kwargs,
        )


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
