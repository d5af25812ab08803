"""SQLite: a consistent snapshot of a live file with SQLite's online backup API, and a
restore through the same API (other connections see either the old or the new database,
never half of each)."""

import sqlite3
from pathlib import Path

from django.db import connections

from . import tables


def _raw(alias):
    connection = connections[alias]
    connection.ensure_connection()
    return connection.connection


def snapshot(alias, target):
    """Copy the live database into `target` in one step: SQLite holds a read lock for the
    copy, so it is one consistent moment; in WAL mode writers carry on meanwhile. (A
    copy in steps would restart every time another connection writes.)"""
    destination = sqlite3.connect(target)
    try:
        _raw(alias).backup(destination)
        # A plain file, not WAL: it is read alone, and restored into any journal mode.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
    return describe(target)


def describe(path):
    """(schema version, table stats) of an SQLite file, read without changing it."""
    connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check: {check}")
        cursor = connection.cursor()
        names = [
            row[0]
            for row in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return tables.schema_version(cursor, names), tables.table_stats(cursor, names, _quote)
    finally:
        connection.close()


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def load(alias, snapshot_path):
    """Replace the whole live database with the snapshot."""
    source = sqlite3.connect(f"file:{Path(snapshot_path).resolve()}?mode=ro", uri=True)
    try:
        live = _raw(alias)
        source.backup(live)
        live.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
    connections[alias].close()


def into_throwaway(snapshot_path, folder):
    """Restore the snapshot into a new SQLite file in `folder`; returns its stats."""
    copy_path = Path(folder) / "throwaway.sqlite3"
    source = sqlite3.connect(f"file:{Path(snapshot_path).resolve()}?mode=ro", uri=True)
    target = sqlite3.connect(copy_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return describe(copy_path)
