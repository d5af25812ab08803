"""Row counts and checksums of whole tables, and the schema version a database is at.

A table's checksum is the sum (mod 2**256) of one SHA-256 per row, so it does not depend on
the order rows come back in (SQLite and PostgreSQL sort text differently). Values are
written canonically first (dates in ISO form, JSON with sorted keys, bytes in hex), so the
same rows read through Django on SQLite and on PostgreSQL give the same checksum.
"""

import datetime
import decimal
import hashlib
import json
import uuid

MODULUS = 2**256
FETCH = 2000


def canonical(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return "d:" + str(value.normalize())
    if isinstance(value, bytes | bytearray | memoryview):
        return "b:" + bytes(value).hex()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return f"t:{value.total_seconds()!r}"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return "j:" + json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def row_digest(row):
    encoded = json.dumps([canonical(v) for v in row], ensure_ascii=False, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(encoded.encode("utf-8")).digest(), "big")


def summarise(rows):
    """{"rows": n, "sha256": hex} of an iterable of row tuples."""
    count, total = 0, 0
    for row in rows:
        count += 1
        total = (total + row_digest(row)) % MODULUS
    return {"rows": count, "sha256": f"{total:064x}"}


def fetch_all(cursor, sql):
    cursor.execute(sql)
    while rows := cursor.fetchmany(FETCH):
        yield from rows


def table_stats(cursor, tables, quote, *, checksums=True):
    """{table: {"rows": n, "sha256": hex}} read with a DB-API cursor (every column)."""
    stats = {}
    for table in sorted(tables):
        if checksums:
            stats[table] = summarise(fetch_all(cursor, f"SELECT * FROM {quote(table)}"))  # noqa: S608
        else:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
            stats[table] = {"rows": cursor.fetchone()[0]}
    return stats


def schema_version(cursor, tables):
    """The latest applied migration of each app ({} for a database Django never migrated)."""
    if "django_migrations" not in tables:
        return {}
    latest = {}
    for app, name in fetch_all(cursor, "SELECT app, name FROM django_migrations ORDER BY id"):
        latest[app] = name
    return latest


def differences(expected, actual, *, checksums=True):
    """What differs between two table summaries, in words (empty when they agree)."""
    found = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None or got is None:
            found.append(f"{table}: {'missing' if got is None else 'not in the backup'}")
        elif want["rows"] != got["rows"]:
            found.append(f"{table}: {got['rows']} rows, expected {want['rows']}")
        elif checksums and want.get("sha256") != got.get("sha256"):
            found.append(f"{table}: same row count but different contents")
    return found
