"""What a backup holds: when it was made, of which database, at which schema version, and
every table's row count and checksum. Stored in the file's header (no patient data in it),
authenticated with the contents."""

from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from .crypto import BackupError

FORMAT_VERSION = 1


def build(*, vendor, schema, tables, snapshot_sha256, snapshot_bytes):
    return {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "engine": vendor,
        "schema": schema,
        "tables": tables,
        "snapshot": {"sha256": snapshot_sha256, "bytes": snapshot_bytes},
    }


def check_schema(manifest):
    """Refuse a backup this code cannot run on: one with a migration the code does not have
    (made by a newer version of the site). An older backup is fine: `migrate` brings it
    up to date after the restore."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    schema = sorted(manifest["schema"].items())
    unknown = [f"{app}.{name}" for app, name in schema if (app, name) not in known]
    if unknown:
        raise BackupError(
            "This backup comes from a newer version of the site: it has migration(s) "
            f"{', '.join(unknown)}, which this code does not have. Update the code to the "
            "version that made the backup, then restore. Nothing was changed."
        )


def check_engine(manifest, vendor):
    if manifest["engine"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database, but this site uses "
            f"{vendor}. Restore it on a {manifest['engine']} site, then move the data with "
            "`manage.py copy_database`. Nothing was changed."
        )


def describe(manifest):
    rows = sum(table["rows"] for table in manifest["tables"].values())
    return (
        f"made {manifest['created_at']} from {manifest['engine']}, "
        f"{len(manifest['tables'])} tables, {rows} rows"
    )
