"""PostgreSQL: `pg_dump --format=custom` of one exported snapshot (the row counts and
checksums in the manifest are read in that same snapshot while the site keeps writing), and
`pg_restore`. The client tools must be at least the server's version; when they are
missing or older, the message names what to install."""

import contextlib
import os
import re
import shutil
import subprocess
import uuid

from django.db import connections, transaction
from django.db.backends.postgresql.client import DatabaseClient

from . import aliases, tables
from .crypto import BackupError

INSTALL_HINT = (
    "Install PostgreSQL's client tools of the server's version or newer "
    "(Debian/Ubuntu: apt-get install postgresql-client; see docs/backups.md)."
)


def tool(name, alias):
    """The path of pg_dump or pg_restore, checked against the server's major version."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on this machine's PATH. {INSTALL_HINT}")
    output = subprocess.run(  # noqa: S603 (a fixed tool, no shell)
        [path, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    client = int(match.group(1)) if match else 0
    server = connections[alias].pg_version // 10000
    if client < server:
        raise BackupError(
            f"{name} {client or '(unknown version)'} is older than the PostgreSQL {server} "
            f"server and cannot work with it. {INSTALL_HINT}"
        )
    return path


def _run(name, argv, settings_dict):
    """Run a client tool with the connection's password and TLS settings in its
    environment (never on its command line). Only the tool's own error lines are shown."""
    args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    connection_args = [*args[1:-1], "--dbname", settings_dict["NAME"]]
    result = subprocess.run(  # noqa: S603 (a fixed tool, no shell)
        [*argv[:1], *connection_args, *argv[1:]],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        errors = [line[:300] for line in result.stderr.splitlines() if "error" in line.lower()]
        raise BackupError(f"{name} failed: " + (" ".join(errors[:3]) or "no message"))


def snapshot(alias, target):
    """Dump the live database to `target`; returns (schema version, table stats) of the
    very same snapshot."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("A backup must start outside a transaction.")
    pg_dump = tool("pg_dump", alias)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        exported = cursor.fetchone()[0]
        # Compressed once, by the backup file: pg_dump's own compression would be wasted.
        argv = [pg_dump, "--format=custom", "--compress=0", f"--snapshot={exported}"]
        _run("pg_dump", [*argv, f"--file={target}"], connection.settings_dict)
        names = connection.introspection.table_names(cursor)
        quote = connection.ops.quote_name
        return tables.schema_version(cursor, names), tables.table_stats(cursor, names, quote)


def load(alias, snapshot_path):
    """Restore the dump into the (empty) database of `alias`, all or nothing."""
    pg_restore = tool("pg_restore", alias)
    argv = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        str(snapshot_path),
    ]
    connections[alias].close()
    _run("pg_restore", argv, connections[alias].settings_dict)


def clear(alias):
    """Drop every table of the live database (after its safety copy was made)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table)} CASCADE")


def describe(alias):
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        quote = connection.ops.quote_name
        return tables.schema_version(cursor, names), tables.table_stats(cursor, names, quote)


@contextlib.contextmanager
def new_database(alias, purpose):
    """A new empty database on the server of `alias`, dropped on leaving; yields an alias
    for it."""
    connection = connections[alias]
    name = f"{connection.settings_dict['NAME'][:40]}_{purpose}_{uuid.uuid4().hex[:8]}"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quote(name)}")
    try:
        with aliases.temporary_alias(aliases.settings_like(alias, NAME=name)) as scratch:
            yield scratch
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")


def into_throwaway(alias, snapshot_path):
    """Restore the dump into a new database next to the live one; returns its stats."""
    with new_database(alias, "verify") as scratch:
        load(scratch, snapshot_path)
        return describe(scratch)
