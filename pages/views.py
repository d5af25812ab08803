from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView

from . import finder, outage
from .cache import LISTS_LOCATIONS, CachedPageMixin, location_tag
from .models import (
    CivilRightsCoordinator,
    ClinicalReview,
    ContentUpdate,
    DailyPageViews,
    LanguageTagline,
    Location,
    PatientPage,
)
from .visits import CountedPageMixin

# The home page shows a few clinics and the finder; the finder lists them all.
HOME_LOCATIONS = 6


class HomeView(CachedPageMixin, TemplateView):
    template_name = "pages/home.html"
    cache_tags = [LISTS_LOCATIONS]

    def get_context_data(self, **kwargs):
        active = Location.objects.active()
        locations = list(active.with_hours()[:HOME_LOCATIONS])
        outage.remember_clinic_phones(locations, shared=False)
        return super().get_context_data(
            locations=locations, location_count=active.count(), **kwargs
        )


class FinderView(CachedPageMixin, TemplateView):
    """/locations/?q=68005: a GET form, so a search is a link to share; ?state=NE&page=2
    browses one state's clinics. A fixed number of queries per page.

    Only the pages our own links lead to are kept (the overview, each state's pages),
    redrawn when any location changes. A search is rendered each time and never kept: a
    crafted link must not fill the page cache, nor leave its words in a kept page."""

    template_name = "pages/finder.html"
    cache_tags = [LISTS_LOCATIONS]
    # All three, so that a search is never answered with the kept overview.
    cache_query_params = ["q", "state", "page"]

    def get_context_data(self, **kwargs):
        self.search = finder.from_params(self.request.GET)
        return super().get_context_data(search=self.search, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if self.is_our_own_link():
            # Vouch for this exact query string: the page cache keeps one page per link
            # the site prints, and nothing for any other spelling.
            response.cache_query = request.META.get("QUERY_STRING", "")
        else:
            response.same_for_everyone = False  # shown, never kept
        return response

    def is_our_own_link(self):
        """True when the query string is exactly that of a link we print (an empty q, as
        the empty search box sends, counts as none): one spelling per page, so each
        kept page has one key."""
        search = getattr(self, "search", None)
        wanted = search.canonical_params if search else None
        if wanted is None:
            return False
        printed = urlencode(wanted)
        given = self.request.META.get("QUERY_STRING", "")
        return given in {printed, "q=" + (f"&{printed}" if printed else "")}


class LocationPageMixin(CountedPageMixin, CachedPageMixin):
    """Looks up the active location named by the URL's slug; anything else is a 404."""

    queryset = Location.objects.active().with_hours()
    context_object_name = "location"

    def get_cache_tags(self):
        # Its footer names only this location (templates/includes/footer.html).
        return [location_tag(self.object)]

    def visit_location(self):
        return getattr(self, "object", None)

    def get_context_data(self, **kwargs):
        # The consultation form lives in the consultations app; linked by URL name only.
        url = reverse("consultations:create_for_location", kwargs={"slug": self.object.slug})
        return super().get_context_data(consultation_url=url, **kwargs)


# The care each clinic's pages explain: (patient page, URL name, title, one line). Every
# location has every page (one template each), so each is offered at every clinic.
TREATMENT_PAGES = [
    (
        PatientPage.ISOTRETINOIN,
        "pages:isotretinoin",
        _("Isotretinoin for severe acne"),
        _("How this acne medicine works, who it can help, and what to expect."),
    ),
]


class LocationDetailView(LocationPageMixin, DetailView):
    template_name = "pages/location_detail.html"
    visit_kind = DailyPageViews.Kind.OVERVIEW

    def get_context_data(self, **kwargs):
        services = [
            {
                "url": reverse(url_name, kwargs={"slug": self.object.slug}),
                "title": title,
                "text": text,
            }
            for _page, url_name, title, text in TREATMENT_PAGES
        ]
        return super().get_context_data(services=services, **kwargs)


class IsotretinoinView(LocationPageMixin, DetailView):
    """One template for every location; the medical text is one include per language
    (templates/pages/isotretinoin/_body_<language>.html), so clinicians review each
    language as plain prose."""

    template_name = "pages/isotretinoin.html"
    page = PatientPage.ISOTRETINOIN
    visit_kind = DailyPageViews.Kind.TREATMENT

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


NOTICE_PHONES_MAX = 20


class ClinicPhonesMixin:
    """The clinics' phones for "how to ask for help": listed while they are few; past
    NOTICE_PHONES_MAX the notice points to the clinic finder instead of a long list."""

    def get_context_data(self, **kwargs):
        phones = list(
            Location.objects.active()
            .exclude(phone="")
            .only("name", "slug", "phone")[: NOTICE_PHONES_MAX + 1]
        )
        many = len(phones) > NOTICE_PHONES_MAX
        return super().get_context_data(
            clinic_phones=[] if many else phones, many_clinic_phones=many, **kwargs
        )


class NondiscriminationView(ClinicPhonesMixin, CachedPageMixin, TemplateView):
    """Section 1557 notice of nondiscrimination."""

    template_name = "pages/nondiscrimination.html"
    cache_tags = [LISTS_LOCATIONS]  # how to ask for help names the clinics' phones

    def get_context_data(self, **kwargs):
        return super().get_context_data(coordinator=CivilRightsCoordinator.current(), **kwargs)


class LanguageAssistanceView(ClinicPhonesMixin, CachedPageMixin, TemplateView):
    """Section 1557 notice that free language help is available, with staff-entered
    taglines in further languages."""

    template_name = "pages/language_assistance.html"
    cache_tags = [LISTS_LOCATIONS]

    def get_context_data(self, **kwargs):
        return super().get_context_data(taglines=LanguageTagline.objects.active(), **kwargs)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain"
