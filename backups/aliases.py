"""Short-lived extra database connections (a throwaway copy, a copy_database target),
made from a settings dict and removed again, so the site's own aliases stay as they are."""

import contextlib
import copy
import uuid

from django.core.management import call_command
from django.db import connections, router


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


class _Everything:
    """A database router sending every query without an explicit database to one alias."""

    def __init__(self, alias):
        self.alias = alias

    def db_for_read(self, model, **hints):
        return self.alias

    def db_for_write(self, model, **hints):
        return self.alias


def migrate(alias):
    """Django's `migrate` on `alias`. The project's data migrations (seeded clinics, staff
    groups) use the default manager rather than the migrating connection, so while this
    runs every query is routed to `alias` too; otherwise their rows would land in the
    site's own database."""
    everything = _Everything(alias)
    router.routers.insert(0, everything)
    try:
        call_command("migrate", database=alias, interactive=False, verbosity=0)
    finally:
        router.routers.remove(everything)
