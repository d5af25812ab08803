from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = "Online booking"

    def ready(self):
        # Registers this app's outbox kind (staff.kinds) before anything sends, and its
        # dashboard and digest section (staff.figures).
        from . import figures, notify, signals, slotfeed  # noqa: F401
