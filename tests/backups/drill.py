"""Helpers for the backup tests: scratch databases, seeding, reading every row."""

import os
import secrets
import shutil
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import psycopg
from django.apps import apps
from django.db import connections
from psycopg import sql

from backups import copying

UNICODE_NAMES = [
    ("Zoë", "Ñúñez-Ødegård"),
    ("李", "小龍"),
    ("José", "D’Ángelo"),
    ("Amélie", "Ωmega"),
]


def model_named(name):
    """A model by class name, wherever it lives (some move from consultations to staff)."""
    return next(model for model in apps.get_models() if model.__name__ == name)


def postgres_url():
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


class Scratch:
    """A database with an alias, which a test may drop and make again."""

    def __init__(self, url, folder):
        self.url, self.folder = url, folder
        self.name = urlsplit(url).path.lstrip("/")
        self.path = url.removeprefix("sqlite:///")
        settings_dict = copying.target_settings(url)
        if settings_dict["ENGINE"].endswith("sqlite3"):
            settings_dict["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
        self.alias = f"scratch_{uuid.uuid4().hex[:6]}"
        connections.settings[self.alias] = settings_dict

    @property
    def is_postgres(self):
        return self.url.startswith("postgres")

    def _admin(self):
        admin = urlsplit(self.url)._replace(path="/postgres").geturl()
        return psycopg.connect(admin, autocommit=True)

    def create(self, template=None):
        """An empty database, or a copy of `template` (a migrated Scratch)."""
        if not self.is_postgres:
            if template is not None:
                shutil.copyfile(template.path, self.path)
            return
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template.name))
        with self._admin() as conn:
            conn.execute(statement)

    def drop(self):
        connections[self.alias].close()
        if self.is_postgres:
            with self._admin() as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.name)
                    )
                )
        else:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.unlink(self.path + suffix)

    def remove_alias(self):
        connections[self.alias].close()
        del connections[self.alias]
        del connections.settings[self.alias]


def new_scratch(tmp_path, kind, template=None):
    if kind == "postgresql":
        parts = urlsplit(postgres_url())
        name = f"{parts.path.lstrip('/')[:30]}_drill_{secrets.token_hex(4)}"
        url = parts._replace(path=f"/{name}").geturl()
    else:
        url = f"sqlite:///{tmp_path / f'site-{secrets.token_hex(3)}.sqlite3'}"
    scratch = Scratch(url, tmp_path)
    scratch.create(template)
    return scratch


def add_request(alias, location, first, last, n):
    Request = model_named("ConsultationRequest")
    return Request.objects.using(alias).create(
        location=location,
        first_name=first,
        last_name=last,
        email=f"patient{n}@example.invalid",
        contact_method="email",
        topic="isotretinoin",
        patient_type="new",
        message=f"Nachricht {n}: über Zürich",
        consent_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    )


def seed(alias):
    """Clinics, requests with Unicode names, their outbox rows, and audit events."""
    Location = model_named("Location")
    Outbox, Audit = model_named("NotificationOutbox"), model_named("AuditEvent")
    # bulk_create: Location's save() signals refresh caches through the default database.
    Location.objects.using(alias).bulk_create([Location(name="Omaha – Ñandú", slug="omaha")])
    omaha = Location.objects.using(alias).get(slug="omaha")
    clinics = [*Location.objects.using(alias).all()]
    requests = [
        add_request(alias, clinics[n % len(clinics)], first, last, n)
        for n, (first, last) in enumerate(UNICODE_NAMES)
    ]
    for item in requests:
        Outbox.objects.db_manager(alias).create_for(item)
    event = Audit.objects.using(alias).create(
        action="search",
        username="frontdesk",
        record_type="consultations.consultationrequest",
        object_ids=[r.pk for r in requests],
        search="Zoë Ñúñez",
        filters={"status": ["new"], "ort": "Zürich"},
        count=len(requests),
    )
    event.locations.set([omaha, clinics[0]])
    return requests


def snapshot_rows(alias):
    """{table: {pk: row values}} of every model's table, through the ORM."""
    found = {}
    for model in copying.model_tables():
        names = [field.attname for field in model._meta.concrete_fields]
        rows = model._base_manager.using(alias).values_list(*names)
        found[model._meta.db_table] = {row[0]: row for row in rows}
    return found
