"""SQLite tuning for each new connection: WAL, so readers never wait for the writer.
SQLite's default synchronous=FULL stays: with WAL, NORMAL could lose the last requests
patients were thanked for if the machine loses power.

WAL is not set through the connection's init_command: switching a file to WAL needs it for
a moment alone, and SQLite answers "database is locked" at once, without the busy timeout,
when several processes open a new file together (gunicorn workers starting). Here the
switch is made only when the file is not in WAL yet (it stays so), and retried for as long
as the busy timeout allows.
"""

import time

from django.db import OperationalError


def tune_connection(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    patience = connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)
    deadline = time.monotonic() + patience
    with connection.cursor() as cursor:
        while True:
            try:
                cursor.execute("PRAGMA journal_mode")
                if cursor.fetchone()[0] in ("wal", "memory"):
                    return
                cursor.execute("PRAGMA journal_mode=WAL")
                return
            except OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
