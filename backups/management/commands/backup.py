from pathlib import Path

from django.conf import settings

from backups import archive, crypto, operations
from backups.commands import BackupCommand


class Command(BackupCommand):
    help = (
        "Write an encrypted backup of the whole database to --to (default BACKUP_DIR) and "
        "delete all but the newest BACKUP_RETENTION. --generate-key prints a new BACKUP_KEY."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--to", help="Folder for the backup file (default: BACKUP_DIR).")
        parser.add_argument(
            "--generate-key", action="store_true", help="Print a new key for BACKUP_KEY."
        )

    def handle(self, *args, to, generate_key, database, **options):
        if generate_key:
            # Printed for the operator to copy; this is the only place a key is shown.
            self.stdout.write(crypto.generate_key())
            return
        folder = Path(to or settings.BACKUP_DIR)
        with self.plainly():
            key = operations.key_from_settings()
            self.say(f"Backing up the {database} database into {folder} ...")
            path, manifest = operations.make_backup(
                database, folder, key, progress=self.progress("Compressing and encrypting")
            )
            archive.record_success(folder, path, manifest)
            pruned = archive.prune(folder, settings.BACKUP_RETENTION)
        size = path.stat().st_size
        self.say(f"Wrote {path} ({size} bytes); {len(pruned)} old backup(s) deleted.")
