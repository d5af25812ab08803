from backups import copying
from backups.commands import BackupCommand


class Command(BackupCommand):
    help = (
        "Copy every table of this site's database (e.g. SQLite) into a new, empty database "
        "(e.g. PostgreSQL), keeping ids, and check every table's rows and checksum. "
        "Stop the site first: what it writes after the copy starts is not moved."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--to", required=True, help="URL of the new database, e.g. postgres://user@host/name"
        )

    def handle(self, *args, to, database, **options):
        with self.plainly():
            copied, left = copying.copy_database(database, to, report=self.say)
        self.stdout.write(
            f"Copied {sum(copied.values())} rows in {len(copied)} tables; every table's "
            "row count and checksum match. Point DATABASE_URL at the new database."
        )
        if left:
            self.stdout.write("Not copied (not a model's table, rebuilt there): " + ", ".join(left))
