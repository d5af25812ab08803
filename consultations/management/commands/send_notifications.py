import time

from django.core.management.base import BaseCommand

from consultations import notify


class Command(BaseCommand):
    help = (
        "Send staff e-mails for new consultation requests that are still waiting "
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
            sent, failed = notify.send_due(batch_size=batch_size)
            # Quiet when there was nothing to do, so cron mails only about real work.
            if sent or failed or options["verbosity"] > 1:
                self.stdout.write(f"Sent {sent}, failed {failed}.")
            if not every:
                return
            time.sleep(every)
