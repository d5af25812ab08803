"""One winner, enforced by the database: many processes book the same time at once,
against one database (a file for SQLite, the test database on PostgreSQL)."""

import datetime
import io
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from appointments import services
from appointments.models import AppointmentType, Booking, BookingSeat
from pages.models import Location
from tests.appointments.booking_helpers import details

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("booking_worker.py")
ZONE = "America/Chicago"

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]


def database_env(tmp_path):
    """Workers' DATABASE_URL, and a function to run setup code in that database."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host = settings_dict["USER"], settings_dict["HOST"] or "127.0.0.1"
        url = f"postgres://{user}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    else:
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "modsite.settings.test"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "modsite.settings.test",
        "PYTHONPATH": str(ROOT),
    }


def setup_in(env, capacity, minutes=30, name="Race"):
    """Make a clinic and a type in the workers' database; returns (type pk, a start)."""
    code = f"""
import django, datetime, zoneinfo; django.setup()
from django.core.management import call_command
from pages.models import Location
from appointments.models import AppointmentType
loc, _ = Location.objects.get_or_create(slug="race", defaults=dict(name="Race", time_zone="{ZONE}"))
call_command("set_booking_hours", "race", "Mon-Sun 09:00-17:00", "--type={name}",
             "--minutes={minutes}", "--step=30", "--capacity={capacity}", "--notice-hours=0",
             stdout=open("/dev/null", "w"))
kind = AppointmentType.objects.get(location=loc, name_en="{name}")
zone = zoneinfo.ZoneInfo("{ZONE}")
day = datetime.datetime.now(zone).date() + datetime.timedelta(days=3)
print(kind.pk, datetime.datetime.combine(day, datetime.time(10), tzinfo=zone).isoformat())
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), out[1]


def race(env, tmp_path, jobs):
    """Start every job (args for the worker) at once; return their outcomes."""
    run_dir = tmp_path / f"run-{uuid.uuid4().hex[:6]}"
    run_dir.mkdir()
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(run_dir), *job],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    deadline = time.monotonic() + 240
    while len(list(run_dir.glob("ready-*"))) < len(jobs) and time.monotonic() < deadline:
        time.sleep(0.05)
    (run_dir / "go").touch()
    outcomes = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    return outcomes


def rows(env, sql):
    code = f"""
import django; django.setup()
from django.db import connection
with connection.cursor() as c:
    c.execute({sql!r}); print(c.fetchone()[0])
"""
    return int(
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )


@pytest.mark.parametrize("capacity", [1, 2])
def test_fifty_processes_book_one_slot_and_only_capacity_win(tmp_path, capacity):
    env = database_env(tmp_path)
    type_pk, start = setup_in(env, capacity)
    outcomes = race(env, tmp_path, [("book", str(type_pk), start)] * 50)

    assert sum(o["booked"] for o in outcomes) == capacity
    losers = [o for o in outcomes if not o["booked"]]
    assert {o["reason"] for o in losers} == {"full"}
    assert all(o["alternatives"] > 0 for o in losers)
    assert rows(env, "SELECT COUNT(*) FROM appointments_booking") == capacity


def test_a_long_and_a_short_booking_that_overlap_cannot_both_win(tmp_path):
    env = database_env(tmp_path)
    long_pk, start = setup_in(env, 1, minutes=60, name="Long")
    short_pk, _ = setup_in(env, 1, minutes=30, name="Short")
    later = (datetime.datetime.fromisoformat(start) + datetime.timedelta(minutes=30)).isoformat()
    jobs = [("book", str(long_pk), start), ("book", str(short_pk), later)] * 10
    outcomes = race(env, tmp_path, jobs)

    assert sum(o["booked"] for o in outcomes) == 1


def test_a_double_submit_books_once(tmp_path):
    env = database_env(tmp_path)
    type_pk, start = setup_in(env, 3)
    submission = str(uuid.uuid4())
    outcomes = race(env, tmp_path, [("book", str(type_pk), start, submission)] * 10)

    assert sum(o["booked"] for o in outcomes) == 1
    assert {o.get("reason") for o in outcomes if not o["booked"]} == {"already"}


def test_a_reschedule_racing_a_new_booking_leaves_one_holder(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite: covered by the same code path in the booking races above")
    location = Location.objects.create(name="Move race", slug="move-race", time_zone=ZONE)
    call_command(
        "set_booking_hours",
        location.slug,
        "Mon-Sun 09:00-17:00",
        "--notice-hours=0",
        stdout=io.StringIO(),
    )
    kind = AppointmentType.objects.get(location=location)
    day = datetime.date.today() + datetime.timedelta(days=3)
    first = datetime.datetime.combine(day, datetime.time(9), tzinfo=location.zone)
    target = first + datetime.timedelta(hours=2)
    booking, _ = services.book(kind, first, details(), uuid.uuid4())
    env = database_env(tmp_path)
    jobs = [("move", str(kind.pk), target.isoformat(), str(booking.pk))] + [
        ("book", str(kind.pk), target.isoformat())
    ] * 9
    outcomes = race(env, tmp_path, jobs)

    assert sum(o["booked"] for o in outcomes) == 1
    assert Booking.objects.filter(starts_at=target).count() + (
        1 if Booking.objects.get(pk=booking.pk).starts_at == target else 0
    ) in (1, 2)
    holders = BookingSeat.objects.filter(unit=target).values_list("booking_id", flat=True)
    assert len(set(holders)) == 1
