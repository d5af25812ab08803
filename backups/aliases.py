"""Short-lived extra database connections (a throwaway copy, a copy_database target),
made from a settings dict and removed again, so the site's own aliases stay as they are."""

import contextlib
import copy
import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connections

from .crypto import BackupError


@contextlib.contextmanager
def temporary_alias(settings_dict):
    alias = f"backups_{uuid.uuid4().hex[:8]}"
    connections.settings[alias] = copy.deepcopy(settings_dict)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def settings_like(alias, **changes):
    """The settings of `alias` with some keys changed (e.g. NAME)."""
    settings_dict = copy.deepcopy(connections[alias].settings_dict)
    settings_dict.update(changes)
    return settings_dict


def database_tables(alias):
    connection = connections[alias]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def tables_with_rows(alias):
    """{table: rows} of every table holding at least one row."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
            rows = cursor.fetchone()[0]
            if rows:
                found[table] = rows
    return found


def migrate(url):
    """Django's `migrate` on the database at `url`, in a process of its own whose default
    database it is. Not on a second alias in this process: the project's data migrations
    (seeded clinics, staff groups, permissions) write through the default connection, so
    their rows would land in this site's own database instead."""
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE", ""))
    result = subprocess.run(  # noqa: S603 (this project's own manage.py, no shell)
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", "--no-input"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1][:300]
        raise BackupError(f"migrate on the target database failed: {last}")
