"""One writer process for test_sqlite_concurrency.py (run by it, not by pytest).

Usage: python sqlite_writer.py MODE RUN_DIR ROUNDS
Uses the site's own settings, so DATABASE_URL must name a SQLite file. Each round is one
transaction that reads a counter and writes it back one higher, the pattern that fails
with "database is locked" when two writers both start reading. MODE "deferred" swaps in
SQLite's default transaction mode, to show the test would catch that failure.
Prints one JSON line: the journal mode and how many rounds failed as locked.
"""

import json
import os
import sys
import time
from pathlib import Path

import django


def wait_for_go(run_dir):
    """Say ready, then wait until every writer is ready, so they all write at once."""
    (run_dir / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 60
    while not (run_dir / "go").exists():
        if time.monotonic() > deadline:
            sys.exit("never told to go")
        time.sleep(0.005)


def main(mode, run_dir, rounds):
    from django.conf import settings

    if mode == "deferred":
        settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = "DEFERRED"
    django.setup()
    from django.db import OperationalError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]

    wait_for_go(run_dir)
    locked = 0
    for _ in range(rounds):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter WHERE id = 1")
                (n,) = cursor.fetchone()
                time.sleep(0.005)  # others get to start their own round meanwhile
                cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            locked += 1
    print(json.dumps({"journal_mode": journal_mode, "locked": locked}))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
