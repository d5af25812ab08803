from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ModsiteConfig(AppConfig):
    """The project itself as an app: staff-account commands and site-wide middleware."""

    name = "modsite"
    verbose_name = "Site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401 registers the system checks
        from .cache import create_cache_tables
        from .signin import remember_sign_in_time
        from .sqlite import tune_connection

        connection_created.connect(tune_connection, dispatch_uid="modsite.sqlite")
        user_logged_in.connect(remember_sign_in_time, dispatch_uid="modsite.signin")
        # `migrate` alone leaves a working database cache: no separate step to forget.
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="modsite.cache")


class StaffAdminConfig(admin_apps.AdminConfig):
    """The Django admin, served by StaffAdminSite (two-factor sign-in when required)."""

    default = False
    default_site = "modsite.admin.StaffAdminSite"
