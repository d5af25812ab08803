"""The patient's pages: choose a time, book it with one POST, manage it by its link."""

import datetime
import logging
import re

import pytest
from django.utils import timezone

from appointments import services
from appointments.models import Booking
from tests.appointments.booking_helpers import book, first_time, post_data

pytestmark = pytest.mark.django_db
ZONE = "America/Chicago"


@pytest.fixture
def kind(make_type, settings):
    # The first free time is an hour away: online changes stay open for these tests.
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 0
    return make_type(week="Mon-Sun 09:00-12:00,13:00-16:00", notice_hours=1)


def test_the_time_choice_page_offers_times_named_by_their_whole_date(client, kind):
    page = client.get("/lincoln/book/").content.decode()

    label = re.search(
        r'<label for="t\d+"><span class="visually-hidden">([^<]+)</span>([^<]+)</label>', page
    )
    assert re.fullmatch(r"[A-Z][a-z]+day, [A-Z][a-z]+ \d+, ", label[1])
    assert re.fullmatch(r"\d+:\d\d [AP]M", label[2])
    assert "Central Time" in page
    assert "Next week" in page
    assert 'name="start" value="20' in page and re.search(
        r'value="[^"]+T\d\d:\d\d:00-0[56]:00"', page
    )


def test_the_spanish_page_speaks_spanish(client, kind):
    response = client.get("/es/lincoln/reservar/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Reservar" in page or "reservar" in page
    assert re.search(
        r'<span class="visually-hidden">(lunes|martes|miércoles|jueves|viernes|sábado|domingo)',
        page,
    )
    # Times in Spanish's one style on this site, the hours table's: 13:00, never 1:00 PM.
    times = re.findall(
        r'<label for="t\d+"><span class="visually-hidden">[^<]+</span>([^<]+)<', page
    )
    assert times and all(re.fullmatch(r"\d{1,2}:\d\d", time) for time in times), times
    # Every day offered has afternoon times (the windows run to 16:00), written past 12.
    assert any(int(time.split(":")[0]) >= 13 for time in times), times


def test_one_post_books_and_leads_to_the_confirmation(client, kind, mailoutbox):
    response, start = book(client, kind)

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.starts_at == datetime.datetime.fromisoformat(start)
    page = client.get(response["Location"]).content.decode()
    assert "You are booked" in page
    assert "Lincoln" in page and "(402) 555-0100" in page and "Central Time" in page
    assert "appointment.ics" in page


def test_a_double_submit_books_once_and_leads_to_the_same_link(client, kind):
    start = first_time(client, "/lincoln/book/")
    data = post_data(kind, start)
    first = client.post("/lincoln/book/", data)
    second = client.post("/lincoln/book/", data)

    assert Booking.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_taken_time_is_refused_with_alternatives_and_the_typed_details_kept(client, kind):
    start = first_time(client, "/lincoln/book/")
    client.post("/lincoln/book/", post_data(kind, start))
    response = client.post("/lincoln/book/", post_data(kind, start, first_name="Beatriz"))
    page = response.content.decode()

    assert response.status_code == 409
    assert "someone else just booked that time" in page
    assert 'id="alt-t' in page
    assert 'value="Beatriz"' in page
    assert "/lincoln/consultation/" in page
    assert Booking.objects.count() == 1


def test_another_clinics_type_is_refused_at_the_post(client, kind, make_type):
    other = make_type("Omaha")
    start = first_time(client, "/lincoln/book/")
    response = client.post("/lincoln/book/", post_data(kind, start, appointment_type=other.pk))
    assert response.status_code == 409
    assert not Booking.objects.exists()


def test_a_bad_start_is_a_clear_message_not_an_error(client, kind):
    for bad in ["", "tomorrow", "2027-03-10T09:30:00", "2027-13-40T09:30:00-05:00"]:
        response = client.post("/lincoln/book/", post_data(kind, bad))
        assert response.status_code == 400
        assert "Please choose" in response.content.decode()
    assert not Booking.objects.exists()


def test_privacy_the_topic_message_and_interpreter_appear_in_no_url_calendar_mail_or_log(
    client, kind, mailoutbox, settings, django_capture_on_commit_callbacks, caplog
):
    settings.CONSULTATION_NOTIFY_EMAIL = "desk@example.net"
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = book(client, kind, interpreter_needed="on", email_updates="on")
    assert Booking.objects.get().interpreter_needed
    urls = [response["Location"]]
    page = client.get(response["Location"]).content.decode()
    urls += re.findall(r'href="([^"]+)"', page)
    ics = client.get(re.search(r'href="([^"]+\.ics)"', page)[1]).content.decode()
    ics = ics.replace("\r\n ", "")  # unfolded: a word may span lines
    mails = [
        "\n".join(
            [
                m.subject,
                m.body,
                *(c for c, _type in getattr(m, "alternatives", [])),
                str(m.message()),
            ]
        )
        for m in mailoutbox
    ]
    logged = [f"{r.name} {r.getMessage()}" for r in caplog.records] + [caplog.text]

    for text in [page, ics, *urls, *mails, *logged]:
        assert "MARKER-MESSAGE-7731" not in text
        assert "sotretinoin" not in text
    # The interpreter answer is health-adjacent: staff see it; no page, file, mail or log.
    for text in [page, ics, *urls, *mails, *logged]:
        assert "interpret" not in text.lower() and "intérprete" not in text.lower()
    assert len(mailoutbox) == 2 and all("Lincoln" in m.subject for m in mailoutbox)


def test_the_calendar_file_keeps_its_uid_and_raises_its_sequence(client, kind):
    response, _ = book(client, kind)
    manage = response["Location"].split("?")[0]
    first = client.get(manage + "appointment.ics").content.decode()
    booking = Booking.objects.get()
    later = services.slots.nearest(
        booking.appointment_type, booking.starts_at + datetime.timedelta(days=2), timezone.now()
    )[0]
    services.reschedule(booking, later)
    second = client.get(manage + "appointment.ics").content.decode()

    uid = re.search(r"UID:(\S+)", first)[1]
    assert re.search(r"UID:(\S+)", second)[1] == uid
    assert "SEQUENCE:0" in first and "SEQUENCE:1" in second
    assert re.search(r"DTSTART:\d{8}T\d{6}Z", second)
    assert "BEGIN:VEVENT" in second and second.endswith("END:VCALENDAR\r\n")


def test_opening_the_manage_link_changes_nothing_and_cancel_takes_a_post(client, kind):
    response, _ = book(client, kind)
    manage = response["Location"].split("?")[0]
    for _ in range(3):
        assert client.get(manage).status_code == 200
    assert Booking.objects.get().status == "booked"

    client.post(manage, {"action": "cancel"})
    page = client.get(manage).content.decode()
    assert Booking.objects.get().status == "cancelled_by_patient"
    assert "This appointment was cancelled" in page and "/lincoln/book/" in page


def test_after_a_move_the_same_link_shows_the_new_time(client, kind):
    response, _ = book(client, kind)
    manage = response["Location"].split("?")[0]
    page = client.get(manage + "?move=1").content.decode()
    new_start = re.findall(r'name="start" value="([^"]+)"', page)[-1]

    moved = client.post(manage, {"action": "move", "start": new_start})
    assert moved.status_code == 302
    assert Booking.objects.get().starts_at == datetime.datetime.fromisoformat(new_start)
    assert "was moved" in client.get(moved["Location"]).content.decode()


def test_online_changes_close_before_the_visit_and_the_page_gives_the_phone(client, kind, settings):
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 24 * 60
    response, _ = book(client, kind)
    manage = response["Location"].split("?")[0]
    client.post(manage, {"action": "cancel"})
    page = client.get(manage).content.decode()

    assert Booking.objects.get().status == "booked"
    assert "please call the clinic at (402) 555-0100" in page


def test_guessing_manage_tokens_is_rate_limited(client, kind, settings):
    settings.BOOKING_MANAGE_RATE_LIMIT = "5/h"
    statuses = [client.get(f"/appointments/guess{n}/").status_code for n in range(7)]
    assert statuses == [404] * 5 + [429] * 2


def test_booking_links_appear_only_where_a_clinic_has_bookable_hours(client, kind, make_location):
    make_location("Nowhere")
    assert "/lincoln/book/" in client.get("/lincoln/").content.decode()
    assert "/book/" not in client.get("/nowhere/").content.decode()
    assert client.get("/nowhere/book/").status_code == 404
