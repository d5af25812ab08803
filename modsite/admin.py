from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm


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

    def index(self, request, extra_context=None):
        """The index is the staff dashboard (for those who may view requests)."""
        from consultations.dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})

    def get_urls(self):
        from django.urls import path

        from .design import design_page

        # The design system's component page: staff only, like every admin page.
        design = path("design/", self.admin_view(design_page), name="design")
        return [design, *super().get_urls()]

    def has_permission(self, request):
        return super().has_permission(request) and (
            not settings.STAFF_REQUIRE_2FA or request.user.is_verified()
        )
