from django.core.management.base import BaseCommand

from appointments import notify


class Command(BaseCommand):
    help = (
        "Queue the day-before reminder e-mails of the coming visits (patients who asked for "
        "e-mail), each due at 8:00 on its clinic's clock the day before. Run it hourly from "
        "cron; a reminder is queued once per booking and time, however often or from however "
        "many places it runs. send_notifications sends them when they are due."
    )

    def handle(self, *args, **options):
        queued = notify.queue_reminders()
        self.stdout.write(f"{queued} reminders queued.")
