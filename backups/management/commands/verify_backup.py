from django.core.management.base import CommandError

from backups import manifest, operations
from backups.commands import BackupCommand


class Command(BackupCommand):
    help = (
        "Restore a backup file into a throwaway database (never the live one) and compare "
        "every table's row count and checksum with the backup's manifest."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file")

    def handle(self, *args, file, database, **options):
        with self.plainly():
            key = operations.key_from_settings()
            described, found = operations.verify(database, file, key)
        if found:
            raise CommandError("The backup does not restore as recorded: " + "; ".join(found))
        self.say(f"The backup restores as recorded ({manifest.describe(described)}).")
