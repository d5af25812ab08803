"""The backfill jobs (backfill_response_times, backfill_enter_by): work out again the times
a patient app keeps against the business-hours target (staff.targets) on stored records,
for those without them (older records) or, with --recompute, for all (after a clinic's
hours were corrected). Each job names its records and calls its app's service."""

from django.core.management.base import BaseCommand


class BackfillCommand(BaseCommand):
    """`--recompute`, then `backfill(recompute)`, which returns how many records changed."""

    record = ""  # how the output names one record: "request"

    def backfill(self, recompute):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--recompute",
            action="store_true",
            help=f"Work every {self.record} out again, e.g. after opening hours were corrected.",
        )

    def handle(self, *args, recompute, **options):
        changed = self.backfill(recompute)
        self.stdout.write(f"Updated {changed} {self.record}(s).")
