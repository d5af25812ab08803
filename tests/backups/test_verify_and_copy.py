"""verify_backup restores into a throwaway database and checks every table against the
manifest, leaving the live one alone; copy_database moves a seeded SQLite site to a fresh
PostgreSQL database with identical rows and working sequences."""

import io
from urllib.parse import urlsplit

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from backups import aliases, archive, operations
from tests.backups.drill import add_request, model_named, postgres_url, seed, snapshot_rows

pytestmark = pytest.mark.process  # pg_dump, pg_restore and migrate run as processes


def database_names():
    server = urlsplit(postgres_url())._replace(path="/postgres").geturl()
    with psycopg.connect(server) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_verify_backup_checks_a_throwaway_copy_and_leaves_the_live_database_alone(
    scratch, backup_key, backup_dir
):
    seed(scratch.alias)
    call_command("backup", database=scratch.alias, stdout=io.StringIO())
    [path] = archive.backups_in(backup_dir)
    before = snapshot_rows(scratch.alias)
    databases_before = database_names() if scratch.is_postgres else None

    out = io.StringIO()
    call_command("verify_backup", str(path), database=scratch.alias, verbosity=2, stdout=out)

    assert "restores as recorded" in out.getvalue()
    assert snapshot_rows(scratch.alias) == before
    if scratch.is_postgres:
        assert database_names() == databases_before  # the throwaway one is gone
    assert {p.name for p in backup_dir.iterdir()} == {path.name, "last-backup.json"}


def test_verify_backup_reports_a_table_that_does_not_match_its_manifest(
    scratch, backup_key, backup_dir
):
    """The manifest is authenticated, so a backup that disagrees with it can only come
    from a faulty snapshot: made here by recording a row count the snapshot lacks."""
    seed(scratch.alias)
    _, module = operations.engine(scratch.alias)
    original = module.snapshot

    def snapshot_then_lose_a_row(alias, target):
        schema, stats = original(alias, target)
        stats["pages_location"] = {**stats["pages_location"], "rows": 99}
        return schema, stats

    module.snapshot = snapshot_then_lose_a_row
    try:
        path, _ = operations.make_backup(scratch.alias, backup_dir, operations.key_from_settings())
    finally:
        module.snapshot = original
    with pytest.raises(CommandError, match="pages_location: 3 rows, expected 99"):
        call_command("verify_backup", str(path), database=scratch.alias, stdout=io.StringIO())


@pytest.mark.skipif(not postgres_url(), reason="needs the PostgreSQL server (DATABASE_URL)")
def test_copy_database_moves_sqlite_to_a_fresh_postgresql_with_identical_rows(make_scratch):
    source = make_scratch("sqlite")
    target = make_scratch("postgresql", migrate=False)
    seed(source.alias)
    out = io.StringIO()
    call_command("copy_database", "--to", target.url, database=source.alias, stdout=out)

    assert "checksum match" in out.getvalue()
    assert snapshot_rows(target.alias) == snapshot_rows(source.alias)
    Request = model_named("ConsultationRequest")
    highest = Request.objects.using(target.alias).order_by("-pk").first()
    fresh = add_request(target.alias, highest.location, "Nueva", "Después", 500)
    assert fresh.pk == highest.pk + 1  # the sequence was set past the copied ids
    event = model_named("AuditEvent").objects.using(target.alias).get()
    assert event.filters == {"status": ["new"], "ort": "Zürich"}
    source_event = model_named("AuditEvent").objects.using(source.alias).get()
    assert set(event.locations.all()) == set(source_event.locations.all())


@pytest.mark.skipif(not postgres_url(), reason="needs the PostgreSQL server (DATABASE_URL)")
def test_copy_database_refuses_a_target_that_is_not_empty(make_scratch):
    source = make_scratch("sqlite")
    target = make_scratch("postgresql")  # migrated: has tables and the seeded clinics
    seed(source.alias)
    before = snapshot_rows(target.alias)
    with pytest.raises(CommandError, match="not empty"):
        call_command("copy_database", "--to", target.url, database=source.alias)
    assert snapshot_rows(target.alias) == before


def test_copy_database_refuses_the_sites_own_database(scratch):
    settings_dict = connections[scratch.alias].settings_dict
    url = scratch.url if scratch.is_postgres else f"sqlite:///{settings_dict['NAME']}"
    with pytest.raises(CommandError, match=r"not empty|own database"):
        call_command("copy_database", "--to", url, database=scratch.alias)
    assert aliases.tables_with_rows(scratch.alias)
