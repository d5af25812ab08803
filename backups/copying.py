"""Moving the whole site from one database to another (SQLite to PostgreSQL when a clinic
outgrows one machine).

The target must be a new, empty database. Its schema is made by Django's own `migrate`;
then, in one transaction, the rows `migrate` itself adds (content types, permissions) are
cleared, every model's table is copied with its primary keys, the sequences are set past
the highest id, and every table's row count and checksum is compared with the source. A
difference rolls the whole copy back. An SQLite source is read from an online snapshot,
so every table is copied as of one moment.
"""

import contextlib

import dj_database_url
from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor

from . import aliases, operations, postgres, sqlite, tables
from .crypto import BackupError

BATCH = 1000


def model_tables():
    """Every table Django manages, from the apps registry (many-to-many tables too), each
    once."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            found.setdefault(meta.db_table, model)
    return [found[name] for name in sorted(found)]


def target_settings(url):
    try:
        parsed = dj_database_url.parse(url)
    except ValueError:
        raise BackupError(
            "--to must be a database URL such as postgres://user@host:5432/name."
        ) from None
    # configure_settings fills in every key Django expects (it insists on a "default").
    return connections.configure_settings({"default": parsed})["default"]


def copy_database(source, url, report=lambda text: None):
    """Copy every table from the `source` alias into the database at `url`; returns
    {table: rows copied} and the source tables that are not a model's (left behind)."""
    settings_dict = target_settings(url)
    _refuse_unmigrated(source)
    with _consistent_source(source) as reading, aliases.temporary_alias(settings_dict) as target:
        _refuse_same(source, target)
        if aliases.database_tables(target):
            raise BackupError(
                "The target database is not empty (it has tables). Give copy_database a new, "
                "empty database (e.g. `createdb modsite`). Nothing was changed."
            )
        try:
            copied = _migrate_and_copy(reading, target, url, report)
        except BaseException:
            _drop_tables(target)  # leave the target as empty as it was given
            raise
        left = sorted(set(aliases.database_tables(reading)) - set(copied) - {"django_migrations"})
    return copied, left


def _migrate_and_copy(source, target, url, report):
    report("Creating the tables with migrate ...")
    aliases.migrate(url)
    models = model_tables()
    with transaction.atomic(using=target):
        _clear(target, models)
        copied = {m._meta.db_table: _copy(m, source, target, report) for m in models}
        _reset_sequences(target, models)
        _compare(models, source, target)
    return copied


def _drop_tables(alias):
    if connections[alias].vendor == "postgresql":
        postgres.clear(alias)


@contextlib.contextmanager
def _consistent_source(source):
    """An alias to read the source from: an online snapshot for SQLite (one moment for
    every table, while the site may still write), the live database otherwise."""
    if connections[source].vendor != "sqlite":
        yield source
        return
    with operations.workspace(connections[source].settings_dict["NAME"] + ".copy") as work:
        sqlite.snapshot(source, work / "snapshot.sqlite3")
        settings_dict = aliases.settings_like(source, NAME=str(work / "snapshot.sqlite3"))
        with aliases.temporary_alias(settings_dict) as reading:
            yield reading


def _refuse_unmigrated(alias):
    executor = MigrationExecutor(connections[alias])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError(
            "The source database has migrations to apply: run `manage.py migrate` first."
        )


def _refuse_same(source, target):
    a, b = connections[source].settings_dict, connections[target].settings_dict
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    if all(a.get(k) == b.get(k) for k in keys):
        raise BackupError("The target is the site's own database. Nothing was changed.")


def _clear(alias, models):
    connection = connections[alias]
    names = [m._meta.db_table for m in models]
    statements = connection.ops.sql_flush(no_style(), names, allow_cascade=True)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _fields(model):
    return model._meta.concrete_fields


def _rows(model, alias):
    """The model's rows as Python values (Django's converters applied, so both
    databases' rows compare alike)."""
    names = [field.attname for field in _fields(model)]
    return model._base_manager.using(alias).order_by().values_list(*names).iterator(BATCH)


def _copy(model, source, target, report):
    """Insert the rows as they are: raw INSERTs, so auto_now fields and save() logic
    never change a value."""
    connection = connections[target]
    quote = connection.ops.quote_name
    fields = _fields(model)
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in _rows(model, source):
            batch.append(
                [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
            )
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    report(f"{model._meta.db_table}: {count} rows")
    return count


def _reset_sequences(alias, models):
    connection = connections[alias]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _compare(models, source, target):
    found = []
    for model in models:
        table = model._meta.db_table
        want = {table: tables.summarise(_rows(model, source))}
        got = {table: tables.summarise(_rows(model, target))}
        found += tables.differences(want, got)
    if found:
        raise BackupError(
            "The copy does not match the source, so it was rolled back: " + "; ".join(found)
        )
