import time

from django.core.management.base import BaseCommand

from staff import outbox
from staff.models import NotificationOutbox


class Command(BaseCommand):
    help = (
        "Send the staff e-mails still waiting in the outbox (new requests, daily digests) "
        "(mail was down, or the web process stopped). Safe to run from several places."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=50)
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running and check again every SECONDS (0: one pass, for cron).",
        )

    def handle(self, *args, batch_size, every, **options):
        while True:
            sent, failed = outbox.send_due(batch_size=batch_size)
            # Quiet when there was nothing to do, so cron mails only about real work.
            if sent or failed or options["verbosity"] > 1:
                self.stdout.write(f"Sent {sent}, failed {failed}.")
            self.report_given_up()
            if not every:
                return
            time.sleep(every)

    def report_given_up(self):
        """Cron mails what a job prints: staff hear of e-mails that will not go out."""
        count = NotificationOutbox.objects.filter(state=NotificationOutbox.State.FAILED).count()
        if count:
            self.stderr.write(
                f"{count} staff e-mail(s) about new requests gave up after repeated failures. "
                "Fix the mail settings, then use “Try sending the selected notifications "
                "again” under Consultation requests → Notifications in the admin."
            )
