"""The restore drill: back up while a writer keeps adding requests, lose the database,
restore, and find every row committed before the snapshot exactly as it was."""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connections

from backups import archive, crypto
from tests.backups.drill import add_request, model_named, seed, snapshot_rows

# On PostgreSQL the backup and restore run pg_dump and pg_restore.
pytestmark = pytest.mark.process


class Writer(threading.Thread):
    """Adds a request at a time, as patients would, until stopped; `ids` are the ones
    committed (create() returns after the commit)."""

    def __init__(self, alias, location):
        super().__init__(daemon=True)
        self.alias, self.location = alias, location
        self.ids, self.stopping, self.error = [], threading.Event(), None

    def run(self):
        try:
            n = 100
            while not self.stopping.is_set():
                n += 1
                self.ids.append(add_request(self.alias, self.location, "Łukasz", f"Ærø {n}", n).pk)
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            connections[self.alias].close()

    def wait_for(self, count):
        deadline = time.monotonic() + 30
        while len(self.ids) < count and time.monotonic() < deadline and self.error is None:
            time.sleep(0.01)

    def stop(self):
        self.stopping.set()
        self.join(30)
        assert self.error is None, self.error


def test_every_row_committed_before_the_snapshot_is_restored_identical(
    scratch, backup_key, backup_dir
):
    seed(scratch.alias)
    Location = model_named("Location")
    writer = Writer(scratch.alias, Location.objects.using(scratch.alias).get(slug="omaha"))
    writer.start()
    writer.wait_for(5)
    committed_before = set(writer.ids)
    call_command("backup", database=scratch.alias, stdout=io.StringIO())
    writer.wait_for(len(committed_before) + 5)  # and it kept writing after the snapshot
    writer.stop()
    live = snapshot_rows(scratch.alias)
    [path] = archive.backups_in(backup_dir)

    scratch.drop()  # the disk is lost
    scratch.create()
    out = io.StringIO()
    call_command("restore", str(path), database=scratch.alias, stdout=out)

    restored = snapshot_rows(scratch.alias)
    requests = model_named("ConsultationRequest")._meta.db_table
    assert committed_before <= set(restored[requests])
    assert len(restored[requests]) < len(live[requests])  # later rows are not invented
    for table, rows in restored.items():
        assert {pk: live[table][pk] for pk in rows} == rows, table
        if table != requests:
            assert rows == live[table], table
    names = {(row[2], row[3]) for row in restored[requests].values()}
    assert ("Zoë", "Ñúñez-Ødegård") in names and ("李", "小龍") in names
    assert "row counts match" in out.getvalue()


def test_a_fresh_request_after_the_restore_gets_a_new_id(scratch, backup_key, backup_dir):
    seed(scratch.alias)
    call_command("backup", database=scratch.alias, stdout=io.StringIO())
    [path] = archive.backups_in(backup_dir)
    scratch.drop()
    scratch.create()
    call_command("restore", str(path), database=scratch.alias, stdout=io.StringIO())

    Request = model_named("ConsultationRequest")
    highest = Request.objects.using(scratch.alias).order_by("-pk").first()
    fresh = add_request(scratch.alias, highest.location, "Nuevo", "Paciente", 999)
    assert fresh.pk > highest.pk


def test_no_backup_file_holds_a_readable_patient_name(scratch, backup_key, backup_dir):
    seed(scratch.alias)
    call_command("backup", database=scratch.alias, stdout=io.StringIO())
    # --replace writes a safety copy of the live database: it is encrypted too.
    [path] = archive.backups_in(backup_dir)
    call_command("restore", str(path), "--replace", database=scratch.alias, stdout=io.StringIO())

    files = [p for p in backup_dir.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".backup", ".json"}
    assert len([p for p in files if p.suffix == ".backup"]) == 2
    for file in files:
        data = file.read_bytes()
        for first, last in [("Zoë", "Ñúñez-Ødegård"), ("李", "小龍")]:
            for word in (first, last, "Zürich", "patient1@example.invalid"):
                for encoding in ("utf-8", "utf-16-le"):
                    needle = word.encode(encoding)
                    # Shorter byte strings turn up in any random ciphertext by chance.
                    if len(needle) >= 4:
                        assert needle not in data, (file.name, word, encoding)


def test_the_key_never_appears_in_what_the_commands_print(scratch, backup_key, backup_dir, caplog):
    seed(scratch.alias)
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", database=scratch.alias, verbosity=2, stdout=out, stderr=err)
    [path] = archive.backups_in(backup_dir)
    call_command("verify_backup", str(path), database=scratch.alias, verbosity=2, stdout=out)
    printed = out.getvalue() + err.getvalue() + caplog.text
    assert "restores as recorded" in printed
    assert backup_key not in printed
    assert crypto.parse_key(backup_key).hex() not in printed
