import logging
import uuid
from urllib.parse import urlsplit

from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, TemplateView

from pages import finder
from pages.models import DailyPageViews, Location
from pages.visits import CountedPageMixin

from . import antispam, services
from .forms import ConsultationRequestForm, local_path
from .models import ConsultationRequest

logger = logging.getLogger(__name__)

# Up to this many active clinics the form offers a drop-down; past it, the clinic finder.
CLINIC_SELECT_LIMIT = 20


@method_decorator(never_cache, name="dispatch")
class ConsultationCreateView(CountedPageMixin, CreateView):
    """The patient's request form, for any clinic or for the one named in the URL."""

    form_class = ConsultationRequestForm
    template_name = "consultations/request_form.html"
    success_url = reverse_lazy("consultations:thanks")
    visit_kind = DailyPageViews.Kind.FORM  # counted when shown (GET), not when sent

    def visit_location(self):
        return self.location

    def dispatch(self, request, *args, **kwargs):
        self.location = None
        if "slug" in kwargs:
            self.location = get_object_or_404(Location.objects.active(), slug=kwargs["slug"])
        # Past a few clinics a drop-down is too long to use: patients find theirs first.
        self.many_clinics = Location.objects.active().count() > CLINIC_SELECT_LIMIT
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.many_clinics and self.location is None:
            return self.choose_clinic(request)
        return super().get(request, *args, **kwargs)

    def choose_clinic(self, request):
        """Step one of the general form with many clinics: the finder, whose results
        lead to each clinic's own form (server-rendered, works without JavaScript)."""
        return TemplateResponse(
            request,
            "consultations/choose_clinic.html",
            {
                "search": finder.from_params(
                    request.GET, url_name="consultations:create_for_location"
                )
            },
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "clinic_select": not self.many_clinics}

    def get_initial(self):
        source = self.referring_path()
        initial = {"submission_key": uuid.uuid4(), "source_page": source}
        if self.location:
            initial["location"] = self.location
        if self.came_from_treatment_page(source):
            initial["topic"] = ConsultationRequest.Topic.ISOTRETINOIN
        # The page's language is the likely answer; the patient can change it.
        language = get_language()
        if language in ConsultationRequest.Language.values:
            initial["preferred_language"] = language
        return initial

    @staticmethod
    def came_from_treatment_page(path):
        try:
            return resolve(path).view_name == "pages:isotretinoin"
        except Resolver404:
            return False

    def referring_path(self):
        """The page of this site the patient came from (path only: a query string could
        carry anything)."""
        try:
            referer = urlsplit(self.request.headers.get("Referer", ""))
        except ValueError:  # e.g. "http://[x/": any browser or robot can send it
            return ""
        if referer.netloc != self.request.get_host():
            return ""
        return local_path(referer.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(location=self.location, **kwargs)
        # Bound to the key this page sends back: a new page, or the same one shown again.
        key = context["form"]["submission_key"].value()
        context["form_started"] = antispam.make_token(key)
        return context

    def refuse(self, form, message, status, **context):
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form, **context), status=status)

    def form_valid(self, form):
        key = form.cleaned_data["submission_key"]
        if ConsultationRequest.objects.filter(submission_key=key).exists():
            return redirect(self.success_url)
        try:
            antispam.check_rate_limit(self.request)
        except antispam.SpamCheckFailed as error:
            # A person caught by the limit needs a way through: the clinics' phone numbers.
            phones = (
                [self.location]
                if self.location and self.location.phone
                else Location.objects.active().exclude(phone="")[:CLINIC_SELECT_LIMIT]
            )
            return self.refuse(form, str(error), status=429, clinic_phones=phones)
        try:
            self.object = services.submit_request(form)
        except services.AlreadySubmitted:
            pass  # a twin of this POST was stored first: same thank-you page
        except DatabaseError as error:
            # The type only: database messages can quote the submitted values.
            logger.error("Could not save a consultation request (%s)", type(error).__name__)
            return self.refuse(
                form,
                _(
                    "Sorry, we could not save your request just now, so it was not sent. "
                    "Your answers are still below. Please press “Send request” again in a "
                    "minute, or call the clinic."
                ),
                status=503,
            )
        return redirect(self.success_url)


@method_decorator(never_cache, name="dispatch")
class ThanksView(CountedPageMixin, TemplateView):
    template_name = "consultations/thanks.html"
    visit_kind = DailyPageViews.Kind.THANKS
