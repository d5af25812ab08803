"""The backup command itself: a key to generate, none to write without, old backups pruned,
quiet in cron, PostgreSQL client tools named when missing or too old, and /healthz saying
when the last backup is stale (a warning, not an outage)."""

import io
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from backups import archive, crypto
from tests.backups.drill import seed


def test_generate_key_prints_a_usable_new_key_each_time():
    keys = set()
    for _ in range(2):
        out = io.StringIO()
        call_command("backup", "--generate-key", stdout=out)
        keys.add(out.getvalue().strip())
    assert len(keys) == 2
    assert all(len(crypto.parse_key(key)) == 32 for key in keys)


def test_backup_refuses_to_write_without_a_key(scratch, settings, backup_dir):
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="Set the BACKUP_KEY"):
        call_command("backup", database=scratch.alias)
    assert not backup_dir.exists() or not any(backup_dir.iterdir())


def test_backup_is_quiet_in_cron_and_keeps_only_the_newest(
    scratch, backup_key, backup_dir, settings
):
    settings.BACKUP_RETENTION = 2
    seed(scratch.alias)
    made = []
    for _ in range(3):
        out, err = io.StringIO(), io.StringIO()
        call_command("backup", database=scratch.alias, stdout=out, stderr=err)
        assert out.getvalue() == err.getvalue() == ""  # not a terminal: cron mails nothing
        made.append(archive.backups_in(backup_dir)[-1])
    assert archive.backups_in(backup_dir) == made[1:]
    marker = json.loads((backup_dir / "last-backup.json").read_text())
    assert marker["file"] == made[-1].name
    assert not [p for p in backup_dir.iterdir() if p.name.startswith(".")]  # no leftovers


@pytest.mark.process
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
)
def test_a_missing_pg_dump_is_named(scratch, backup_key, backup_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CommandError, match=r"pg_dump was not found.*postgresql-client"):
        call_command("backup", database=scratch.alias)


@pytest.mark.process
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
)
def test_a_pg_dump_older_than_the_server_is_refused(
    scratch, backup_key, backup_dir, monkeypatch, tmp_path
):
    tools = tmp_path / "old-client"
    tools.mkdir()
    old = tools / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(CommandError, match=r"pg_dump 9 is older than the PostgreSQL \d+ server"):
        call_command("backup", database=scratch.alias)
    assert not any(backup_dir.iterdir())


@pytest.fixture
def health(client, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_MAX_AGE_HOURS = 26

    def get(finished=None):
        if finished is not None:
            (tmp_path / archive.MARKER).write_text(json.dumps({"finished_at": finished}))
        response = client.get("/healthz")
        return response.status_code, response.json()

    return get


@pytest.mark.django_db
def test_healthz_warns_but_stays_up_when_the_last_backup_is_stale(health):
    stale = (datetime.now(UTC) - timedelta(hours=27)).isoformat()
    status, body = health(stale)
    assert status == 200
    assert body["status"] == "warning"
    assert body["backup"] == "stale"
    assert body["last_backup_at"] == stale
    assert body["database"] == body["cache"] == "ok"


@pytest.mark.django_db
def test_healthz_is_ok_with_a_recent_backup(health):
    status, body = health((datetime.now(UTC) - timedelta(hours=1)).isoformat())
    assert (status, body["status"], body["backup"]) == (200, "ok", "ok")


@pytest.mark.django_db
def test_healthz_warns_when_no_backup_was_ever_made(health):
    status, body = health()
    assert (status, body["status"], body["backup"]) == (200, "warning", "missing")


@pytest.mark.django_db
def test_healthz_says_nothing_of_backups_when_the_check_is_off(health, settings):
    settings.BACKUP_MAX_AGE_HOURS = 0
    status, body = health()
    assert (status, body["status"]) == (200, "ok")
    assert "backup" not in body


@pytest.mark.django_db
def test_healthz_after_a_real_backup_is_ok(client, settings, scratch, backup_key, backup_dir):
    settings.BACKUP_MAX_AGE_HOURS = 26
    call_command("backup", database=scratch.alias, stdout=io.StringIO())
    body = client.get("/healthz").json()
    assert (body["status"], body["backup"]) == ("ok", "ok")
