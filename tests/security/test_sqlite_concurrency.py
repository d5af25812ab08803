"""SQLite, the embedded default, must let concurrent writers wait their turn.

Several processes, each with the site's own database settings, write to one SQLite file
at the same time. With WAL, the busy timeout and IMMEDIATE transactions, none fails and
no update is lost; with SQLite's default (deferred) transactions the same work fails."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.process  # writer processes

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("sqlite_writer.py")
PROCESSES = 8
ROUNDS = 25


def run_writers(db_path, mode):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    conn.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
    conn.commit()
    conn.close()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "modsite.settings.test",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "PYTHONPATH": str(ROOT),
    }
    run_dir = db_path.parent / f"{mode}-run"
    run_dir.mkdir()
    writers = [
        subprocess.Popen(
            [sys.executable, str(WRITER), mode, str(run_dir), str(ROUNDS)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    deadline = time.monotonic() + 60
    while len(list(run_dir.glob("ready-*"))) < PROCESSES and time.monotonic() < deadline:
        time.sleep(0.01)
    (run_dir / "go").touch()
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    conn = sqlite3.connect(db_path)
    (total,) = conn.execute("SELECT n FROM counter WHERE id = 1").fetchone()
    conn.close()
    return results, total


def test_concurrent_writers_wait_instead_of_failing(tmp_path):
    results, total = run_writers(tmp_path / "site.sqlite3", "site")

    assert {r["journal_mode"] for r in results} == {"wal"}
    assert sum(r["locked"] for r in results) == 0
    assert total == PROCESSES * ROUNDS  # no update lost


def test_sqlite_default_transactions_would_fail_the_same_work(tmp_path):
    # The control: proves the workload really collides, so the test above can fail.
    results, total = run_writers(tmp_path / "deferred.sqlite3", "deferred")

    assert sum(r["locked"] for r in results) > 0
    assert total < PROCESSES * ROUNDS
