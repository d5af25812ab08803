"""Booking figures on the staff dashboard (per clinic and in total, scoped, in a fixed
number of queries) and tomorrow's bookings not yet entered in the daily digest."""

import datetime
import re
import statistics
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments import figures, services
from appointments.models import Booking, hash_token
from pages.models import DailyPageViews, Location
from staff.figures import Period
from tests import factories
from tests.appointments.booking_helpers import at, details
from tests.factories import make_staff, make_superuser

INDEX = reverse("admin:index")
CHICAGO = "America/Chicago"
MARKER = "Zz-marker-9137"
# A Wednesday noon in Chicago; the default week (Mon-Fri 08:00-17:00) and a 2-hour target.
NOW = at(CHICAGO, 2030, 1, 16, 12)


def make_booking(kind, created, starts, status=Booking.Status.BOOKED, entered=None):
    booking = Booking.objects.create(
        appointment_type=kind,
        location=kind.location,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=kind.minutes),
        **details(first_name="Zelda", last_name=MARKER, topic="isotretinoin", message=MARKER),
        status=status,
        submission_key=uuid.uuid4(),
        manage_token_hash=hash_token(uuid.uuid4()),
        entered_in_practice_system_at=entered,
    )
    Booking.objects.filter(pk=booking.pk).update(created_at=created)
    # Its enter-by time from that moment, as booking would have stored it.
    services.backfill_enter_by()
    return booking


def chicago(month, day, hour, minute=0):
    return at(CHICAGO, 2030, month, day, hour, minute)


@pytest.fixture
def lincoln_set(make_type):
    """Eight bookings at Lincoln, each pinning one figure."""
    kind = make_type("Lincoln", zone=CHICAGO)
    C = Booking.Status
    # Entered after 1.5 opening hours: within the 2-hour target. 4 days ahead.
    make_booking(kind, chicago(1, 14, 9), chicago(1, 18, 10), entered=chicago(1, 14, 10, 30))
    # Booked at 16:00, entered 09:30 next day: 1 h + 1.5 h of opening hours, late.
    make_booking(kind, chicago(1, 14, 16), chicago(1, 21, 16), entered=chicago(1, 15, 9, 30))
    # Never entered and past its due time (11:00): late.
    make_booking(kind, chicago(1, 15, 9), chicago(1, 22, 9))
    # Never entered, due at 13:00, still in time: no outcome yet.
    make_booking(kind, chicago(1, 16, 11), chicago(1, 23, 11))
    # Cancelled before anyone entered them: no outcome.
    make_booking(kind, chicago(1, 14, 12), chicago(1, 20, 12), C.CANCELLED_BY_PATIENT)
    make_booking(kind, chicago(1, 14, 12), chicago(1, 21, 12), C.CANCELLED_BY_CLINIC)
    # Booked before the period, visits due in it: one no-show of two visits.
    make_booking(kind, chicago(12, 1, 9).replace(year=2029), chicago(1, 15, 9), C.NO_SHOW)
    make_booking(kind, chicago(12, 1, 9).replace(year=2029), chicago(1, 14, 9), C.ATTENDED)
    return kind


def test_each_booking_figure_is_counted_per_clinic_and_in_total(lincoln_set, make_type):
    other = make_type("Omaha", zone="America/Denver")
    make_booking(other, chicago(1, 15, 10), chicago(1, 17, 10), entered=chicago(1, 15, 10, 5))
    locations = list(Location.objects.with_hours().order_by("name"))

    clinics, totals = figures.clinic_figures(locations, Booking.objects.all(), Period(7, NOW))

    lincoln = next(row for row in clinics if row.location.slug == "lincoln")
    assert (lincoln.made, lincoln.cancelled_by_patient, lincoln.cancelled_by_clinic) == (6, 1, 1)
    assert (lincoln.no_shows, lincoln.visits_due) == (1, 2)
    assert (lincoln.entered_within, lincoln.decided, lincoln.entered_within_percent) == (1, 3, 33)
    # 4.04, 6, 7, 7, 7, 7 days ahead.
    assert lincoln.median_days_ahead == 7.0
    assert (totals.made, totals.entered_within, totals.decided, totals.no_shows) == (7, 2, 4, 1)
    assert totals.entered_within_percent == 50
    # 2, 4.04, 6, 7, 7, 7, 7.
    assert totals.median_days_ahead == 7.0


