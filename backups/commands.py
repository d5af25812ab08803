"""What the backup commands share: talking only when someone reads (a terminal, or
--verbosity 2), and turning a BackupError into a clean CommandError."""

import contextlib
import sys

from django.core.management.base import BaseCommand, CommandError

from .crypto import BackupError


class BackupCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default="default", help="The database alias (default: default)."
        )

    def execute(self, *args, **options):
        # Progress on a terminal; quiet in cron (cron mails whatever a job prints).
        self.talks = options.get("verbosity", 1) >= 2 or (
            options.get("verbosity", 1) >= 1 and self._is_terminal(options)
        )
        return super().execute(*args, **options)

    @staticmethod
    def _is_terminal(options):
        stdout = options.get("stdout")
        if stdout is not None:
            return bool(getattr(stdout, "isatty", lambda: False)())
        return sys.stdout.isatty()

    def say(self, text, ending="\n"):
        if self.talks:
            self.stdout.write(text, ending=ending)
            self.stdout.flush()

    def progress(self, label):
        def report(done, total):
            self.say(f"{label}: {100 * done // total}%", ending="\n" if done >= total else "\r")

        return report if self.talks else None

    @contextlib.contextmanager
    def plainly(self):
        try:
            yield
        except BackupError as error:
            raise CommandError(str(error)) from None
