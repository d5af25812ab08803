"""Making, restoring and verifying backups: what the management commands run.

Every check on a backup file (key, authenticity, checksum, schema version, database
engine) is made on a private copy before the live database is touched.
"""

import contextlib
import hashlib
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections

from . import aliases, archive, crypto, manifest, postgres, sqlite, tables
from .crypto import BackupError

ENGINES = {"sqlite": sqlite, "postgresql": postgres}


def engine(alias):
    vendor = connections[alias].vendor
    if vendor not in ENGINES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor, ENGINES[vendor]


def key_from_settings():
    return crypto.parse_key(settings.BACKUP_KEY)


@contextlib.contextmanager
def workspace(near):
    """A private temporary folder for plaintext snapshots, on the same disk as `near` (a
    database can be larger than /tmp), removed however the work ends."""
    Path(near).mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix=".work-", dir=near) as folder:
        yield Path(folder)


def make_backup(alias, folder, key, *, prefix="modsite", progress=None):
    """Snapshot, describe, compress, encrypt and write; returns (path, manifest)."""
    vendor, module = engine(alias)
    with workspace(folder) as work:
        snapshot = work / "snapshot"
        schema, stats = module.snapshot(alias, snapshot)
        described = manifest.build(
            vendor=vendor,
            schema=schema,
            tables=stats,
            snapshot_sha256=_sha256(snapshot),
            snapshot_bytes=snapshot.stat().st_size,
        )
        path = archive.write(snapshot, described, key, folder, prefix, progress)
    return path, described


def _sha256(path):
    hasher = hashlib.sha256()
    with open(path, "rb") as source:
        while piece := source.read(archive.READ_BYTES):
            hasher.update(piece)
    return hasher.hexdigest()


@contextlib.contextmanager
def checked_snapshot(path, key, near):
    """Yield (manifest, plaintext snapshot path) once the file is known good: right key,
    every byte authenticated, the snapshot's checksum as in the manifest."""
    described, reader = archive.open_checked(path, key)
    with workspace(near) as work:
        snapshot = work / "snapshot"
        reader(snapshot)
        yield described, snapshot


def restore(alias, path, key, *, replace=False, safety_folder=None):
    """Restore the backup at `path` into the live database. Returns (manifest, path of the
    safety copy or None)."""
    vendor, module = engine(alias)
    safety_folder = Path(safety_folder or settings.BACKUP_DIR)
    with checked_snapshot(path, key, safety_folder) as (described, snapshot):
        manifest.check_schema(described)
        manifest.check_engine(described, vendor)
        occupied = aliases.tables_with_rows(alias)
        if occupied and not replace:
            raise BackupError(
                f"The database is not empty ({sum(occupied.values())} rows in "
                f"{len(occupied)} tables). To replace it with the backup, run again with "
                "--replace (a safety copy of it is made first). Nothing was changed."
            )
        safety = None
        if occupied:
            safety, _ = make_backup(alias, safety_folder, key, prefix="pre-restore")
        try:
            if occupied and vendor == "postgresql":
                postgres.clear(alias)
            module.load(alias, snapshot)
        except BackupError as error:
            kept = f" The database as it was is in {safety}." if safety else ""
            raise BackupError(f"{error}{kept}") from None
    _recheck(alias, described, safety)
    return described, safety


def _recheck(alias, described, safety):
    connection = connections[alias]
    names = aliases.database_tables(alias)
    with connection.cursor() as cursor:
        counts = tables.table_stats(cursor, names, connection.ops.quote_name, checksums=False)
    wrong = tables.differences(described["tables"], counts, checksums=False)
    if wrong:
        kept = f" The database as it was is in {safety}." if safety else ""
        raise BackupError(
            "The restored database does not match the backup: " + "; ".join(wrong) + "." + kept
        )


def verify(alias, path, key, *, near=None):
    """Restore into a throwaway database and compare it with the manifest; returns
    (manifest, list of differences). The live database is never touched."""
    vendor, _ = engine(alias)
    with checked_snapshot(path, key, near or settings.BACKUP_DIR) as (described, snapshot):
        if described["engine"] != vendor:
            # A throwaway database of the backup's own kind is needed.
            raise BackupError(
                f"This backup is of a {described['engine']} database; verify it on a site "
                f"that uses {described['engine']}."
            )
        if vendor == "sqlite":
            schema, stats = sqlite.into_throwaway(snapshot, snapshot.parent)
        else:
            schema, stats = postgres.into_throwaway(alias, snapshot)
    found = tables.differences(described["tables"], stats)
    if schema != described["schema"]:
        found.append("the schema version differs from the manifest")
    return described, found
