"""Response times: the default week and target settings, due times in each clinic's
business hours, time to first contact, and the dashboard/report figures with answers
worked out by hand."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import metrics, services
from consultations.models import ConsultationRequest
from pages import hours
from pages.models import ClosureDate, Location, OpeningHours

CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
ROOT = Path(__file__).resolve().parents[2]


def at(tz, *parts):
    return datetime(*parts, tzinfo=tz)


def week(text, tz=CHICAGO, closed=()):
    return hours.Schedule(tz, metrics.parse_week(text), frozenset(closed))


@pytest.fixture(autouse=True)
def _site_defaults(settings):
    settings.CONSULTATION_RESPONSE_TARGET_HOURS = "2"
    settings.CONSULTATION_DEFAULT_HOURS = "Mon-Fri 08:00-17:00"
    settings.TIME_ZONE = "America/Chicago"


# --- settings ------------------------------------------------------------------------


def test_default_week_reads_days_ranges_lists_and_lunch_breaks():
    intervals = metrics.parse_week("Mon-Thu 08:00-12:00,13:00-17:00; Sat,Sun 09:00-11:30")
    assert len(intervals) == 4 * 2 + 2
    assert hours.Interval(0, time(8), time(12)) in intervals
    assert hours.Interval(3, time(13), time(17)) in intervals
    assert hours.Interval(6, time(9), time(11, 30)) in intervals
    assert not any(i.weekday == 4 for i in intervals)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Mon-Fri",
        "Mon-Fry 08:00-17:00",
        "Fri-Mon 08:00-17:00",
        "Mon-Fri 8:00-17:00",
        "Mon-Fri 08:00-17:60",
        "Mon-Fri 08:00-08:00",
        "Mon-Fri 08:00 17:00",
        "weekdays 08:00-17:00",
    ],
)
def test_a_mistyped_default_week_is_refused_not_read_as_closed(text):
    with pytest.raises(ImproperlyConfigured, match="CONSULTATION_DEFAULT_HOURS"):
        metrics.parse_week(text)


@pytest.mark.parametrize("value", ["0", "-1", "two", "", "nan", "inf"])
def test_a_mistyped_target_is_refused(settings, value):
    settings.CONSULTATION_RESPONSE_TARGET_HOURS = value
    with pytest.raises(ImproperlyConfigured, match="CONSULTATION_RESPONSE_TARGET_HOURS"):
        metrics.check_settings()


@pytest.mark.process
@pytest.mark.parametrize(
    "variable, value",
    [("CONSULTATION_DEFAULT_HOURS", "Mon-Fri 8-5"), ("CONSULTATION_RESPONSE_TARGET_HOURS", "0")],
)
def test_the_site_does_not_start_with_a_mistyped_setting(variable, value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "modsite.settings.test", variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert variable in result.stderr


# --- due times -----------------------------------------------------------------------


def test_a_request_sent_while_open_is_due_two_business_hours_later(bellevue):
    tuesday_ten = at(CHICAGO, 2026, 11, 24, 10, 0)
    assert metrics.due_at(bellevue, tuesday_ten) == at(CHICAGO, 2026, 11, 24, 12, 0)


def test_the_clock_stops_at_closing_and_runs_on_next_morning(bellevue):
    tuesday_late = at(CHICAGO, 2026, 11, 24, 16, 0)
    assert metrics.due_at(bellevue, tuesday_late) == at(CHICAGO, 2026, 11, 25, 9, 0)


def test_a_request_sent_friday_night_is_due_monday_morning(bellevue):
    friday_night = at(CHICAGO, 2026, 11, 27, 21, 30)
    assert metrics.due_at(bellevue, friday_night) == at(CHICAGO, 2026, 11, 30, 10, 0)


def test_closed_days_and_lunch_breaks_do_not_count(bellevue):
    schedule = week("Mon-Fri 08:00-12:00,13:00-17:00", closed=[date(2026, 11, 30)])
    # Friday 11:00: one hour before lunch, and the second hour on Tuesday (Monday closed).
    friday = at(CHICAGO, 2026, 11, 27, 16, 30)
    assert metrics.due_at(bellevue, friday, schedule) == at(CHICAGO, 2026, 12, 1, 9, 30)
    tuesday = at(CHICAGO, 2026, 12, 1, 11, 0)
    assert metrics.due_at(bellevue, tuesday, schedule) == at(CHICAGO, 2026, 12, 1, 14, 0)


def test_an_overnight_clinic_is_open_past_midnight(bellevue):
    schedule = week("Mon-Sun 22:00-06:00")
    tuesday_five = at(CHICAGO, 2026, 11, 24, 5, 0)
    assert metrics.due_at(bellevue, tuesday_five, schedule) == at(CHICAGO, 2026, 11, 24, 23, 0)


def test_due_time_follows_each_clinics_time_zone(bellevue):
    sent = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 9:00 in New York, 6:00 in LA
    new_york = metrics.due_at(bellevue, sent, week("Mon-Fri 08:00-17:00", NEW_YORK))
    los_angeles = metrics.due_at(bellevue, sent, week("Mon-Fri 08:00-17:00", LOS_ANGELES))
    assert new_york == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert los_angeles == datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def test_a_weekend_with_a_clock_change_still_gives_two_business_hours(bellevue):
    # Clocks go forward on Sunday 8 March 2026: Friday is UTC-6, Monday UTC-5.
    friday_late = at(CHICAGO, 2026, 3, 6, 16, 0)
    due = metrics.due_at(bellevue, friday_late)
    assert due == at(CHICAGO, 2026, 3, 9, 9, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    business, clock = metrics.first_contact_minutes(
        metrics.schedule_for(bellevue), friday_late, due
    )
    assert (business, clock) == (120, 3 * 24 * 60 - 60 - 7 * 60)


def test_each_clinics_own_hours_closures_and_time_zone_set_its_due_times(make_location):
    seattle = make_location("Seattle", time_zone="America/Los_Angeles")
    for weekday in range(5):
        OpeningHours.objects.create(
            location=seattle, weekday=weekday, opens=time(9), closes=time(13)
        )
    ClosureDate.objects.create(location=seattle, date=date(2026, 11, 30))
    # Friday 12:00 in Seattle: one hour left, Monday closed, so the second hour is Tuesday.
    friday_noon = at(LOS_ANGELES, 2026, 11, 27, 12, 0)
    seattle = Location.objects.get(pk=seattle.pk)
    assert metrics.due_at(seattle, friday_noon) == at(LOS_ANGELES, 2026, 12, 1, 10, 0)


def test_a_location_can_set_its_own_target(bellevue):
    bellevue.response_target_hours = Decimal("0.5")
    tuesday_ten = at(CHICAGO, 2026, 11, 24, 10, 0)
    assert metrics.due_at(bellevue, tuesday_ten) == at(CHICAGO, 2026, 11, 24, 10, 30)


def test_the_site_wide_week_applies_where_no_hours_are_entered(settings, bellevue):
    settings.CONSULTATION_DEFAULT_HOURS = "Sat 09:00-12:00"
    tuesday_ten = at(CHICAGO, 2026, 11, 24, 10, 0)
    assert metrics.due_at(bellevue, tuesday_ten) == at(CHICAGO, 2026, 11, 28, 11, 0)


def test_stored_requests_get_their_due_time(client, valid_form_data, bellevue):
    response = client.post("/bellevue/consultation/", valid_form_data)
    assert response.status_code == 302
    request = ConsultationRequest.objects.get()
    assert request.due_at == metrics.due_at(bellevue, request.consent_at)
    assert request.due_at > request.created_at


def test_a_fault_in_the_due_time_never_costs_the_request(
    client, valid_form_data, monkeypatch, caplog
):
    def broken(location, received_at):
        raise RuntimeError("bad hours")

    monkeypatch.setattr(metrics, "due_at", broken)
    assert client.post("/bellevue/consultation/", valid_form_data).status_code == 302
    assert ConsultationRequest.objects.get().due_at is None
    assert "due time" in caplog.text


# --- first contact -------------------------------------------------------------------


def test_first_contact_is_timed_in_business_and_clock_minutes(make_timed_request):
    friday = at(CHICAGO, 2026, 11, 27, 16, 0)
    request = make_timed_request(friday)
    monday = at(CHICAGO, 2026, 11, 30, 9, 0)
    services.set_status(ConsultationRequest.objects.filter(pk=request.pk), "contacted")
    ConsultationRequest.objects.filter(pk=request.pk).update(first_contacted_at=None)
    metrics.stamp_first_contact(ConsultationRequest.objects.filter(pk=request.pk), monday)
    request.refresh_from_db()
    assert request.first_contacted_at == monday
    assert request.first_contact_business_minutes == 120
    assert request.first_contact_minutes == 2 * 24 * 60 + 17 * 60


def test_marking_contacted_stamps_the_time_once(make_timed_request):
    request = make_timed_request(at(CHICAGO, 2026, 11, 24, 9, 0))
    requests = ConsultationRequest.objects.filter(pk=request.pk)
    services.set_status(requests, "contacted")
    request.refresh_from_db()
    first = (request.first_contacted_at, request.first_contact_business_minutes)
    assert request.first_contact_minutes is not None and first[1] is not None
    services.set_status(requests, "new")
    services.set_status(requests, "contacted")
    request.refresh_from_db()
    assert (request.first_contacted_at, request.first_contact_business_minutes) == first


def test_backfill_fills_in_old_rows_and_leaves_filled_ones(make_timed_request, capsys):
    tuesday = at(CHICAGO, 2026, 11, 24, 10, 0)
    old = make_timed_request(tuesday, first_contacted_at=tuesday + timedelta(hours=1))
    kept = make_timed_request(tuesday, due_at=tuesday)
    call_command("backfill_response_times")
    assert "Updated 1 request(s)." in capsys.readouterr().out
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.due_at == at(CHICAGO, 2026, 11, 24, 12, 0)
    assert (old.first_contact_business_minutes, old.first_contact_minutes) == (60, 60)
    assert kept.due_at == tuesday
    call_command("backfill_response_times", "--recompute")
    kept.refresh_from_db()
    assert kept.due_at == at(CHICAGO, 2026, 11, 24, 12, 0)


# --- overdue ---------------------------------------------------------------------


def test_a_request_becomes_overdue_when_its_due_time_passes(make_timed_request):
    now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    request = make_timed_request(now - timedelta(hours=1), due_at=now + timedelta(minutes=1))
    requests = ConsultationRequest.objects.all()
    assert not requests.overdue(now).exists()
    assert list(requests.overdue(now + timedelta(minutes=2))) == [request]
    services.set_status(requests, "contacted")
    assert not requests.overdue(now + timedelta(minutes=2)).exists()


def test_closed_requests_are_never_overdue(make_timed_request):
    now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    make_timed_request(now - timedelta(days=1), due_at=now - timedelta(hours=1), status="closed")
    assert not ConsultationRequest.objects.overdue(now).exists()


# --- percentiles and figures -----------------------------------------------------


@pytest.mark.parametrize(
    "values, median, p90",
    [
        ([7], 7, 7),
        ([40, 10, 30, 20], 25, 37),  # p90: 30 + 0.7 x 10
        ([50, 10, 40, 20, 30], 30, 46),  # p90: 40 + 0.6 x 10
        ([5, 5, 5, 100], 5, 71.5),  # p90: 5 + 0.7 x 95
    ],
)
def test_percentiles_are_worked_out_in_the_database(make_request, values, median, p90):
    for value in values:
        make_request(first_contact_business_minutes=value)
    make_request()  # not contacted: not counted
    with CaptureQueriesContext(connection) as queries:
        result = metrics.percentiles_by_group(
            ConsultationRequest.objects.all(), "first_contact_business_minutes"
        )
    assert len(queries) == 1
    assert (result[0].rows, result[0].counted) == (len(values) + 1, len(values))
    assert result[0].values[metrics.MEDIAN] == pytest.approx(median)
    assert result[0].values[metrics.P90] == pytest.approx(p90)


def test_percentiles_per_clinic_keep_clinics_apart(make_request, gretna):
    for value in (10, 20, 30):
        make_request(first_contact_business_minutes=value)
    make_request(location=gretna, first_contact_business_minutes=500)
    result = metrics.percentiles_by_group(
        ConsultationRequest.objects.all(), "first_contact_business_minutes", "location_id"
    )
    assert result[gretna.pk].values == {50: 500, 90: 500}
    assert result[Location.objects.get(slug="bellevue").pk].values[50] == 20


def test_clinic_figures_on_seeded_requests(seeded_response_times, bellevue, gretna):
    now = seeded_response_times
    clinics, totals = metrics.clinic_figures(*metrics.scope(), 30, now)
    by_slug = {f.location.slug: f for f in clinics}
    b = by_slug["bellevue"]
    assert (b.new, b.open, b.overdue) == (2, 6, 1)
    assert b.oldest_waiting_age == timedelta(hours=5)
    assert (b.requests, b.contacted, b.within_target, b.decided) == (6, 3, 2, 4)
    assert b.median_minutes == 90
    assert b.p90_minutes == pytest.approx(258)  # 90 + 0.8 x 210
    assert b.within_target_share == 0.5
    g = by_slug["gretna"]
    assert (g.new, g.open, g.overdue, g.requests, g.median_minutes) == (0, 1, 0, 1, 15)
    assert g.oldest_waiting_age is None
    assert g.within_target_share == 1
    assert (totals.new, totals.open, totals.overdue, totals.requests) == (2, 7, 1, 7)
    assert totals.median_minutes == 60  # of 15, 30, 90, 300
    assert totals.p90_minutes == pytest.approx(237)  # 90 + 0.7 x 210
    assert totals.within_target_share == pytest.approx(3 / 5)


def test_a_clinic_with_nothing_contacted_has_no_median(make_location):
    omaha = make_location()
    clinics, totals = metrics.clinic_figures(*metrics.scope(slugs=[omaha.slug]), 30)
    assert clinics[0].as_json()["median_minutes_to_first_contact"] is None
    assert clinics[0].within_target_share is None
    assert totals.median_minutes is None


def test_weekly_figures_cover_twelve_weeks(seeded_response_times):
    weeks = metrics.weekly(ConsultationRequest.objects.all(), now=seeded_response_times)
    assert len(weeks) == 12
    assert [w.start for w in weeks] == sorted(w.start for w in weeks)
    assert sum(w.requests for w in weeks) == 8
    assert all(w.start.weekday() == 0 for w in weeks)


def test_seeded_requests_have_due_times_and_first_contacts(db):
    call_command("seed_requests", "60", stdout=StringIO())
    requests = ConsultationRequest.objects.all()
    assert not requests.filter(due_at__isnull=True).exists()
    assert not requests.exclude(status="new").filter(first_contacted_at__isnull=True).exists()
    assert not requests.filter(
        first_contacted_at__isnull=False, first_contact_business_minutes__isnull=True
    ).exists()
    old = requests.filter(created_at__lt=timezone.now() - timedelta(days=14))
    assert old.filter(status="closed").count() >= old.count() * 0.8
