"""Staff enter opening hours and closure dates inline on the location; bad rows are refused."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from location_admin_forms import location_admin_data

from pages.models import Location

pytestmark = pytest.mark.django_db


def post(admin_client, **fields):
    return admin_client.post(reverse("admin:pages_location_add"), location_admin_data(**fields))


def test_hours_with_a_lunch_break_and_a_closure_are_saved(admin_client):
    response = post(
        admin_client,
        postal_code="68046",
        phone="402 555 0100",
        hours_rows=[(0, "08:00", "12:00"), (0, "13:00", "17:00"), (5, "22:00", "02:00")],
        closure_dates=["2026-12-25"],
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    location = Location.objects.get(slug="papillion")
    assert location.phone == "+14025550100"
    assert location.latitude is not None
    schedule = location.schedule()
    assert len(schedule.intervals) == 3
    assert schedule.closed_dates == {datetime.date(2026, 12, 25)}


def test_overlapping_rows_are_refused_and_nothing_is_saved(admin_client):
    response = post(admin_client, hours_rows=[(2, "08:00", "12:30"), (2, "12:00", "17:00")])
    assert response.status_code == 200
    assert "These opening hours overlap" in response.content.decode()
    assert not Location.objects.filter(slug="papillion").exists()


def test_an_overnight_row_overlapping_the_next_morning_is_refused(admin_client):
    response = post(admin_client, hours_rows=[(6, "20:00", "03:00"), (0, "02:00", "09:00")])
    assert response.status_code == 200
    assert "These opening hours overlap" in response.content.decode()


def test_same_opening_and_closing_time_is_refused(admin_client):
    response = post(admin_client, hours_rows=[(1, "09:00", "09:00")])
    assert response.status_code == 200
    assert "Opening and closing times are the same" in response.content.decode()


def test_the_same_closure_date_twice_is_refused(admin_client):
    response = post(admin_client, closure_dates=["2026-07-04", "2026-07-04"])
    assert response.status_code == 200
    assert not Location.objects.filter(slug="papillion").exists()


def test_bad_zip_state_and_phone_are_refused_in_the_admin(admin_client):
    response = post(admin_client, postal_code="1234", state="ZZ", phone="call us")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"postal_code", "state", "phone"} <= set(errors)


def test_admin_list_shows_phones_in_national_format(admin_client, bellevue):
    bellevue.phone = "+14025550100"
    bellevue.save()
    html = admin_client.get(reverse("admin:pages_location_changelist")).content.decode()
    assert "(402) 555-0100" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_keeps_the_old_free_text_in_staff_notes_to_the_character():
    executor = MigrationExecutor(connection)
    executor.migrate([("pages", "0003_structured_contact_and_hours")])
    old_apps = executor.loader.project_state([("pages", "0003_structured_contact_and_hours")]).apps
    OldLocation = old_apps.get_model("pages", "Location")
    address = "  1 Example Street\r\nSuite 5 — “back door”\n\n"
    hours = "Mon–Fri 8–5\nSat: by appointment ☺"
    OldLocation.objects.create(
        name="Oldtown", slug="oldtown", address=address, hours=hours, phone="(402) 555-0100 ext"
    )
    OldLocation.objects.create(name="Numberonly", slug="numberonly", phone="402.555.0100")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Every app back to its latest migration: going back to pages 0003 also unapplied the
    # apps that depend on pages (staff, consultations, appointments...).
    executor.migrate(executor.loader.graph.leaf_nodes())
    old = Location.objects.get(slug="oldtown")
    assert address in old.staff_notes and hours in old.staff_notes
    assert "(402) 555-0100 ext" in old.staff_notes
    assert old.phone == ""  # not one valid number: staff re-enter it
    number = Location.objects.get(slug="numberonly")
    assert number.phone == "+14025550100"
    assert "402.555.0100" in number.staff_notes


def test_change_page_shows_the_hours_and_closure_inlines(admin_client, bellevue):
    bellevue.opening_hours.create(weekday=0, opens=datetime.time(8), closes=datetime.time(17))
    url = reverse("admin:pages_location_change", args=[bellevue.pk])
    html = admin_client.get(url).content.decode()
    assert "Opening hours (one row per opening period" in html
    assert "Closure dates (holidays)" in html
    assert 'name="opening_hours-0-opens" value="08:00:00"' in html
    assert "Staff notes (never shown to patients)" in html
