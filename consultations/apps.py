from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultation requests"

    def ready(self):
        from . import metrics

        # A mistyped response target or default week stops every process at start-up.
        metrics.check_settings()