def test_the_median_days_ahead_rounds_as_statistics_median_does_at_a_tie(make_type):
    kind = make_type("Lincoln", zone=CHICAGO)
    made = chicago(1, 14, 9)
    # 44.9 and 45 days ahead: the median is 44.95 days, which rounds up to 45.0 (days
    # counted as a float difference of two dates would fall just short: 44.9).
    for ahead in (datetime.timedelta(days=44, hours=21, minutes=36), datetime.timedelta(45)):
        make_booking(kind, made, made + ahead)

    clinics, totals = figures.clinic_figures([kind.location], Booking.objects.all(), Period(7, NOW))

    assert round(statistics.median([44.9, 45.0]), 1) == 45.0
    assert clinics[0].median_days_ahead == totals.median_days_ahead == 45.0


def test_a_shorter_period_leaves_out_older_bookings(lincoln_set):
    locations = list(Location.objects.with_hours())
    clinics, _ = figures.clinic_figures(locations, Booking.objects.all(), Period(1, NOW))
    lincoln = clinics[0]
    assert (lincoln.made, lincoln.visits_due, lincoln.decided) == (1, 0, 0)


def view_bookings(user):
    user.user_permissions.add(Permission.objects.get(codename="view_booking"))
    return user


def test_the_dashboard_shows_bookings_of_the_clinics_the_person_sees(login, make_type):
    now = timezone.now()
    lincoln, omaha = make_type("Lincoln"), make_type("Omaha")
    for _ in range(2):
        make_booking(lincoln, now - datetime.timedelta(days=1), now + datetime.timedelta(days=3))
    make_booking(omaha, now - datetime.timedelta(days=1), now + datetime.timedelta(days=3))
    user = view_bookings(make_staff("desk", None, lincoln.location))

    html = login(user).get(INDEX).content.decode()

    assert "Online bookings, last 30 days" in html
    assert "Lincoln" in html and "Omaha" not in html
    assert "<td>2</td>" in html
    assert MARKER not in html and "Zelda" not in html


def test_staff_who_may_not_view_bookings_see_no_booking_figures(login, make_type):
    make_type("Lincoln")
    html = login(make_staff("nobody")).get(INDEX).content.decode()
    assert "Online bookings" not in html


def test_the_dashboard_runs_the_same_queries_for_2_and_20_bookings(login, make_type):
    now = timezone.now()
    kinds = [make_type(f"Clinic {n}", zone=zone) for n, zone in enumerate([CHICAGO, "UTC"])]
    client = login(make_superuser())

    def add(count, kinds):
        for n in range(count):
            kind = kinds[n % len(kinds)]
            entered = now - datetime.timedelta(hours=n) if n % 3 == 0 else None
            made = now - datetime.timedelta(days=n % 20, hours=1)
            make_booking(kind, made, made + datetime.timedelta(days=5), entered=entered)

    def queries():
        client.get(INDEX)  # warm-up: sessions, content types
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INDEX).status_code == 200
        return len(captured)

    add(2, kinds)
    small = queries()
    kinds += [make_type(f"More {n}", zone="America/Denver") for n in range(3)]
    add(18, kinds)
    for kind in kinds:  # and the funnel has booking page views to read
        add_views(kind.location, treatment=30, form=5, booking=9)
    assert queries() == small


# --- the funnel: page views -> form and booking views -> requests and bookings ----------


def add_views(location, **kinds):
    today = Period(30, timezone.now()).end_day
    for kind, count in kinds.items():
        DailyPageViews.objects.create(location=location, day=today, kind=kind, count=count)


@pytest.fixture
def funnel_set(make_type):
    """Lincoln: 40 booking page views, 3 bookings made in the period (one cancelled since);
    Omaha: more bookings (5) than counted views of its booking page (4)."""
    now = timezone.now()
    lincoln, omaha = make_type("Lincoln"), make_type("Omaha")
    add_views(lincoln.location, treatment=200, form=20, booking=40)
    add_views(omaha.location, treatment=10, booking=4)
    old_day = Period(30, now).start_day - datetime.timedelta(days=1)
    DailyPageViews.objects.create(location=lincoln.location, day=old_day, kind="booking", count=999)
    made, visit = now - datetime.timedelta(days=1), now + datetime.timedelta(days=3)
    for status in ("booked", "booked", "cancelled_by_patient"):
        make_booking(lincoln, made, visit, status)
    make_booking(lincoln, now - datetime.timedelta(days=40), visit)  # before the period
    for _ in range(5):
        make_booking(omaha, made, visit)
    return lincoln.location, omaha.location


