"""The booking page (choosing a time) is counted for the dashboard's funnel as the request
form is: once per browser, clinic and day when shown, in either language; never when a
time is sent, nor the manage page."""

import pytest

from appointments.models import Booking
from tests.appointments.test_booking_pages import book
from tests.form_client import FormClient
from tests.pages.test_visit_counts import _counting, browser, saved  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kind(make_type, settings):
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 0
    return make_type(week="Mon-Sun 09:00-12:00,13:00-16:00", notice_hours=1)


@pytest.fixture
def patient():
    return FormClient(**browser(1))


def test_the_booking_page_counts_once_a_day_per_browser_and_clinic_in_both_languages(
    patient, kind, make_type
):
    lincoln = kind.location
    omaha = make_type("Omaha").location
    for path in ("/lincoln/book/", "/lincoln/book/?week=2030-01-07", "/es/lincoln/reservar/"):
        assert patient.get(path).status_code == 200
    assert patient.get("/lincoln/book/", **browser(2)).status_code == 200
    assert patient.get("/omaha/book/").status_code == 200

    assert saved() == {(lincoln.pk, "booking"): 2, (omaha.pk, "booking"): 1}


def test_sending_a_time_is_not_a_view_of_the_booking_page(patient, kind):
    response, _start = book(patient, kind)  # shown once (GET), then sent (POST)
    assert response.status_code == 302
    refused = patient.post("/lincoln/book/", {"start": "not a time"}, **browser(3))
    assert refused.status_code == 400
    assert saved() == {(kind.location.pk, "booking"): 1}


def test_the_manage_page_is_not_counted(patient, kind):
    response, _start = book(patient, kind)
    saved()  # the booking page's view, stored
    Booking.objects.get()
    assert patient.get(response["Location"], **browser(4)).status_code == 200
    assert saved() == {(kind.location.pk, "booking"): 1}
