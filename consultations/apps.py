from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultation requests"

    def ready(self):
        # Registers this app's outbox kinds (staff.kinds) before anything sends.
        from . import metrics, notify  # noqa: F401

        # A mistyped response target or default week stops every process at start-up.
        metrics.check_settings()