def funnel_of(response, location=None):
    dashboard = response.context["dashboard"]
    if location is None:
        ((_figures, _links, rates),) = dashboard["funnel_totals"]
        return rates["steps"]
    return next(r for f, _l, r in dashboard["funnel_rows"] if f.location == location)["steps"]


def test_the_funnel_shows_booking_views_and_bookings_per_clinic_and_in_total(login, funnel_set):
    lincoln, omaha = funnel_set
    response = login(make_superuser()).get(INDEX)

    # 40 of 200 page views, 3 bookings of 40 booking page views: 20 and 8 per 100.
    assert funnel_of(response, lincoln) == [
        {"views": 40, "views_per_100": 20, "made": 3, "made_per_100": 8}
    ]
    # More bookings than counted views: the counts, and no rate over 100.
    assert funnel_of(response, omaha) == [
        {"views": 4, "views_per_100": 40, "made": 5, "made_per_100": None}
    ]
    assert funnel_of(response) == [
        {"views": 44, "views_per_100": 21, "made": 8, "made_per_100": 18}
    ]
    html = response.content.decode()
    funnel = html[html.index('id="funnel-title"') : html.index('id="weekly-title"')]
    assert "From reading to asking or booking" in funnel
    assert "Booking page views</th>" in funnel and "Bookings made</th>" in funnel
    assert "Bookings per 100 booking page views</th>" in funnel
    assert "<td>40</td>" in funnel and "<td>8</td>" in funnel
    assert not re.search(r"\d\s*%(?![0-9A-F]{2})", funnel)  # no percentage (%3A is a URL's)


def test_the_funnel_counts_only_the_bookings_of_the_clinics_the_person_sees(login, funnel_set):
    lincoln, _omaha = funnel_set
    desk = make_staff("desk", "Front desk", lincoln)
    assert funnel_of(login(desk).get(INDEX)) == [
        {"views": 40, "views_per_100": 20, "made": 3, "made_per_100": 8}
    ]


def test_staff_who_may_not_view_bookings_see_the_funnel_without_them(login, funnel_set):
    lincoln, _omaha = funnel_set
    user = make_staff("requests-only", None, lincoln)
    user.user_permissions.add(Permission.objects.get(codename="view_consultationrequest"))
    response = login(user).get(INDEX)
    assert response.context["dashboard"]["funnel_steps"] == []
    assert funnel_of(response, lincoln) == []
    assert "Booking page views" not in response.content.decode()


def test_the_digest_counts_tomorrows_bookings_not_entered_in_each_clinics_own_day(make_type):
    chicago_kind = make_type("Lincoln", zone=CHICAGO)
    auckland_kind = make_type("Auckland", zone="Pacific/Auckland")
    made = NOW - datetime.timedelta(days=3)
    # NOW is Thursday 07:00 in Auckland: its tomorrow is Friday, Chicago's is Thursday.
    make_booking(chicago_kind, made, chicago(1, 17, 10))
    make_booking(chicago_kind, made, chicago(1, 17, 11), entered=made)
    make_booking(chicago_kind, made, chicago(1, 17, 12), Booking.Status.CANCELLED_BY_PATIENT)
    make_booking(chicago_kind, made, chicago(1, 18, 10))
    make_booking(auckland_kind, made, at("Pacific/Auckland", 2030, 1, 18, 10))
    make_booking(auckland_kind, made, at("Pacific/Auckland", 2030, 1, 17, 10))
    locations = [chicago_kind.location, auckland_kind.location]

    counts = figures.tomorrow_not_entered(locations, NOW)

    assert counts[chicago_kind.location.pk] == {figures.TOMORROW_NOT_ENTERED: 1}
    assert counts[auckland_kind.location.pk] == {figures.TOMORROW_NOT_ENTERED: 1}


