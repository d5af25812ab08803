from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Clinic pages"

    def ready(self):
        from . import checks, signals  # noqa: F401
