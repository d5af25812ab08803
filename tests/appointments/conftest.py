import io

import pytest
from django.core.management import call_command

from appointments.models import AppointmentType


@pytest.fixture
def make_type(make_location):
    """A clinic in `zone` with a bookable type set by the command, as staff would."""

    def make(
        name="Lincoln", zone="America/Chicago", week="Mon-Fri 09:00-12:00,13:00-16:00", **options
    ):
        location = make_location(name, time_zone=zone, phone="+14025550100")
        args = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
        call_command("set_booking_hours", location.slug, week, *args, stdout=io.StringIO())
        return AppointmentType.objects.select_related("location").get(location=location)

    return make
