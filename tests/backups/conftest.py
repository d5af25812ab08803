"""Backup fixtures: a scratch database of the kind the suite runs on (a SQLite file, or a
new PostgreSQL database on the same server), seeded with clinics, requests with Unicode
names, audit and outbox rows; a key; a folder for the backups.

The backup commands work on whole databases, so they get their own database rather than
the test database (whose tests run inside a transaction)."""

import pytest

from backups import aliases, crypto
from tests.backups.drill import new_scratch, postgres_url


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory, django_db_blocker):
    """One migrated database per kind, made once (`migrate` takes seconds); each test
    copies it."""
    made = {}

    def template(kind):
        if kind not in made:
            made[kind] = new_scratch(tmp_path_factory.mktemp("template"), kind)
            aliases.migrate(made[kind].url)
        return made[kind]

    yield template
    with django_db_blocker.unblock():
        for scratch in made.values():
            scratch.drop()
            scratch.remove_alias()


@pytest.fixture
def make_scratch(tmp_path, django_db_blocker, migrated_templates):
    """make_scratch(kind=None, migrate=True) -> a scratch database, migrated (with the two
    seeded clinics) or empty; kind is "sqlite" or "postgresql" (default: what the suite
    runs on)."""
    made = []

    def make(kind=None, migrate=True):
        kind = kind or ("postgresql" if postgres_url() else "sqlite")
        template = migrated_templates(kind) if migrate else None
        scratch = new_scratch(tmp_path, kind, template)
        made.append(scratch)
        return scratch

    with django_db_blocker.unblock():
        yield make
        for scratch in made:
            scratch.drop()
            scratch.remove_alias()


@pytest.fixture
def scratch(make_scratch):
    return make_scratch()


@pytest.fixture
def backup_key(settings):
    settings.BACKUP_KEY = crypto.generate_key()
    return settings.BACKUP_KEY


@pytest.fixture
def backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_RETENTION = 14
    return settings.BACKUP_DIR
