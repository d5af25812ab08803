from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from backups import manifest, operations
from backups.commands import BackupCommand


class Command(BackupCommand):
    help = (
        "Restore a backup file into the database. The key, the file's checksum and its "
        "schema version are checked first; a database that holds data is replaced only "
        "with --replace, after a safety copy of it is written to BACKUP_DIR."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace a database that holds data (a safety copy is made first).",
        )

    def handle(self, *args, file, replace, database, **options):
        with self.plainly():
            key = operations.key_from_settings()
            described, safety = operations.restore(database, file, key, replace=replace)
        if safety:
            self.stdout.write(f"The database as it was is saved in {safety}.")
        self.stdout.write(
            f"Restored the backup ({manifest.describe(described)}); row counts match."
        )
        if self._unapplied(database):
            self.stdout.write("The backup is older than the code: run `manage.py migrate` now.")

    @staticmethod
    def _unapplied(alias):
        executor = MigrationExecutor(connections[alias])
        return executor.migration_plan(executor.loader.graph.leaf_nodes())
