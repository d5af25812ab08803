import logging
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
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
from pages.cache import LISTS_LOCATIONS, CachedPageMixin
from pages.models import DailyPageViews, Location
from pages.visits import CountedPageMixin

from . import antispam, services
from .forms import FROM_BOOKING, ConsultationRequestForm, initial_from_booking, local_path
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
        # The booking page's "Request a consultation" button (a POST: typed details never
        # travel in a URL): show the form filled in with them, as on a first visit.
        self.from_booking = request.method == "POST" and FROM_BOOKING in request.POST
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.from_booking:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

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
        # A clinic named by the URL is shown as a summary with a link to change it, not as a
        # drop-down that could be changed by mistake.
        select = not self.many_clinics and self.location is None
        kwargs = {**super().get_form_kwargs(), "clinic_select": select}
        if self.from_booking:
            # Shown, not sent: an unbound form is neither checked nor saved.
            kwargs.pop("data", None)
            kwargs.pop("files", None)
        return kwargs

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
        if self.from_booking:
            initial.update(initial_from_booking(self.request.POST))
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
        stored = ConsultationRequest.objects.filter(submission_key=key).first()
        if stored:
            return self.thank(stored)
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
            # A twin of this POST was stored first: same thank-you page.
            self.object = ConsultationRequest.objects.filter(submission_key=key).first()
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
        return self.thank(self.object)

    def thank(self, consultation):
        response = redirect(self.success_url)
        if consultation is not None:
            remember_for_thanks(response, consultation)
        return response


# The thank-you page says when to expect contact. It learns the clinic and the due time
# from a signed cookie sent only to the thank-you address: the URL carries nothing, the
# cookie holds no health data (a clinic number and a time), and it is gone in a day.
THANKS_COOKIE = "mod_thanks"
THANKS_SALT = "consultations.thanks"
THANKS_MAX_AGE = 24 * 60 * 60


def remember_for_thanks(response, consultation):
    due = consultation.due_at.isoformat() if consultation.due_at else ""
    response.set_signed_cookie(
        THANKS_COOKIE,
        f"{consultation.location_id}|{due}",
        salt=THANKS_SALT,
        max_age=THANKS_MAX_AGE,
        path=str(ThanksView.success_path()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def read_thanks_cookie(request):
    """(location, due time) of the request just sent, or (None, None) when the cookie is
    missing, old, tampered with or names a clinic no longer shown."""
    value = request.get_signed_cookie(
        THANKS_COOKIE, default="", salt=THANKS_SALT, max_age=THANKS_MAX_AGE
    )
    location_id, _, due = value.partition("|")
    try:
        location = Location.objects.active().filter(pk=int(location_id)).first()
        due_at = datetime.fromisoformat(due) if due else None
    except (ValueError, TypeError):
        return None, None
    if due_at is not None and due_at.tzinfo is None:
        due_at = None
    return location, due_at if location else None


@method_decorator(never_cache, name="dispatch")
class ThanksView(CountedPageMixin, TemplateView):
    template_name = "consultations/thanks.html"
    visit_kind = DailyPageViews.Kind.THANKS

    @staticmethod
    def success_path():
        return reverse_lazy("consultations:thanks")

    def get_context_data(self, **kwargs):
        location, due_at = read_thanks_cookie(self.request)
        return super().get_context_data(location=location, contact_by=due_at, **kwargs)


# The form's answers a request keeps (what the privacy page lists): every field a patient
# sees, in the form's order; not the honeypot, the form's own key, the page it came from.
PRIVACY_HIDDEN_FIELDS = {"website", "submission_key", "source_page", "consent"}
DAY_SECONDS = 24 * 60 * 60


class PrivacyView(CachedPageMixin, TemplateView):
    """What the site keeps about a patient and for how long, read from the settings and
    the form itself, so the page cannot drift from what the code does."""

    template_name = "consultations/privacy.html"
    cache_tags = [LISTS_LOCATIONS]  # the footer names the clinics

    def get_context_data(self, **kwargs):
        form = ConsultationRequestForm(clinic_select=True)
        fields = [
            field.label for name, field in form.fields.items() if name not in PRIVACY_HIDDEN_FIELDS
        ]
        return super().get_context_data(
            form_fields=fields,
            retention_days=settings.CONSULTATION_RETENTION_DAYS,
            csrf_cookie=settings.CSRF_COOKIE_NAME,
            csrf_days=round(settings.CSRF_COOKIE_AGE / DAY_SECONDS),
            thanks_cookie=THANKS_COOKIE,
            thanks_hours=THANKS_MAX_AGE // 3600,
            visit_counts=settings.VISIT_COUNTS,
            **kwargs,
        )
