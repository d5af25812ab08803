import functools

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm

from pages import text
from staff import figures

from . import signin
from .design import design_page


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """Password plus authenticator code. django-otp asks staff to pick a device even when
    they have only one (enrol_totp gives each person one); pick it for them.

    A wrong or missing code is answered like a wrong password, so it never confirms that
    the password was right, and counts as a failed sign-in toward django-axes' lockout."""

    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter the correct username, password and code from your authenticator "
            "app. After a wrong code, wait a minute before you try again."
        ),
    }

    def clean_otp(self, user):
        if user is not None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                self.cleaned_data["otp_device"] = devices[0].persistent_id
        try:
            super().clean_otp(user)
        except ValidationError:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": self.cleaned_data.get("username")},
                request=self.request,
            )
            raise self.get_invalid_login_error() from None


class AuditedAutocompleteJsonView(AutocompleteJsonView):
    """An autocomplete answer is a search: a model admin that audits its lists (it has
    `record_listing`, as the consultation requests' does) records this one too, with the
    results actually sent."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = getattr(self.model_admin, "record_listing", None)
        if record is not None:
            record(self.request, context["object_list"], self.term, "term")
        return context


class StaffAdminSite(AdminSite):
    """The admin holds patients' requests: with STAFF_REQUIRE_2FA on, staff must sign in
    with a password and a code from their authenticator app (a TOTP device, see
    `manage.py enrol_totp`). Read at request time so tests can switch it."""

    site_header = "MOD Dermatology staff"
    site_title = "MOD Dermatology staff"

    @property
    def login_form(self):
        return StaffOTPAuthenticationForm if settings.STAFF_REQUIRE_2FA else AdminAuthenticationForm

    @property
    def login_template(self):
        return "otp/admin111/login.html" if settings.STAFF_REQUIRE_2FA else None

    def login(self, request, extra_context=None):
        """A username under attack from many addresses: this address waits its turn
        before its password is even checked (modsite/signin.py)."""
        if request.method == "POST":
            wait = signin.slowdown_seconds(request, request.POST.get("username"))
            if wait:
                return signin.slowdown_response(request, wait)
        return super().login(request, extra_context)

    def index(self, request, extra_context=None):
        """The index is the staff dashboard (for those who may view requests)."""
        from consultations.dashboard import dashboard_context

        context = dashboard_context(request)
        # The other apps' sections (bookings), for the same period.
        period = figures.Period(figures.period_days(request.GET.get("days")), timezone.now())
        context["figure_sections"] = figures.render_dashboard(request.user, period, request.GET)
        return super().index(request, {**context, **(extra_context or {})})

    def get_urls(self):
        # Our "view on site" shortcut in place of django.contrib.contenttypes' one.
        shortcut = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        # The design system's component page: staff only, like every admin page.
        design = path("design/", self.admin_view(design_page), name="design")
        urls = super().get_urls()
        return [
            design,
            *(shortcut if getattr(u, "name", None) == "view_on_site" else u for u in urls),
        ]

    def autocomplete_view(self, request):
        return AuditedAutocompleteJsonView.as_view(admin_site=self)(request)

    def view_on_site(self, request, content_type_id, object_id):
        """Sends staff to a record's page only if its admin shows them that record, and
        answers "not found" alike when it does not exist, is another clinic's, or has no
        page (as an inactive clinic has not): so it confirms nothing the admin hides."""
        url = self._page_of(request, content_type_id, object_id)
        if not url:
            raise Http404
        return HttpResponseRedirect(url)

    def _page_of(self, request, content_type_id, object_id):
        from django.contrib.contenttypes.models import ContentType

        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            return None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            return None
        # The admin's own lookup, so its scope applies (a clinic's staff, their clinics).
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            return None
        if callable(model_admin.view_on_site):
            return model_admin.view_on_site(obj)
        if model_admin.view_on_site and hasattr(obj, "get_absolute_url"):
            return obj.get_absolute_url()
        return None

    def admin_view(self, view, cacheable=False):
        """Every admin page reads its query string cleaned (pages.text.strip_unsafe): a
        NUL or other control character typed into a list's search box would otherwise
        reach the database (PostgreSQL refuses NUL in text) as a server error."""
        protected = super().admin_view(view, cacheable)

        @functools.wraps(protected)
        def inner(request, *args, **kwargs):
            if any(text.strip_unsafe(value) != value for value in request.GET.values()):
                cleaned = request.GET.copy()
                for key in cleaned:
                    cleaned.setlist(key, [text.strip_unsafe(v) for v in cleaned.getlist(key)])
                cleaned._mutable = False
                request.GET = cleaned
            return protected(request, *args, **kwargs)

        return inner

    def has_permission(self, request):
        return super().has_permission(request) and (
            not settings.STAFF_REQUIRE_2FA or request.user.is_verified()
        )
