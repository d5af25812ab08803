from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ModsiteConfig(AppConfig):
    """The project itself as an app: staff-account commands and site-wide middleware."""

    name = "modsite"
    verbose_name = "Site"


class StaffAdminConfig(admin_apps.AdminConfig):
    """The Django admin, served by StaffAdminSite (two-factor sign-in when required)."""

    default = False
    default_site = "modsite.admin.StaffAdminSite"
