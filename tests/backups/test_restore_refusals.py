"""A backup that cannot be trusted is refused before anything is touched: wrong key,
a flipped byte, a truncated file, a backup from a newer schema, a database that holds data
without --replace. Each gives a clear message, and the live database and the backup folder
stay exactly as they were."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from backups import aliases, archive, crypto
from tests.backups.drill import add_request, model_named, seed, snapshot_rows

pytestmark = pytest.mark.process  # pg_dump on PostgreSQL


@pytest.fixture
def made(scratch, backup_key, backup_dir):
    """(scratch, backup path) of a seeded database, and a second seeded database state."""
    seed(scratch.alias)
    call_command("backup", database=scratch.alias, stdout=io.StringIO())
    [path] = archive.backups_in(backup_dir)
    return scratch, path


def refused(scratch, path, *, replace=True):
    """Run restore (with --replace, so only the file's checks can stop it); return the
    message, after checking that nothing changed."""
    before = snapshot_rows(scratch.alias)
    folder_before = sorted(p.name for p in path.parent.iterdir())
    args = [str(path), "--replace"] if replace else [str(path)]
    with pytest.raises(CommandError) as raised:
        call_command("restore", *args, database=scratch.alias, stdout=io.StringIO())
    assert snapshot_rows(scratch.alias) == before
    assert sorted(p.name for p in path.parent.iterdir()) == folder_before  # no safety copy
    return str(raised.value)


def test_a_backup_made_with_another_key_is_refused(made, settings):
    scratch, path = made
    settings.BACKUP_KEY = crypto.generate_key()
    message = refused(scratch, path)
    assert "different BACKUP_KEY" in message
    assert settings.BACKUP_KEY not in message


def test_a_missing_or_malformed_key_is_named_not_echoed(made, settings):
    scratch, path = made
    settings.BACKUP_KEY = ""
    assert "Set the BACKUP_KEY" in refused(scratch, path)
    settings.BACKUP_KEY = "not-a-key-at-all"
    message = refused(scratch, path)
    assert "BACKUP_KEY is not a key" in message and "not-a-key-at-all" not in message


@pytest.mark.parametrize("where", ["header", "first byte of data", "middle", "last byte"])
def test_a_flipped_byte_anywhere_is_refused(made, where):
    scratch, path = made
    data = bytearray(path.read_bytes())
    start = data.index(b'"manifest"')  # inside the header: a row count or a name
    position = {
        "header": data.index(b'"rows": ', start) + 8,
        "first byte of data": _data_start(data) + 4,
        "middle": (_data_start(data) + len(data)) // 2,
        "last byte": len(data) - 1,
    }[where]
    data[position] ^= 0x01
    path.write_bytes(bytes(data))
    assert "damaged" in refused(scratch, path)


def _data_start(data):
    header_length = int.from_bytes(data[len(archive.MAGIC) + 1 : len(archive.MAGIC) + 5], "big")
    return len(archive.MAGIC) + 5 + header_length


@pytest.mark.parametrize("keep", ["half", "all but one byte", "header only", "nothing"])
def test_a_truncated_file_is_refused(made, keep):
    scratch, path = made
    data = path.read_bytes()
    size = {
        "half": len(data) // 2,
        "all but one byte": len(data) - 1,
        "header only": _data_start(data),
        "nothing": 0,
    }[keep]
    path.write_bytes(data[:size])
    message = refused(scratch, path)
    assert "incomplete" in message or "not a backup file" in message


def test_a_file_cut_at_a_chunk_boundary_is_called_incomplete(made, monkeypatch, backup_dir):
    scratch, _ = made
    monkeypatch.setattr(crypto, "CHUNK_BYTES", 1024)  # many chunks from a small database
    call_command("backup", database=scratch.alias, stdout=io.StringIO())
    path = archive.backups_in(backup_dir)[-1]
    data = path.read_bytes()
    first_chunk = int.from_bytes(data[_data_start(data) : _data_start(data) + 4], "big")
    path.write_bytes(data[: _data_start(data) + 4 + first_chunk])
    assert "incomplete" in refused(scratch, path)


def test_a_backup_from_a_newer_schema_is_refused(scratch, backup_key, backup_dir):
    seed(scratch.alias)
    with connections[scratch.alias].cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('consultations', '9999_from_the_future', '2030-01-01 00:00:00')"
        )
    call_command("backup", database=scratch.alias, stdout=io.StringIO())
    [path] = archive.backups_in(backup_dir)
    message = refused(scratch, path)
    assert "newer version of the site" in message
    assert "consultations.9999_from_the_future" in message


def test_a_database_that_holds_data_is_replaced_only_with_replace(made):
    scratch, path = made
    message = refused(scratch, path, replace=False)
    assert "not empty" in message and "--replace" in message


def test_replace_keeps_a_safety_copy_that_restores_what_was_replaced(made, backup_dir):
    scratch, path = made
    omaha = model_named("Location").objects.using(scratch.alias).get(slug="omaha")
    later = add_request(scratch.alias, omaha, "Después", "Del Respaldo", 77)
    with_later = snapshot_rows(scratch.alias)
    out = io.StringIO()
    call_command("restore", str(path), "--replace", database=scratch.alias, stdout=out)
    [safety] = archive.backups_in(backup_dir, prefix="pre-restore")
    assert str(safety) in out.getvalue()
    table = later._meta.db_table
    assert later.pk not in snapshot_rows(scratch.alias)[table]

    call_command("restore", str(safety), "--replace", database=scratch.alias, stdout=out)
    assert snapshot_rows(scratch.alias) == with_later


def test_a_backup_file_of_another_kind_is_not_a_backup(scratch, backup_key, tmp_path):
    path = tmp_path / "notes.backup"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    message = refused(scratch, path)
    assert "not a backup file" in message
    assert not aliases.tables_with_rows(scratch.alias).get("consultations_consultationrequest")
