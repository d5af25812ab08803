from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """Password plus authenticator code. django-otp asks staff to pick a device even when
    they have only one (enrol_totp gives each person one); pick it for them."""

    def clean_otp(self, user):
        if user is not None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                self.cleaned_data["otp_device"] = devices[0].persistent_id
        super().clean_otp(user)


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

    def has_permission(self, request):
        return super().has_permission(request) and (
            not settings.STAFF_REQUIRE_2FA or request.user.is_verified()
        )
