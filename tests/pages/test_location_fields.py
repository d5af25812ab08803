"""Structured location data: validation, E.164 phones, ZIP coordinates, the schedule."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from location_admin_forms import location_admin_data

from pages.forms import LocationAdminForm
from pages.hours import Interval
from pages.models import ClosureDate, Location, OpeningHours, find_overlaps


def form_data(**overrides):
    """A new location's admin form, with `overrides` for the fields under test."""
    return location_admin_data(name="Testville", slug="testville", **overrides)


@pytest.mark.django_db
class TestAdminFormValidation:
    @pytest.mark.parametrize("zip_code", ["6800", "680051", "68005-12", "ABCDE", "68005 1234"])
    def test_bad_zip_is_refused(self, zip_code):
        form = LocationAdminForm(data=form_data(postal_code=zip_code))
        assert not form.is_valid()
        assert "ZIP code of 5 digits" in str(form.errors["postal_code"])

    @pytest.mark.parametrize("zip_code", ["68005", "68005-1234"])
    def test_zip_and_zip_plus_four_are_accepted(self, zip_code):
        form = LocationAdminForm(data=form_data(postal_code=zip_code))
        assert form.is_valid(), form.errors

    @pytest.mark.parametrize("state", ["XX", "Nebraska", "ne"])
    def test_unknown_state_is_refused(self, state):
        form = LocationAdminForm(data=form_data(state=state))
        assert not form.is_valid()
        assert "state" in form.errors

    @pytest.mark.parametrize("state", ["NE", "PR", "DC", "GU"])
    def test_states_and_territories_are_accepted(self, state):
        assert LocationAdminForm(data=form_data(state=state)).is_valid()

    @pytest.mark.parametrize("phone", ["555-0100", "12345", "not a phone", "(402) 555-01000"])
    def test_bad_phone_is_refused(self, phone):
        form = LocationAdminForm(data=form_data(phone=phone))
        assert not form.is_valid()
        assert "phone" in form.errors

    def test_phone_is_stored_as_e164_and_shown_in_national_format(self):
        form = LocationAdminForm(data=form_data(phone="(402) 291-1234"))
        assert form.is_valid(), form.errors
        location = form.save()
        assert location.phone == "+14022911234"
        assert location.phone_display == "(402) 291-1234"

    def test_unknown_time_zone_is_refused(self):
        form = LocationAdminForm(data=form_data(time_zone="America/Atlantis"))
        assert not form.is_valid()
        assert "time_zone" in form.errors

    def test_three_street_lines_are_refused(self):
        form = LocationAdminForm(data=form_data(street_address="1 A St\nSuite 2\nFloor 3"))
        assert not form.is_valid()
        assert "street_address" in form.errors

    def test_a_location_with_nothing_entered_is_valid(self):
        assert LocationAdminForm(data=form_data()).is_valid()


@pytest.mark.django_db
def test_model_refuses_a_phone_that_is_not_e164(make_location):
    location = make_location(phone="402 291 1234")
    with pytest.raises(ValidationError):
        location.full_clean()


@pytest.mark.django_db
def test_time_zone_defaults_to_the_sites(make_location, settings):
    assert make_location().time_zone == settings.TIME_ZONE


@pytest.mark.django_db
def test_coordinates_come_from_the_zip(make_location):
    location = make_location(postal_code="68005-1234")
    assert location.latitude == pytest.approx(41.15, abs=0.05)
    assert location.longitude == pytest.approx(-95.91, abs=0.05)
    location.postal_code = ""
    location.save()
    assert location.latitude is None and location.longitude is None


@pytest.mark.django_db
def test_unknown_zip_has_no_coordinates(make_location):
    location = make_location(postal_code="00000")
    assert location.latitude is None


def row(weekday, opens, closes):
    return OpeningHours(
        weekday=weekday,
        opens=datetime.time.fromisoformat(opens),
        closes=datetime.time.fromisoformat(closes),
    )


class TestOverlaps:
    def test_lunch_break_rows_do_not_overlap(self):
        assert find_overlaps([row(0, "08:00", "12:00"), row(0, "13:00", "17:00")]) == []

    def test_touching_rows_do_not_overlap(self):
        assert find_overlaps([row(0, "08:00", "12:00"), row(0, "12:00", "17:00")]) == []

    def test_overlapping_rows_are_found(self):
        assert len(find_overlaps([row(0, "08:00", "12:30"), row(0, "12:00", "17:00")])) == 1

    def test_overnight_row_overlapping_next_morning(self):
        assert find_overlaps([row(1, "22:00", "02:00"), row(2, "01:00", "09:00")])

    def test_sunday_night_into_monday_morning(self):
        assert find_overlaps([row(6, "22:00", "02:00"), row(0, "01:00", "09:00")])
        assert not find_overlaps([row(6, "22:00", "02:00"), row(0, "02:00", "09:00")])

    def test_same_hours_on_different_days_do_not_overlap(self):
        assert not find_overlaps([row(0, "08:00", "17:00"), row(1, "08:00", "17:00")])

    def test_same_opening_and_closing_time_is_refused(self):
        with pytest.raises(ValidationError):
            row(0, "08:00", "08:00").clean()
        row(0, "00:00", "00:00").clean()  # the whole day


@pytest.mark.django_db
class TestSchedule:
    def test_schedule_from_rows_and_closures(self, make_location):
        location = make_location(time_zone="America/Denver")
        OpeningHours.objects.create(
            location=location, weekday=1, opens=datetime.time(13), closes=datetime.time(17)
        )
        OpeningHours.objects.create(
            location=location, weekday=1, opens=datetime.time(8), closes=datetime.time(12)
        )
        ClosureDate.objects.create(location=location, date=datetime.date(2026, 12, 25))
        schedule = Location.objects.get(pk=location.pk).schedule()
        assert schedule.time_zone == zoneinfo.ZoneInfo("America/Denver")
        assert schedule.intervals == (
            Interval(1, datetime.time(8), datetime.time(12)),
            Interval(1, datetime.time(13), datetime.time(17)),
        )
        assert schedule.closed_dates == frozenset({datetime.date(2026, 12, 25)})

    def test_no_rows_is_an_empty_schedule(self, make_location):
        assert make_location().schedule().is_empty()

    def test_prefetched_rows_need_no_more_queries(self, make_location, django_assert_num_queries):
        for n in range(3):
            location = make_location(name=f"Place {n}")
            OpeningHours.objects.create(
                location=location, weekday=n, opens=datetime.time(9), closes=datetime.time(17)
            )
        with django_assert_num_queries(3):
            locations = list(Location.objects.filter(name__startswith="Place").with_hours())
            schedules = [loc.schedule() for loc in locations]
        assert [len(s.intervals) for s in schedules] == [1, 1, 1]
