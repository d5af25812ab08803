from django.core.management.base import BaseCommand

from consultations import services


class Command(BaseCommand):
    help = (
        "Fill in due times and times to first contact on stored requests that have none "
        "(requests from before these were recorded). Safe to run again: rows already filled "
        "are left alone unless --recompute is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--recompute",
            action="store_true",
            help="Work every request out again, e.g. after opening hours were corrected.",
        )

    def handle(self, *args, recompute, **options):
        changed = services.backfill_response_times(recompute=recompute)
        self.stdout.write(f"Updated {changed} request(s).")