def test_the_digest_mail_has_the_count_and_no_patient_data(make_type):
    kind = make_type("Lincoln", zone=CHICAGO)
    Location.objects.exclude(pk=kind.location.pk).update(is_active=False)
    Location.objects.filter(pk=kind.location.pk).update(notification_email="desk@example.com")
    now = timezone.now()
    tomorrow = timezone.localtime(now, kind.location.zone).date() + datetime.timedelta(days=1)
    for hour in (9, 10):
        make_booking(kind, now, at(CHICAGO, tomorrow.year, tomorrow.month, tomorrow.day, hour))

    call_command("send_digest")

    (message,) = mail.outbox
    body = message.body
    assert "Online bookings for tomorrow not yet entered in the practice system: 2" in body
    for private in (MARKER, "Zelda", "isotretinoin", "Isotretinoin", "ana@example.net"):
        assert private not in body and private not in message.subject


def test_a_booking_not_yet_backfilled_counts_as_made_with_no_outcome(lincoln_set):
    # Booked before enter-by times were kept, and backfill_enter_by not run yet.
    Booking.objects.update(enter_by=None)
    locations = list(Location.objects.all())

    clinics, _ = figures.clinic_figures(locations, Booking.objects.all(), Period(7, NOW))

    lincoln = next(row for row in clinics if row.location.slug == "lincoln")
    assert (lincoln.made, lincoln.no_shows, lincoln.visits_due) == (6, 1, 2)
    assert (lincoln.entered_within, lincoln.decided, lincoln.entered_within_percent) == (0, 0, None)


# --- a page of clinics ------------------------------------------------------------------


@pytest.fixture
def many_clinics(make_location):
    """Every active clinic with two bookings made in the period, more clinics than a page."""
    for n in range(30):
        make_location(f"Clinic {n:02}", slug=f"clinic-{n:02}")
    clinics = list(Location.objects.active())
    factories.add_bookings(clinics, 2 * len(clinics))
    return clinics


def booking_section(html):
    return html[html.index('id="booking-figures-title"') :]


def test_the_booking_table_shows_25_clinics_a_page_and_totals_over_all(login, many_clinics):
    user = make_superuser()
    count = len(many_clinics)
    period = Period(30, timezone.now())

    first = figures.dashboard(user, period, {})
    last = figures.dashboard(user, period, {figures.PAGE: "2"})

    assert [len(first["rows"]), len(last["rows"])] == [25, count - 25]
    shown = [row.location for row in first["rows"] + last["rows"]]
    assert shown == list(Location.objects.active())  # in the clinics' own order
    for context in (first, last):
        assert context["clinic_count"] == count
        assert context["totals"].made == 2 * count
    assert sum(row.made for row in first["rows"] + last["rows"]) == 2 * count

    html = booking_section(login(user).get(INDEX, {"days": 30}).content.decode())
    assert f"Clinics 1–25 of {count}, the totals count all of them." in html
    assert 'href="?days=30&amp;bookings_page=2#booking-figures-title">Next clinics</a>' in html
    assert html.count('<th scope="row">') == 25 + 1  # and the totals' row


def test_paging_one_table_keeps_the_other_tables_page(login, many_clinics):
    client = login(make_superuser())

    html = client.get(INDEX, {"days": 7, "page": 2, figures.PAGE: 2}).content.decode()

    bookings = booking_section(html)
    requests = html[: html.index('id="booking-figures-title"')]
    assert '"?days=7&amp;page=2&amp;bookings_page=1#booking-figures-title">Previous' in bookings
    assert '"?days=7&amp;bookings_page=2&amp;page=1">Previous clinics' in requests


@pytest.mark.parametrize("asked", ["0", "999", "two", "٢", "9" * 5000])
def test_a_page_number_out_of_range_or_not_a_number_shows_a_page(login, many_clinics, asked):
    response = login(make_superuser()).get(INDEX, {figures.PAGE: asked, "page": asked})
    html = response.content.decode()
    assert response.status_code == 200
    # The first or the last page (Paginator.get_page).
    assert re.search(r"Clinics (1–25|26–\d+) of \d+, the totals", html)
    if not asked.isascii() or not asked.isdigit() or len(asked) > 6:
        assert f"={asked}" not in html  # only page numbers are carried to the other table
